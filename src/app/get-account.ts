import { DomainError } from '../domain/errors.js';
import type { Account } from '../domain/types.js';
import { validateUser } from '../domain/validation.js';
import type { AccountRecord } from '../store/store.js';
import type { AppContext } from './ports.js';

/** getAccount returns one account by user name. */
export async function getAccount(ctx: AppContext, user: string): Promise<Account> {
  return publicAccount(await requireAccount(ctx, user));
}

/** requireAccount loads an account record or fails with `account_not_found`. */
export async function requireAccount(ctx: AppContext, user: string): Promise<AccountRecord> {
  validateUser(user);
  const record = await ctx.store.accounts.get(user);
  if (!record) throw new DomainError('account_not_found', `no account named ${user}`);
  return record;
}

/** publicAccount drops the password hash from a stored record. */
export function publicAccount(record: AccountRecord): Account {
  const { passwordHash: _hidden, ...account } = record;
  return account;
}
