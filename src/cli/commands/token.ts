import type { Command } from 'commander';
import { issueToken } from '../../app/issue-token.js';
import { listTokens } from '../../app/list-tokens.js';
import { revokeToken } from '../../app/revoke-token.js';
import { SCOPES, parseScopes } from '../../domain/scopes.js';
import { parseExpiry } from '../../domain/time.js';
import { tokenStatus } from '../../domain/token-status.js';
import { tokenJson } from '../../presenters/token.js';
import { type Cli, table } from '../cli.js';

/** registerTokenCommands adds `vanta token create|list|revoke`. */
export function registerTokenCommands(program: Command, cli: Cli): void {
  const token = program.command('token').description('API tokens');
  token
    .command('create')
    .description('issue a token; it is printed once and cannot be shown again')
    .requiredOption('--name <name>', 'a unique name, e.g. the billing system')
    .requiredOption('--scopes <list>', `comma-separated, from: ${SCOPES.join(',')}`)
    .option('--expires <when>', 'a duration (30d, 12h, 2w) or an ISO-8601 time')
    .option(
      '--allow-ip <cidr>',
      'allowed source address or CIDR block (repeatable)',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--json', 'print JSON')
    .action(async (o: { name: string; scopes: string; expires?: string; allowIp: string[] }) =>
      cli.run(async (ctx) => {
        const scopes = parseScopes(o.scopes.split(','));
        const expiresAt = o.expires === undefined ? null : parseExpiry(o.expires, ctx.now());
        const params = { name: o.name, scopes, expires_at: expiresAt, allowed_cidrs: o.allowIp };
        const { token: t, secret } = await cli.change(ctx, 'token.create', o.name, params, () =>
          issueToken(ctx, { name: o.name, scopes, expiresAt, allowedCidrs: o.allowIp, createdBy: 'cli' }),
        );
        cli.print(
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
      cli.run(async (ctx) => {
        const tokens = await listTokens(ctx);
        const now = ctx.now();
        cli.print(
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
      cli.run(async (ctx) => {
        const r = await cli.change(ctx, 'token.revoke', nameOrId, { token: nameOrId }, () =>
          revokeToken(ctx, nameOrId),
        );
        cli.print(
          { ok: true, token: tokenJson(r.token), changed: r.changed },
          r.changed ? `Revoked token "${r.token.name}".\n` : `Token "${r.token.name}" was already revoked.\n`,
        );
      }),
    );
}
