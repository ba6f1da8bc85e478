import { DomainError } from '../domain/errors.js';
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
