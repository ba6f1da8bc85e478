import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { serveUntilStopped } from '../../main.js';
import type { Cli } from '../cli.js';

/** registerServeCommands adds `vanta serve`. */
export function registerServeCommands(program: Command, cli: Cli): void {
  program
    .command('serve')
    .description('start the user-panel listener (API) and the vWHM listener')
    .action(() => serveUntilStopped(loadConfig(), (line) => cli.io.out(`${line}\n`)));
}
