import { generatePassword } from '../domain/secrets.js';
import { checkPassword } from '../domain/validation.js';
import { withAccountDatabase } from './account-database.js';
import type { AppContext } from './ports.js';
import { runSteps } from './steps.js';

/** setDatabasePassword sets the password of a database's user; without one it generates and returns it. */
export async function setDatabasePassword(
  ctx: AppContext,
  user: string,
  name: string,
  given?: string,
): Promise<{ database: string; dbUser: string; password?: string }> {
  const password = given === undefined ? generatePassword() : checkPassword(given, user);
  return withAccountDatabase(ctx, user, name, async (database) => {
    await runSteps(
      [{ name: 'database_user', run: () => ctx.host.databases.setPassword(database.dbUser, password) }],
      ctx.logger,
      { op: 'database.password', user, database: database.name },
    );
    const out = { database: database.name, dbUser: database.dbUser };
    return given === undefined ? { ...out, password } : out;
  });
}
