import { type Command, Option } from 'commander';
import { parseAccountQuery } from '../../app/account-query.js';
import { changeAccountDomain } from '../../app/change-account-domain.js';
import { createAccount } from '../../app/create-account.js';
import { getAccount } from '../../app/get-account.js';
import { listAccounts } from '../../app/list-accounts.js';
import { setAccountPassword } from '../../app/set-account-password.js';
import { setAccountPlan } from '../../app/set-account-plan.js';
import { suspendAccount } from '../../app/suspend-account.js';
import { terminateAccount } from '../../app/terminate-account.js';
import { unsuspendAccount } from '../../app/unsuspend-account.js';
import { DomainError } from '../../domain/errors.js';
import { ACCOUNT_STATUSES, type Account } from '../../domain/types.js';
import { accountJson } from '../../presenters/account.js';
import { type Cli, table } from '../cli.js';
import { readSecret } from '../io.js';

function accountText(a: Account, ip: string | null): string {
  return table([
    ['user', a.user],
    ['domain', a.domain],
    ['email', a.email ?? '-'],
    ['plan', a.plan ?? '-'],
    ['status', a.status],
    ['suspend reason', a.suspendReason ?? '-'],
    ['created', a.createdAt],
    ['suspended', a.suspendedAt ?? '-'],
    ['databases', a.databases.join(', ') || '-'],
    ['ip', ip ?? '-'],
  ]);
}

/** registerAccountCommands adds `vanta account list|show|create|suspend|unsuspend|password|plan|domain|terminate`. */
export function registerAccountCommands(program: Command, cli: Cli): void {
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
      cli.run(async (ctx) => {
        const page = await listAccounts(ctx, parseAccountQuery(o));
        cli.print(
          { accounts: page.accounts.map((a) => accountJson(a, ctx.publicIp)), total: page.total, next: page.next },
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
      cli.run(async (ctx) => {
        const a = await getAccount(ctx, user);
        cli.print({ account: accountJson(a, ctx.publicIp) }, accountText(a, ctx.publicIp));
      }),
    );
  account
    .command('create <user> <domain>')
    .description('create an account; without --password-stdin a password is generated and printed once')
    .option('--email <email>', 'contact address')
    .option('--plan <plan>', 'plan name')
    .option('--password-stdin', 'read the password from stdin (its first line)')
    .option('--json', 'print JSON')
    .action(async (user: string, domain: string, o: { email?: string; plan?: string; passwordStdin?: boolean }) =>
      cli.run(async (ctx) => {
        const password = o.passwordStdin ? await readSecret(cli.io, 'Password: ') : undefined;
        const params = { user, domain, email: o.email ?? null, plan: o.plan ?? null };
        const r = await cli.change(ctx, 'account.create', user, params, () =>
          createAccount(ctx, { user, domain, email: o.email, plan: o.plan, password }),
        );
        const extra = r.password === undefined ? {} : { password: r.password };
        cli.print(
          { ok: true, account: accountJson(r.account, ctx.publicIp), ...extra },
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
      cli.run(async (ctx) => {
        const r = await cli.change(ctx, 'account.suspend', user, { user, reason: o.reason ?? null }, () =>
          suspendAccount(ctx, user, o.reason ?? null),
        );
        cli.print(
          { ok: true, account: accountJson(r.account, ctx.publicIp), changed: r.changed },
          r.changed ? `Suspended ${user}.\n` : `${user} was already suspended.\n`,
        );
      }),
    );
  account
    .command('unsuspend <user>')
    .description('unsuspend an account')
    .option('--json', 'print JSON')
    .action(async (user: string) =>
      cli.run(async (ctx) => {
        const r = await cli.change(ctx, 'account.unsuspend', user, { user }, () => unsuspendAccount(ctx, user));
        cli.print(
          { ok: true, account: accountJson(r.account, ctx.publicIp), changed: r.changed },
          r.changed ? `Unsuspended ${user}.\n` : `${user} was not suspended.\n`,
        );
      }),
    );
  account
    .command('password <user>')
    .description("set an account's password; without --password-stdin one is generated and printed once")
    .option('--password-stdin', 'read the password from stdin (its first line)')
    .option('--json', 'print JSON')
    .action(async (user: string, o: { passwordStdin?: boolean }) =>
      cli.run(async (ctx) => {
        const given = o.passwordStdin ? await readSecret(cli.io, 'Password: ') : undefined;
        const r = await cli.change(ctx, 'account.password', user, { user }, () => setAccountPassword(ctx, user, given));
        cli.print(
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
      cli.run(async (ctx) => {
        if ((planName === undefined) === (o.none !== true)) {
          throw new DomainError('missing_parameter', 'give a plan name or --none', { param: 'plan' });
        }
        const target = planName ?? null;
        const r = await cli.change(ctx, 'account.plan', user, { user, plan: target }, () =>
          setAccountPlan(ctx, user, target),
        );
        cli.print(
          { ok: true, account: accountJson(r.account, ctx.publicIp), changed: r.changed },
          r.changed ? `Plan of ${user} is now ${target ?? 'none'}.\n` : 'Nothing to change.\n',
        );
      }),
    );
  account
    .command('domain <user> <domain>')
    .description("change an account's primary domain: its site answers for the new name, no longer for the old")
    .option('--json', 'print JSON')
    .action(async (user: string, domain: string) =>
      cli.run(async (ctx) => {
        const r = await cli.change(ctx, 'account.domain', user, { user, domain }, () =>
          changeAccountDomain(ctx, user, domain),
        );
        cli.print(
          { ok: true, account: accountJson(r.account, ctx.publicIp), changed: r.changed },
          r.changed ? `Domain of ${user} is now ${r.account.domain}.\n` : 'Nothing to change.\n',
        );
      }),
    );
  account
    .command('terminate <user>')
    .description('terminate an account: its databases, site, system user and home are removed')
    .option('--json', 'print JSON')
    .action(async (user: string) =>
      cli.run(async (ctx) => {
        const r = await cli.change(ctx, 'account.terminate', user, { user }, () => terminateAccount(ctx, user));
        cli.print({ ok: true, user: r.user, dropped_databases: r.droppedDatabases }, `Terminated ${user}.\n`);
      }),
    );
}
