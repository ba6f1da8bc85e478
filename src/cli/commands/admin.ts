import type { Command } from 'commander';
import { addAdmin, setAdminPassword } from '../../app/admins.js';
import type { Cli } from '../cli.js';
import { readSecret } from '../io.js';

/** registerAdminCommands adds `vanta admin add|passwd`. */
export function registerAdminCommands(program: Command, cli: Cli): void {
  const admin = program.command('admin').description('vWHM admins');
  admin
    .command('add <name>')
    .description('add an admin; the password is read from stdin (its first line), or asked for on a terminal')
    .option('--json', 'print JSON')
    .action(async (name: string) =>
      cli.run(async (ctx) => {
        const password = await readSecret(cli.io, `Password for ${name}: `);
        await cli.change(ctx, 'admin.add', name, { name }, () => addAdmin(ctx, name, password));
        cli.print({ ok: true, admin: name }, `Added admin ${name}.\n`);
      }),
    );
  admin
    .command('passwd <name>')
    .description("change an admin's password (read from stdin, its first line, or asked for on a terminal)")
    .option('--json', 'print JSON')
    .action(async (name: string) =>
      cli.run(async (ctx) => {
        const password = await readSecret(cli.io, `New password for ${name}: `);
        await cli.change(ctx, 'admin.passwd', name, { name }, () => setAdminPassword(ctx, name, password));
        cli.print({ ok: true, admin: name }, `Changed the password of admin ${name}.\n`);
      }),
    );
}
