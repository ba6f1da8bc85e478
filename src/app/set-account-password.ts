import { generatePassword } from '../domain/secrets.js';
import { checkPassword } from '../domain/validation.js';
import { withSettledAccount } from './account-lock.js';
import { requireAccount } from './get-account.js';
import type { AppContext } from './ports.js';
import { runSteps } from './steps.js';

/** PasswordOptions say which user-panel session outlives the change: the owner's own, when the owner changes it. */
export interface PasswordOptions {
  /** keepSession is the id hash of the session that made the change; every other session of the owner ends. */
  keepSession?: string;
}

/**
 * setAccountPassword sets the system and user-panel password and ends the owner's user-panel
 * sessions (all of them, or all but `keepSession`); it returns the password only when it generated it.
 */
export async function setAccountPassword(
  ctx: AppContext,
  user: string,
  given?: string,
  options: PasswordOptions = {},
): Promise<{ user: string; password?: string }> {
  await requireAccount(ctx, user);
  const password = given === undefined ? generatePassword() : checkPassword(given, user);
  const passwordHash = await ctx.hasher.hash(password);
  return withSettledAccount(ctx, user, async () => {
    await runSteps(
      [
        { name: 'system_user', run: () => ctx.host.systemUsers.setPassword(user, password) },
        { name: 'store', run: () => ctx.store.accounts.update(user, { passwordHash }) },
        {
          name: 'sessions',
          run: async () => {
            await ctx.store.ownerSessions.deleteByAccount(user, options.keepSession);
          },
        },
      ],
      ctx.logger,
      { op: 'account.password', user },
    );
    return given === undefined ? { user, password } : { user };
  });
}
