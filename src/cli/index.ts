import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.js';
import { isDomainError } from '../domain/errors.js';
import { checkArguments, createCli } from './cli.js';
import { registerAccountCommands } from './commands/account.js';
import { registerAdminCommands } from './commands/admin.js';
import { registerAuditCommands } from './commands/audit.js';
import { registerCertCommands } from './commands/cert.js';
import { registerDbCommands } from './commands/db.js';
import { registerPlanCommands } from './commands/plan.js';
import { registerRecoverCommands } from './commands/recover.js';
import { registerServeCommands } from './commands/serve.js';
import { registerTokenCommands } from './commands/token.js';
import { EXIT, EXIT_BY_CODE } from './exit-codes.js';
import type { CliIo } from './io.js';

/** main runs the `vanta` command line and resolves to the process exit code. */
export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  const cli = createCli(io);
  const program = new Command('vanta')
    .description('Vanta Panel: web-hosting control panel')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError();
  program.hook('preAction', (_cmd, action) => {
    cli.json = action.opts().json === true;
    checkArguments(action);
  });
  for (const register of [
    registerServeCommands,
    registerRecoverCommands,
    registerTokenCommands,
    registerAdminCommands,
    registerPlanCommands,
    registerAuditCommands,
    registerAccountCommands,
    registerDbCommands,
    registerCertCommands,
  ]) {
    register(program, cli);
  }

  try {
    await program.parseAsync(argv);
    return cli.exitCode;
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
    if (cli.json)
      io.out(`${JSON.stringify({ ok: false, error: code, message, ...(isDomainError(err) ? err.details : {}) })}\n`);
    io.err(`vanta: ${message} (${code})\n`);
    return EXIT_BY_CODE[code];
  }
}

function defaultIo(): CliIo {
  return { out: quietWriter(process.stdout), err: quietWriter(process.stderr), stdin: process.stdin };
}

/**
 * quietWriter writes to a stream until its reader goes away (EPIPE, as in `vanta audit list |
 * head -1`), then drops the rest: the command ends as it would have, with no stack trace.
 */
function quietWriter(stream: NodeJS.WriteStream): (text: string) => void {
  let gone = false;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    gone = true;
  });
  return (text) => {
    if (!gone) stream.write(text);
  };
}
