import type { Command } from 'commander';
import { listAudit, verifyAudit } from '../../app/audit.js';
import type { ChainCheck } from '../../domain/audit-chain.js';
import { DomainError } from '../../domain/errors.js';
import { auditEntryJson } from '../../presenters/audit-entry.js';
import { type Cli, table, wholeNumber } from '../cli.js';
import { EXIT } from '../exit-codes.js';

/** registerAuditCommands adds `vanta audit list|verify`. */
export function registerAuditCommands(program: Command, cli: Cli): void {
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
        cli.run(async (ctx) => {
          const since = o.since === undefined ? undefined : new Date(o.since);
          if (since !== undefined && Number.isNaN(since.getTime())) {
            throw new DomainError('invalid_parameter', 'since must be an ISO-8601 time', { param: 'since' });
          }
          const entries = await listAudit(ctx, {
            ...o,
            limit: Math.min(Math.max(o.limit, 1), 100_000),
            since: since?.toISOString(),
          });
          if (cli.json) {
            for (const e of entries) cli.io.out(`${JSON.stringify(auditEntryJson(e))}\n`);
            return;
          }
          cli.io.out(
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
      cli.run(async (ctx) => {
        const check = await verifyAudit(ctx);
        cli.print(check, chainText(check));
        if (!check.ok) cli.exitCode = EXIT.auditBroken;
      }),
    );
}

/** chainText says in words what `audit verify` found: intact, or each break. */
export function chainText(check: ChainCheck): string {
  if (check.ok) return `Audit log intact: ${check.entries} entries.\n`;
  if (check.breakCount === 1) return `Audit log BROKEN at entry ${check.brokenAt}: ${check.reason}\n`;
  const more = check.breakCount - check.breaks.length;
  return [
    `Audit log BROKEN at ${check.breakCount} places (${check.entries} entries checked):`,
    ...check.breaks.map((b) => `  ${b.reason}`),
    ...(more > 0 ? [`  and ${more} more`] : []),
    '',
  ].join('\n');
}
