import { DomainError } from '../domain/errors.js';
import type { AccountRecord } from '../store/store.js';
import { requireAccount } from './get-account.js';
import type { AppContext } from './ports.js';

/** withAccountLock runs `fn` holding the account's lock, shared by every process on the same store. */
export async function withAccountLock<T>(ctx: AppContext, user: string, fn: () => Promise<T>): Promise<T> {
  const key = `account:${user}`;
  const got = await ctx.store.locks.acquire(key, ctx.lockOwner, ctx.now().getTime(), ctx.lockTtlMs);
  if (!got) throw new DomainError('account_busy', `another operation on account ${user} is in progress`);
  try {
    return await fn();
  } finally {
    await ctx.store.locks.release(key, ctx.lockOwner);
  }
}

/**
 * withLockedAccount runs `fn` on the account's record while holding the account's lock.
 *
 * The record is read again here, under the lock, even when the caller has just read it to answer
 * `account_not_found` early: another process may have changed or removed the account between that
 * read and the taking of the lock, and only what is read while holding the lock can be acted on.
 */
export async function withLockedAccount<T>(
  ctx: AppContext,
  user: string,
  fn: (record: AccountRecord) => Promise<T>,
): Promise<T> {
  return withAccountLock(ctx, user, async () => fn(await requireAccount(ctx, user)));
}

/**
 * withSettledAccount is withLockedAccount for an account that no unfinished operation left
 * mid-way: it answers `account_busy` while the account is `provisioning` or `terminating`.
 */
export async function withSettledAccount<T>(
  ctx: AppContext,
  user: string,
  fn: (record: AccountRecord) => Promise<T>,
): Promise<T> {
  return withLockedAccount(ctx, user, async (record) => {
    if (record.status === 'provisioning' || record.status === 'terminating') {
      throw new DomainError('account_busy', `account ${record.user} is ${record.status}`);
    }
    return fn(record);
  });
}
