import type { Command } from 'commander';
import { recoverOperations } from '../../app/recover-operations.js';
import { ownerAlive } from '../../host/process-owner.js';
import type { Cli } from '../cli.js';
import { EXIT } from '../exit-codes.js';

/** registerRecoverCommands adds `vanta recover`. */
export function registerRecoverCommands(program: Command, cli: Cli): void {
  program
    .command('recover')
    .description('finish or undo operations that a killed panel process left unfinished (serve does this at start)')
    .option('--json', 'print JSON')
    .action(async () =>
      cli.run(async (ctx) => {
        const done = await recoverOperations(ctx, ownerAlive);
        cli.print(
          { recovered: done },
          done.length === 0 ? 'Nothing to recover.\n' : done.map((r) => `${r.user}: ${r.op} ${r.outcome}\n`).join(''),
        );
        if (done.some((r) => r.outcome === 'failed')) cli.exitCode = EXIT.provisioningFailed;
      }),
    );
}
