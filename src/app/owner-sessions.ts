import {
  SECOND_FACTOR_MS,
  SESSION_ABSOLUTE_MS,
  SESSION_IDLE_MS,
  type SessionVia,
  newSessionId,
  sessionIdHash,
  sessionStatus,
  shouldTouchSession,
} from '../domain/session.js';
import type { AccountRecord, OwnerSessionRecord } from '../store/store.js';
import type { AppContext } from './ports.js';

/** ClientInfo is what a door knows of the browser that signs in: its address and user agent. */
export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

/** OpenedSession is a new session: its id, for the cookie and never stored, and its record. */
export interface OpenedSession {
  id: string;
  record: OwnerSessionRecord;
}

/** LiveSession is a signed-in owner's session with the account as it is now. */
export interface LiveSession {
  record: OwnerSessionRecord;
  account: AccountRecord;
}

/**
 * SessionLookup is what a cookie opens: a signed-in owner, a password sign-in waiting for its
 * second factor, a session that has ended (expired, signed out, ended by a suspension or a new
 * password, or its account no longer signs in), or nothing (no cookie, or none of a session id's shape).
 */
export type SessionLookup =
  | { state: 'live'; session: LiveSession }
  | { state: 'pending'; session: LiveSession }
  | { state: 'ended' }
  | { state: 'none' };

const USER_AGENT_MAX = 256;

/**
 * openOwnerSession opens a session for an owner. A full sign-in (not a password still waiting for
 * its second factor) becomes the account's latest sign-in, the dashboard's "last sign-in".
 */
export async function openOwnerSession(
  ctx: AppContext,
  user: string,
  via: SessionVia,
  client: ClientInfo,
): Promise<OpenedSession> {
  const at = ctx.now().toISOString();
  const { secret, hash } = newSessionId();
  const record: OwnerSessionRecord = {
    idHash: hash,
    account: user,
    createdAt: at,
    lastSeenAt: at,
    ip: client.ip,
    userAgent: client.userAgent === null ? null : client.userAgent.slice(0, USER_AGENT_MAX),
    via,
  };
  await ctx.store.ownerSessions.insert(record);
  if (via !== 'pending_second_factor') await ctx.store.accounts.recordSignIn(user, { at, ip: client.ip });
  return { id: secret, record };
}

function expired(ctx: AppContext, record: OwnerSessionRecord): boolean {
  const now = ctx.now();
  if (record.via === 'pending_second_factor') {
    return now.getTime() >= Date.parse(record.createdAt) + SECOND_FACTOR_MS;
  }
  return !sessionStatus(new Date(record.createdAt), new Date(record.lastSeenAt), now).live;
}

/**
 * findOwnerSession looks up the session a cookie presents. A session past its idle or absolute
 * limit, or whose account is no longer active (suspended, being terminated, gone), is ended here;
 * a live one has its last use written at most once a minute.
 */
export async function findOwnerSession(ctx: AppContext, cookie: string | undefined): Promise<SessionLookup> {
  const hash = cookie === undefined ? null : sessionIdHash(cookie);
  if (hash === null) return { state: 'none' };
  const record = await ctx.store.ownerSessions.get(hash);
  if (!record) return { state: 'ended' };
  const account = await ctx.store.accounts.get(record.account);
  if (expired(ctx, record) || account?.status !== 'active') {
    await ctx.store.ownerSessions.delete(hash);
    return { state: 'ended' };
  }
  if (record.via === 'pending_second_factor') return { state: 'pending', session: { record, account } };
  const now = ctx.now();
  if (shouldTouchSession(new Date(record.lastSeenAt), now)) {
    const at = now.toISOString();
    await ctx.store.ownerSessions.touch(hash, at);
    record.lastSeenAt = at;
  }
  return { state: 'live', session: { record, account } };
}

/** endOwnerSession ends one session (signing out); true when it was still open. */
export function endOwnerSession(ctx: AppContext, idHash: string): Promise<boolean> {
  return ctx.store.ownerSessions.delete(idHash);
}

/** endOwnerSessions ends every session of the account but `keep` (an id hash) and returns how many it ended. */
export function endOwnerSessions(ctx: AppContext, user: string, keep?: string): Promise<number> {
  return ctx.store.ownerSessions.deleteByAccount(user, keep);
}

/**
 * sweepOwnerSessions forgets sessions past their limits and sign-on links past their expiry; a
 * lookup ends such a session anyway, this only keeps the tables small.
 */
export async function sweepOwnerSessions(ctx: AppContext): Promise<{ sessions: number; links: number }> {
  const now = ctx.now().getTime();
  // A pending sign-in's limit is shorter than the idle limit, so the idle cut covers it too.
  const sessions = await ctx.store.ownerSessions.deleteStale(
    new Date(now - SESSION_IDLE_MS).toISOString(),
    new Date(now - SESSION_ABSOLUTE_MS).toISOString(),
  );
  const links = await ctx.store.loginLinks.deleteExpired(new Date(now).toISOString());
  return { sessions, links };
}
