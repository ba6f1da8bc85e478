import { userInfo } from 'node:os';
import { type AuditContext, audited } from '../app/audit.js';
import type { AppContext } from '../app/ports.js';
import { createLogger, createRuntime } from '../compose.js';
import { loadConfig } from '../config.js';
import type { Command } from 'commander';
import { DomainError } from '../domain/errors.js';
import { checkWellFormed } from '../domain/text.js';
import type { Actor } from '../domain/types.js';
import type { CliIo } from './io.js';

/** Cli is what every command shares: where it reads and writes, the use cases' context, and how it answers. */
export interface Cli {
  readonly io: CliIo;
  /** json is true when the running command was given `--json`. */
  json: boolean;
  /** exitCode is the status the process ends with when the command itself does not fail. */
  exitCode: number;
  /** run gives `fn` a context over the configured store and host, and closes it afterwards. */
  run(fn: (ctx: AppContext) => Promise<void>): Promise<void>;
  /** change runs a use case as the `cli` actor and writes its audit entry whatever the outcome. */
  change<T>(
    ctx: AppContext,
    action: string,
    target: string | null,
    params: Record<string, unknown>,
    fn: () => Promise<T>,
  ): Promise<T>;
  /** print writes `value` as one line of JSON with `--json`, otherwise `text`. */
  print(value: unknown, text: string): void;
}

/** cliActor is the audit actor of a CLI change: `cli`, with the operating-system user who ran it. */
export function cliActor(): Actor {
  let osUser: string | null = null;
  try {
    osUser = userInfo().username;
  } catch {
    osUser = null;
  }
  return { type: 'cli', id: osUser, name: 'cli' };
}

/** createCli builds the shared `cli` object for one run of `vanta`. */
export function createCli(io: CliIo): Cli {
  const cli: Cli = {
    io,
    json: false,
    exitCode: 0,
    async run(fn) {
      const rt = await createRuntime(loadConfig(), {
        logger: createLogger(process.env.VANTA_LOG_LEVEL || 'warn', 2),
        tokenFlushMs: 0,
      });
      try {
        await fn(rt.ctx);
      } finally {
        await rt.close();
      }
    },
    change(ctx, action, target, params, fn) {
      const audit: AuditContext = { actor: cliActor(), action, target, params };
      return audited(ctx, audit, fn);
    },
    print(value, text) {
      io.out(cli.json ? `${JSON.stringify(value)}\n` : text);
    },
  };
  return cli;
}

/** table renders rows as aligned columns, the first row being the header. */
export function table(rows: readonly (readonly string[])[]): string {
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

/** wholeNumber is a commander option parser for a whole number, refused as `invalid_parameter` naming `name`. */
export function wholeNumber(name: string) {
  return (value: string): number => {
    if (!/^\d{1,12}$/.test(value))
      throw new DomainError('invalid_parameter', `${name} must be a whole number`, { param: name });
    return Number(value);
  };
}

/**
 * checkArguments refuses an argument or option value that is not valid Unicode text (a lone
 * surrogate) as `invalid_parameter`, before the command runs: such text would be stored as
 * something other than what was given.
 */
export function checkArguments(command: Command): void {
  command.args.forEach((value, i) => {
    checkWellFormed(value, command.registeredArguments[i]?.name() ?? 'argument');
  });
  for (const [name, value] of Object.entries(command.opts())) {
    for (const item of Array.isArray(value) ? value : [value])
      if (typeof item === 'string') checkWellFormed(item, name);
  }
}
