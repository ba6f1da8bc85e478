import type { Account } from '../domain/types.js';
import type { AccountFilter } from '../store/store.js';
import type { AppContext } from './ports.js';

/** listAccounts returns one page of accounts, ordered by user name, and the total matching count. */
export async function listAccounts(
  ctx: AppContext,
  query: AccountFilter,
): Promise<{ accounts: Account[]; total: number; next: string | null }> {
  const { accounts, total, more } = await ctx.store.accounts.list(query);
  const last = accounts[accounts.length - 1];
  return { accounts, total, next: more && last ? encodeCursor(last.user) : null };
}

const ALL_PAGE = 500;

/** listAllAccounts returns every account, whatever its status, by user name, read a page at a time. */
export async function listAllAccounts(ctx: AppContext): Promise<Account[]> {
  const out: Account[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await ctx.store.accounts.list({ after, limit: ALL_PAGE });
    out.push(...page.accounts);
    const last = page.accounts.at(-1);
    if (!page.more || last === undefined) return out;
    after = last.user;
  }
}

/** encodeCursor makes the opaque `next` value from the last user name of a page. */
export function encodeCursor(user: string): string {
  return Buffer.from(JSON.stringify({ u: user }), 'utf8').toString('base64url');
}

/** decodeCursor reads a cursor back; it returns null when the value is not one of ours. */
export function decodeCursor(cursor: string): string | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (parsed && typeof parsed === 'object' && 'u' in parsed && typeof parsed.u === 'string') return parsed.u;
  } catch {
    // falls through to null
  }
  return null;
}
