import type { Command } from 'commander';
import { createDatabase } from '../../app/create-database.js';
import { deleteDatabase } from '../../app/delete-database.js';
import { listDatabases } from '../../app/list-databases.js';
import { requireDatabaseServer } from '../../app/account-database.js';
import { repairDatabaseUsers } from '../../app/repair-database-users.js';
import { setDatabasePassword } from '../../app/set-database-password.js';
import { databaseJson } from '../../presenters/database.js';
import { type Cli, table } from '../cli.js';
import { readSecret } from '../io.js';

/** shownOnce prints a database and its user, with the password only when the panel generated it. */
function shownOnce(r: { database: string; dbUser: string; password?: string }) {
  return {
    json: { database: r.database, db_user: r.dbUser, ...(r.password === undefined ? {} : { password: r.password }) },
    text: r.password === undefined ? '' : `Password (shown once): ${r.password}\n`,
  };
}

/** registerDbCommands adds `vanta db create|delete|password|list|repair`. */
export function registerDbCommands(program: Command, cli: Cli): void {
  const db = program.command('db').description('customer databases on the MariaDB server (VANTA_MYSQL_URL)');
  db.command('create <user> <name>')
    .description(
      'create the database USER_NAME and a database user of that name; without --password-stdin a password is generated and printed once',
    )
    .option('--password-stdin', "read the database user's password from stdin (its first line)")
    .option('--json', 'print JSON')
    .action(async (user: string, name: string, o: { passwordStdin?: boolean }) =>
      cli.run(async (ctx) => {
        const password = o.passwordStdin ? await readSecret(cli.io, 'Password: ') : undefined;
        const r = await cli.change(ctx, 'database.create', user, { user, name }, () =>
          createDatabase(ctx, { user, name, password }),
        );
        const out = shownOnce(r);
        cli.print(out.json, `Created database ${r.database} with database user ${r.dbUser}.\n${out.text}`);
      }),
    );
  db.command('delete <user> <name>')
    .description("drop one of the account's databases and its database user")
    .option('--json', 'print JSON')
    .action(async (user: string, name: string) =>
      cli.run(async (ctx) => {
        const r = await cli.change(ctx, 'database.delete', user, { user, name }, () => deleteDatabase(ctx, user, name));
        cli.print({ ok: true, database: r.database }, `Deleted database ${r.database} and its database user.\n`);
      }),
    );
  db.command('password <user> <name>')
    .description("set a database user's password; without --password-stdin one is generated and printed once")
    .option('--password-stdin', 'read the password from stdin (its first line)')
    .option('--json', 'print JSON')
    .action(async (user: string, name: string, o: { passwordStdin?: boolean }) =>
      cli.run(async (ctx) => {
        const given = o.passwordStdin ? await readSecret(cli.io, 'Password: ') : undefined;
        const r = await cli.change(ctx, 'database.password', user, { user, name }, () =>
          setDatabasePassword(ctx, user, name, given),
        );
        const out = shownOnce(r);
        cli.print(out.json, `Changed the password of database user ${r.dbUser}.\n${out.text}`);
      }),
    );
  db.command('list <user>')
    .description("list the account's databases")
    .option('--json', 'print JSON')
    .action(async (user: string) =>
      cli.run(async (ctx) => {
        const list = await listDatabases(ctx, user);
        cli.print(
          list.map(databaseJson),
          list.length === 0
            ? `${user} has no databases.\n`
            : table([['DATABASE', 'DB USER', 'CREATED'], ...list.map((d) => [d.name, d.dbUser, d.createdAt])]),
        );
      }),
    );
  db.command('repair')
    .description(
      'give every database user the host forms it lacks (localhost, 127.0.0.1, ::1), as users made by older versions need',
    )
    .option('--json', 'print JSON')
    .action(async () =>
      cli.run(async (ctx) => {
        requireDatabaseServer(ctx);
        const r = await cli.change(ctx, 'database.repair', null, {}, () => repairDatabaseUsers(ctx));
        const skipped =
          r.skipped.length === 0
            ? ''
            : `Not completed (no stored password to copy; set a new one with vanta db password): ${r.skipped.join(', ')}\n`;
        cli.print(
          { ok: true, added: r.added, skipped: r.skipped },
          `${r.added.length === 0 ? 'Every database user has all its host forms.' : `Added ${r.added.join(', ')}.`}\n${skipped}`,
        );
      }),
    );
}
