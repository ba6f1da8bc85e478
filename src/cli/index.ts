import { userInfo } from 'node:os';
import { Command, CommanderError, Option } from 'commander';
import { addAdmin, setAdminPassword } from '../app/admins.js';
import { type AuditContext, audited, listAudit, verifyAudit } from '../app/audit.js';
import { createAccount } from '../app/create-account.js';
import { createDatabase } from '../app/create-database.js';
import { deleteDatabase } from '../app/delete-database.js';
import { getAccount } from '../app/get-account.js';
import { issueToken } from '../app/issue-token.js';
import { parseAccountQuery } from '../app/account-query.js';
import { listAccounts } from '../app/list-accounts.js';
import { listDatabases } from '../app/list-databases.js';
import { addPlan, deletePlan, listPlans, parsePlanLimits } from '../app/plans.js';
import type { AppContext } from '../app/ports.js';
import { listTokens } from '../app/list-tokens.js';
import { revokeToken } from '../app/revoke-token.js';
import { setAccountPassword } from '../app/set-account-password.js';
import { setAccountPlan } from '../app/set-account-plan.js';
import { setDatabasePassword } from '../app/set-database-password.js';
import { suspendAccount } from '../app/suspend-account.js';
import { terminateAccount } from '../app/terminate-account.js';
import { unsuspendAccount } from '../app/unsuspend-account.js';
import { createLogger, createRuntime, ownerAlive } from '../compose.js';
import { recoverOperations } from '../app/recover-operations.js';
import { ConfigError, loadConfig } from '../config.js';
import { DomainError, isDomainError } from '../domain/errors.js';
import { parseScopes } from '../domain/scopes.js';
import { parseExpiry } from '../domain/time.js';
import { tokenStatus } from '../domain/token-status.js';
import { ACCOUNT_STATUSES, type Account, type Actor } from '../domain/types.js';
import { accountJson } from '../presenters/account.js';
import { auditEntryJson } from '../presenters/audit-entry.js';
import { databaseJson } from '../presenters/database.js';
import { planJson } from '../presenters/plan.js';
import { tokenJson } from '../presenters/token.js';
import { serveUntilStopped } from '../main.js';
import { EXIT, EXIT_BY_CODE } from './exit-codes.js';
import { type CliIo, readSecret } from './io.js';

function cliActor(): Actor {
  let osUser: string | null = null;
  try {
    osUser = userInfo().username;
  } catch {
    osUser = null;
  }
  return { type: 'cli', id: osUser, name: 'cli' };
}

function table(rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '';
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return `${rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

function wholeNumber(name: string) {
  return (value: string): number => {
    if (!/^\d{1,12}$/.test(value))
      throw new DomainError('invalid_parameter', `${name} must be a whole number`, { param: name });
    return Number(value);
  };
}

/** main runs the `vanta` command line and resolves to the process exit code. */
export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  let exitCode: number = EXIT.ok;
  let json = false;
  const print = (value: unknown, text: string) => io.out(json ? `${JSON.stringify(value)}\n` : text);

  const withCtx = async (fn: (ctx: AppContext) => Promise<void>) => {
    const config = loadConfig();
    const rt = await createRuntime(config, {
      logger: createLogger(process.env.VANTA_LOG_LEVEL || 'warn', 2),
      tokenFlushMs: 0,
    });
    try {
      await fn(rt.ctx);
    } finally {
      await rt.close();
    }
  };
  const change = <T>(
    ctx: AppContext,
    action: string,
    target: string | null,
    params: Record<string, unknown>,
    fn: () => Promise<T>,
  ) => {
    const audit: AuditContext = { actor: cliActor(), action, target, params };
    return audited(ctx, audit, fn);
  };
  const accountText = (a: Account) =>
    table([
      ['user', a.user],
      ['domain', a.domain],
      ['email', a.email ?? '-'],
      ['plan', a.plan ?? '-'],
      ['status', a.status],
      ['suspend reason', a.suspendReason ?? '-'],
      ['created', a.createdAt],
      ['suspended', a.suspendedAt ?? '-'],
      ['databases', a.databases.join(', ') || '-'],
    ]);

  const program = new Command('vanta')
    .description('Vanta Panel: web-hosting control panel')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError();
  program.hook('preAction', (_cmd, action) => {
    json = action.opts().json === true;
  });

  program
    .command('serve')
    .description('start the user-panel listener (API) and the vWHM listener')
    .action(() => serveUntilStopped(loadConfig(), (line) => io.out(`${line}\n`)));

  program
    .command('recover')
    .description('finish or undo operations that a killed panel process left unfinished (serve does this at start)')
    .option('--json', 'print JSON')
    .action(async () =>
      withCtx(async (ctx) => {
        const done = await recoverOperations(ctx, ownerAlive);
        print(
          { recovered: done },
          done.length === 0 ? 'Nothing to recover.\n' : done.map((r) => `${r.user}: ${r.op} ${r.outcome}\n`).join(''),
        );
        if (done.some((r) => r.outcome === 'failed')) exitCode = EXIT.provisioningFailed;
      }),
    );

  const token = program.command('token').description('API tokens');
  token
    .command('create')
    .description('issue a token; it is printed once and cannot be shown again')
    .requiredOption('--name <name>', 'a unique name, e.g. the billing system')
    .requiredOption('--scopes <list>', 'comma-separated: accounts:read,accounts:write,accounts:delete')
    .option('--expires <when>', 'a duration (30d, 12h, 2w) or an ISO-8601 time')
    .option(
      '--allow-ip <cidr>',
      'allowed source address or CIDR block (repeatable)',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--json', 'print JSON')
    .action(async (o: { name: string; scopes: string; expires?: string; allowIp: string[] }) =>
      withCtx(async (ctx) => {
        const scopes = parseScopes(o.scopes.split(','));
        const expiresAt = o.expires === undefined ? null : parseExpiry(o.expires, ctx.now());
        const params = { name: o.name, scopes, expires_at: expiresAt, allowed_cidrs: o.allowIp };
        const { token: t, secret } = await change(ctx, 'token.create', o.name, params, () =>
          issueToken(ctx, { name: o.name, scopes, expiresAt, allowedCidrs: o.allowIp, createdBy: 'cli' }),
        );
        print(
          { id: t.id, name: t.name, token: secret, scopes: t.scopes, expires_at: t.expiresAt },
          `${secret}\n\nToken "${t.name}" (id ${t.id}, scopes ${t.scopes.join(',') || 'none'}, expires ${t.expiresAt ?? 'never'}).\nThis is the only time the token is shown: store it now.\n`,
        );
      }),
    );
  token
    .command('list')
    .description('list tokens (never their secrets)')
    .option('--json', 'print JSON')
    .action(async () =>
      withCtx(async (ctx) => {
        const tokens = await listTokens(ctx);
        const now = ctx.now();
        print(
          tokens.map(tokenJson),
          table([
            ['ID', 'NAME', 'PREFIX', 'SCOPES', 'STATUS', 'EXPIRES', 'LAST USED', 'FROM'],
            ...tokens.map((t) => [
              String(t.id),
              t.name,
              t.prefix,
              t.scopes.join(',') || '-',
              tokenStatus(t, now),
              t.expiresAt ?? 'never',
              t.lastUsedAt ?? 'never',
              t.lastUsedIp ?? '-',
            ]),
          ]),
        );
      }),
    );
  token
    .command('revoke <nameOrId>')
    .description('revoke a token at once')
    .option('--json', 'print JSON')
    .action(async (nameOrId: string) =>
      withCtx(async (ctx) => {
        const r = await change(ctx, 'token.revoke', nameOrId, { token: nameOrId }, () => revokeToken(ctx, nameOrId));
        print(
          { ok: true, token: tokenJson(r.token), changed: r.changed },
          r.changed ? `Revoked token "${r.token.name}".\n` : `Token "${r.token.name}" was already revoked.\n`,
        );
      }),
    );

  const admin = program.command('admin').description('vWHM admins');
  admin
    .command('add <name>')
    .description('add an admin; the password is read from stdin, or asked for on a terminal')
    .option('--json', 'print JSON')
    .action(async (name: string) =>
      withCtx(async (ctx) => {
        const password = await readSecret(io, `Password for ${name}: `);
        await change(ctx, 'admin.add', name, { name }, () => addAdmin(ctx, name, password));
        print({ ok: true, admin: name }, `Added admin ${name}.\n`);
      }),
    );
  admin
    .command('passwd <name>')
    .description("change an admin's password (read from stdin, or asked for on a terminal)")
    .option('--json', 'print JSON')
    .action(async (name: string) =>
      withCtx(async (ctx) => {
        const password = await readSecret(io, `New password for ${name}: `);
        await change(ctx, 'admin.passwd', name, { name }, () => setAdminPassword(ctx, name, password));
        print({ ok: true, admin: name }, `Changed the password of admin ${name}.\n`);
      }),
    );

  const plan = program.command('plan').description('hosting plans');
  plan
    .command('add <name>')
    .description('add a plan; a limit left out is unlimited')
    .option('--disk-mb <n>', 'disk quota in MiB')
    .option('--max-databases <n>', 'databases per account')
    .option('--bandwidth-mb <n>', 'bandwidth in MiB a month')
    .option('--max-addon-domains <n>', 'addon domains per account')
    .option('--max-email-accounts <n>', 'email accounts per account')
    .option('--shell', 'allow shell access')
    .option('--json', 'print JSON')
    .action(
      async (
        name: string,
        o: {
          diskMb?: string;
          maxDatabases?: string;
          bandwidthMb?: string;
          maxAddonDomains?: string;
          maxEmailAccounts?: string;
          shell?: boolean;
        },
      ) => {
        const limits = parsePlanLimits({
          disk_mb: o.diskMb,
          max_databases: o.maxDatabases,
          bandwidth_mb: o.bandwidthMb,
          max_addon_domains: o.maxAddonDomains,
          max_email_accounts: o.maxEmailAccounts,
          shell: o.shell === true,
        });
        await withCtx(async (ctx) => {
          const p = await change(ctx, 'plan.add', name, { name, ...limits }, () => addPlan(ctx, name, limits));
          print({ ok: true, plan: planJson(p) }, `Added plan ${p.name}.\n`);
        });
      },
    );
  plan
    .command('list')
    .description('list plans')
    .option('--json', 'print JSON')
    .action(async () =>
      withCtx(async (ctx) => {
        const plans = await listPlans(ctx);
        const n = (v: number | null) => (v === null ? 'unlimited' : String(v));
        print(
          plans.map(planJson),
          table([
            ['NAME', 'DISK MB', 'DATABASES', 'BANDWIDTH MB', 'ADDON DOMAINS', 'EMAIL', 'SHELL'],
            ...plans.map((p) => [
              p.name,
              n(p.diskMb),
              n(p.maxDatabases),
              n(p.bandwidthMb),
              n(p.maxAddonDomains),
              n(p.maxEmailAccounts),
              p.shell ? 'yes' : 'no',
            ]),
          ]),
        );
      }),
    );
  plan
    .command('delete <name>')
    .description('delete a plan no account uses')
    .option('--json', 'print JSON')
    .action(async (name: string) =>
      withCtx(async (ctx) => {
        await change(ctx, 'plan.delete', name, { name }, () => deletePlan(ctx, name));
        print({ ok: true, plan: name }, `Deleted plan ${name}.\n`);
      }),
    );

  const audit = program.command('audit').description('the audit log');
  audit
    .command('list')
    .description('list audit entries, newest first')
    .option('--limit <n>', 'how many entries', wholeNumber('limit'), 50)
    .option('--since <time>', 'entries at or after this ISO-8601 time')
    .option('--action <action>', 'e.g. account.create')
    .option('--actor <name>', 'token name, admin name, cli or anonymous')
    .option('--outcome <outcome>', 'ok or an error code')
    .option('--target <target>', 'e.g. an account user name')
    .option('--json', 'print JSON Lines')
    .action(
      async (o: {
        limit: number;
        since?: string;
        action?: string;
        actor?: string;
        outcome?: string;
        target?: string;
      }) =>
        withCtx(async (ctx) => {
          const since = o.since === undefined ? undefined : new Date(o.since);
          if (since !== undefined && Number.isNaN(since.getTime())) {
            throw new DomainError('invalid_parameter', 'since must be an ISO-8601 time', { param: 'since' });
          }
          const entries = await listAudit(ctx, {
            ...o,
            limit: Math.min(Math.max(o.limit, 1), 100_000),
            since: since?.toISOString(),
          });
          if (json) {
            for (const e of entries) io.out(`${JSON.stringify(auditEntryJson(e))}\n`);
            return;
          }
          io.out(
            table([
              ['ID', 'AT', 'ACTOR', 'ACTION', 'TARGET', 'OUTCOME', 'IP'],
              ...entries.map((e) => [
                String(e.id),
                e.at,
                `${e.actor.type}:${e.actor.name}`,
                e.action,
                e.target ?? '-',
                e.outcome,
                e.ip ?? '-',
              ]),
            ]),
          );
        }),
    );
  audit
    .command('verify')
    .description('check the hash chain of the whole audit log')
    .option('--json', 'print JSON')
    .action(async () =>
      withCtx(async (ctx) => {
        const check = await verifyAudit(ctx);
        print(
          check,
          check.ok
            ? `Audit log intact: ${check.entries} entries.\n`
            : `Audit log BROKEN at entry ${check.brokenAt}: ${check.reason}\n`,
        );
        if (!check.ok) exitCode = EXIT.auditBroken;
      }),
    );

  const account = program.command('account').description('hosting accounts');
  account
    .command('list')
    .description('list accounts')
    .addOption(new Option('--status <status>', 'filter by status').choices([...ACCOUNT_STATUSES]))
    .option('--plan <plan>', 'filter by plan')
    .option('--q <text>', 'substring of user or domain')
    .option('--limit <n>', 'page size (1-1000, default 100)')
    .option('--json', 'print JSON')
    .action(async (o: { status?: string; plan?: string; q?: string; limit?: string }) =>
      withCtx(async (ctx) => {
        const page = await listAccounts(ctx, parseAccountQuery(o));
        print(
          { accounts: page.accounts.map(accountJson), total: page.total, next: page.next },
          `${table([
            ['USER', 'DOMAIN', 'PLAN', 'STATUS', 'CREATED'],
            ...page.accounts.map((a) => [a.user, a.domain, a.plan ?? '-', a.status, a.createdAt]),
          ])}${page.accounts.length} of ${page.total} account(s)\n`,
        );
      }),
    );
  account
    .command('show <user>')
    .description('show one account')
    .option('--json', 'print JSON')
    .action(async (user: string) =>
      withCtx(async (ctx) => {
        const a = await getAccount(ctx, user);
        print({ account: accountJson(a) }, accountText(a));
      }),
    );
  account
    .command('create <user> <domain>')
    .description('create an account; without --password-stdin a password is generated and printed once')
    .option('--email <email>', 'contact address')
    .option('--plan <plan>', 'plan name')
    .option('--password-stdin', 'read the password from stdin')
    .option('--json', 'print JSON')
    .action(async (user: string, domain: string, o: { email?: string; plan?: string; passwordStdin?: boolean }) =>
      withCtx(async (ctx) => {
        const password = o.passwordStdin ? await readSecret(io, 'Password: ') : undefined;
        const params = { user, domain, email: o.email ?? null, plan: o.plan ?? null };
        const r = await change(ctx, 'account.create', user, params, () =>
          createAccount(ctx, { user, domain, email: o.email, plan: o.plan, password }),
        );
        const extra = r.password === undefined ? {} : { password: r.password };
        print(
          { ok: true, account: accountJson(r.account), ...extra },
          `Created account ${r.account.user} (${r.account.domain}).\n${r.password ? `Password (shown once): ${r.password}\n` : ''}`,
        );
      }),
    );
  account
    .command('suspend <user>')
    .description('suspend an account')
    .option('--reason <text>', 'why, up to 255 characters')
    .option('--json', 'print JSON')
    .action(async (user: string, o: { reason?: string }) =>
      withCtx(async (ctx) => {
        const r = await change(ctx, 'account.suspend', user, { user, reason: o.reason ?? null }, () =>
          suspendAccount(ctx, user, o.reason ?? null),
        );
        print(
          { ok: true, account: accountJson(r.account), changed: r.changed },
          r.changed ? `Suspended ${user}.\n` : `${user} was already suspended.\n`,
        );
      }),
    );
  account
    .command('unsuspend <user>')
    .description('unsuspend an account')
    .option('--json', 'print JSON')
    .action(async (user: string) =>
      withCtx(async (ctx) => {
        const r = await change(ctx, 'account.unsuspend', user, { user }, () => unsuspendAccount(ctx, user));
        print(
          { ok: true, account: accountJson(r.account), changed: r.changed },
          r.changed ? `Unsuspended ${user}.\n` : `${user} was not suspended.\n`,
        );
      }),
    );
  account
    .command('password <user>')
    .description("set an account's password; without --password-stdin one is generated and printed once")
    .option('--password-stdin', 'read the password from stdin')
    .option('--json', 'print JSON')
    .action(async (user: string, o: { passwordStdin?: boolean }) =>
      withCtx(async (ctx) => {
        const given = o.passwordStdin ? await readSecret(io, 'Password: ') : undefined;
        const r = await change(ctx, 'account.password', user, { user }, () => setAccountPassword(ctx, user, given));
        print(
          { ok: true, ...r },
          `Changed the password of ${user}.\n${r.password ? `Password (shown once): ${r.password}\n` : ''}`,
        );
      }),
    );
  account
    .command('plan <user> [plan]')
    .description('set the plan of an account, or clear it with --none')
    .option('--none', 'clear the plan')
    .option('--json', 'print JSON')
    .action(async (user: string, planName: string | undefined, o: { none?: boolean }) =>
      withCtx(async (ctx) => {
        if ((planName === undefined) === (o.none !== true)) {
          throw new DomainError('missing_parameter', 'give a plan name or --none', { param: 'plan' });
        }
        const target = planName ?? null;
        const r = await change(ctx, 'account.plan', user, { user, plan: target }, () =>
          setAccountPlan(ctx, user, target),
        );
        print(
          { ok: true, account: accountJson(r.account), changed: r.changed },
          r.changed ? `Plan of ${user} is now ${target ?? 'none'}.\n` : 'Nothing to change.\n',
        );
      }),
    );
  account
    .command('terminate <user>')
    .description('terminate an account: its databases, site, system user and home are removed')
    .option('--json', 'print JSON')
    .action(async (user: string) =>
      withCtx(async (ctx) => {
        const r = await change(ctx, 'account.terminate', user, { user }, () => terminateAccount(ctx, user));
        print({ ok: true, user: r.user, dropped_databases: r.droppedDatabases }, `Terminated ${user}.\n`);
      }),
    );

  const db = program.command('db').description('customer databases on the MariaDB server (VANTA_MYSQL_URL)');
  const shownOnce = (r: { database: string; dbUser: string; password?: string }) => ({
    json: { database: r.database, db_user: r.dbUser, ...(r.password === undefined ? {} : { password: r.password }) },
    text: r.password === undefined ? '' : `Password (shown once): ${r.password}\n`,
  });
  db.command('create <user> <name>')
    .description(
      'create the database USER_NAME and a database user of that name; without --password-stdin a password is generated and printed once',
    )
    .option('--password-stdin', "read the database user's password from stdin")
    .option('--json', 'print JSON')
    .action(async (user: string, name: string, o: { passwordStdin?: boolean }) =>
      withCtx(async (ctx) => {
        const password = o.passwordStdin ? await readSecret(io, 'Password: ') : undefined;
        const r = await change(ctx, 'database.create', user, { user, name }, () =>
          createDatabase(ctx, { user, name, password }),
        );
        const out = shownOnce(r);
        print(out.json, `Created database ${r.database} with database user ${r.dbUser}.\n${out.text}`);
      }),
    );
  db.command('delete <user> <name>')
    .description("drop one of the account's databases and its database user")
    .option('--json', 'print JSON')
    .action(async (user: string, name: string) =>
      withCtx(async (ctx) => {
        const r = await change(ctx, 'database.delete', user, { user, name }, () => deleteDatabase(ctx, user, name));
        print({ ok: true, database: r.database }, `Deleted database ${r.database} and its database user.\n`);
      }),
    );
  db.command('password <user> <name>')
    .description("set a database user's password; without --password-stdin one is generated and printed once")
    .option('--password-stdin', 'read the password from stdin')
    .option('--json', 'print JSON')
    .action(async (user: string, name: string, o: { passwordStdin?: boolean }) =>
      withCtx(async (ctx) => {
        const given = o.passwordStdin ? await readSecret(io, 'Password: ') : undefined;
        const r = await change(ctx, 'database.password', user, { user, name }, () =>
          setDatabasePassword(ctx, user, name, given),
        );
        const out = shownOnce(r);
        print(out.json, `Changed the password of database user ${r.dbUser}.\n${out.text}`);
      }),
    );
  db.command('list <user>')
    .description("list the account's databases")
    .option('--json', 'print JSON')
    .action(async (user: string) =>
      withCtx(async (ctx) => {
        const list = await listDatabases(ctx, user);
        print(
          list.map(databaseJson),
          list.length === 0
            ? `${user} has no databases.\n`
            : table([['DATABASE', 'DB USER', 'CREATED'], ...list.map((d) => [d.name, d.dbUser, d.createdAt])]),
        );
      }),
    );

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof ConfigError) {
      io.err(`vanta: ${err.message}\n`);
      return EXIT.config;
    }
    const code = isDomainError(err) ? err.code : 'internal_error';
    const message = isDomainError(err) ? err.message : err instanceof Error ? err.message : String(err);
    if (json)
      io.out(`${JSON.stringify({ ok: false, error: code, message, ...(isDomainError(err) ? err.details : {}) })}\n`);
    io.err(`vanta: ${message} (${code})\n`);
    return EXIT_BY_CODE[code];
  }
}

function defaultIo(): CliIo {
  return {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    stdin: process.stdin,
  };
}
