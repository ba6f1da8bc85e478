import { generatePassword } from '../domain/secrets.js';
import { checkPassword } from '../domain/validation.js';
import { withSettledAccount } from './account-lock.js';
import { requireAccount } from './get-account.js';
import type { AppContext } from './ports.js';
import { runSteps } from './steps.js';

/** setAccountPassword sets the system and user-panel password; it returns the password only when it generated it. */
export async function setAccountPassword(
  ctx: AppContext,
  user: string,
  given?: string,
): Promise<{ user: string; password?: string }> {
  await requireAccount(ctx, user);
  const password = given === undefined ? generatePassword() : checkPassword(given, user);
  const passwordHash = await ctx.hasher.hash(password);
  return withSettledAccount(ctx, user, async () => {
    await runSteps(
      [
        { name: 'system_user', run: () => ctx.host.systemUsers.setPassword(user, password) },
        { name: 'store', run: () => ctx.store.accounts.update(user, { passwordHash }) },
      ],
      ctx.logger,
      { op: 'account.password', user },
    );
    return given === undefined ? { user, password } : { user };
  });
}
