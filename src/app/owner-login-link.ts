import { DomainError } from '../domain/errors.js';
import { loginLinkExpiresAt, loginLinkHash, loginLinkStatus, newLoginLinkSecret } from '../domain/session.js';
import { requireAccount } from './get-account.js';
import { type ClientInfo, type OpenedSession, openOwnerSession } from './owner-sessions.js';
import type { AppContext } from './ports.js';

/** LOGIN_LINK_PATH is the user-panel path a sign-on link opens; the secret goes in its `token` parameter. */
export const LOGIN_LINK_PATH = '/sign-on';

/** LoginLink is a new single sign-on link: its secret (shown once, in the URL) and when it stops working. */
export interface LoginLink {
  secret: string;
  expiresAt: string;
}

/** loginLinkUrl is the address of a link under the user panel's base URL (`https://panel.example:2083`). */
export function loginLinkUrl(base: string, secret: string): string {
  const url = new URL(LOGIN_LINK_PATH, base);
  url.searchParams.set('token', secret);
  return url.toString();
}

function accountRefused(status: string, user: string): DomainError | null {
  if (status === 'suspended') return new DomainError('account_suspended', `account ${user} is suspended`);
  if (status !== 'active') return new DomainError('account_busy', `account ${user} is ${status}`);
  return null;
}

/**
 * createLoginLink makes a one-time link that opens a user-panel session for the owner within 60
 * seconds, without the password or second factor: what a billing system or an admin hands the
 * owner. `createdBy` names the maker as the audit log shows actors. Only the link's hash is kept.
 */
export async function createLoginLink(ctx: AppContext, user: string, createdBy: string): Promise<LoginLink> {
  const record = await requireAccount(ctx, user);
  const refused = accountRefused(record.status, user);
  if (refused) throw refused;
  const now = ctx.now();
  const { secret, hash } = newLoginLinkSecret();
  const expiresAt = loginLinkExpiresAt(now).toISOString();
  await ctx.store.loginLinks.insert({
    hash,
    account: user,
    createdAt: now.toISOString(),
    expiresAt,
    usedAt: null,
    createdBy,
  });
  return { secret, expiresAt };
}

function invalidLink(reason: 'unknown' | 'used' | 'expired'): DomainError {
  const why = {
    unknown: 'this sign-in link is not valid',
    used: 'this sign-in link has already been used',
    expired: 'this sign-in link has expired',
  }[reason];
  return new DomainError('invalid_login_link', `${why}: ask for a new one, or sign in with your password`, { reason });
}

/**
 * redeemLoginLink opens a session with a link: once, within its 60 seconds, for an account that
 * is still active. Two requests racing with one link cannot both sign in: the link is marked used
 * with a compare-and-set before the session opens.
 */
export async function redeemLoginLink(
  ctx: AppContext,
  presented: string,
  client: ClientInfo,
): Promise<{ user: string; createdBy: string; session: OpenedSession }> {
  const hash = loginLinkHash(presented);
  const link = hash === null ? undefined : await ctx.store.loginLinks.get(hash);
  if (hash === null || !link) throw invalidLink('unknown');
  const now = ctx.now();
  const status = loginLinkStatus(
    { expiresAt: new Date(link.expiresAt), usedAt: link.usedAt === null ? null : new Date(link.usedAt) },
    now,
  );
  if (status !== 'valid') throw invalidLink(status);
  if (!(await ctx.store.loginLinks.markUsed(hash, now.toISOString()))) throw invalidLink('used');
  const account = await ctx.store.accounts.get(link.account);
  if (!account) throw invalidLink('unknown');
  const refused = accountRefused(account.status, account.user);
  if (refused) throw refused;
  const session = await openOwnerSession(ctx, account.user, 'link', client);
  return { user: account.user, createdBy: link.createdBy, session };
}
