import { DomainError } from '../domain/errors.js';
import { requireAccount } from './get-account.js';
import type { AppContext } from './ports.js';
import { setAccountPassword } from './set-account-password.js';

/**
 * changeOwnerPassword lets a signed-in owner replace the account password (the user panel's and,
 * in host mode, the system user's) after proving the current one; every other session of the
 * owner ends, the one that made the change stays.
 */
export async function changeOwnerPassword(
  ctx: AppContext,
  user: string,
  current: string,
  next: string,
  sessionIdHash: string,
): Promise<void> {
  const record = await requireAccount(ctx, user);
  if (!(await ctx.hasher.verify(record.passwordHash, current))) {
    throw new DomainError('invalid_parameter', 'the current password is not correct', { param: 'current' });
  }
  if (next === current) {
    throw new DomainError('invalid_parameter', 'the new password must differ from the current one', {
      param: 'password',
    });
  }
  await setAccountPassword(ctx, user, next, { keepSession: sessionIdHash });
}
