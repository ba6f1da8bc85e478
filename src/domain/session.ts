import { randomBytes } from 'node:crypto';
import { sha256Hex } from './secrets.js';

/** SESSION_IDLE_MS is how long a user-panel session lives without a request: 30 minutes. */
export const SESSION_IDLE_MS = 30 * 60 * 1000;

/** SESSION_ABSOLUTE_MS is how long a session lives at most from sign-in, however busy: 12 hours. */
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000;

/**
 * SESSION_TOUCH_MS is how stale `last_seen_at` may get before a request writes it again: a
 * minute, so that a page with many requests costs one write, and the idle timeout is kept to the minute.
 */
export const SESSION_TOUCH_MS = 60 * 1000;

/** LOGIN_LINK_TTL_MS is how long a single sign-on link opens a session after it was made: 60 seconds. */
export const LOGIN_LINK_TTL_MS = 60 * 1000;

/** SECRET_BYTES is the randomness of a session id and of a sign-on link's secret: 256 bits. */
const SECRET_BYTES = 32;
const SECRET_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** NewSecret is a secret to hand out once (in a cookie or a link) and the hash the store keeps instead. */
export interface NewSecret {
  secret: string;
  hash: string;
}

function newSecret(): NewSecret {
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  return { secret, hash: sha256Hex(secret) };
}

/** hashOfPresented is the store key of a presented secret, or null when it cannot be one (the store is not asked). */
function hashOfPresented(presented: string): string | null {
  return SECRET_SHAPE.test(presented) ? sha256Hex(presented) : null;
}

/** newSessionId makes a session id (256 random bits, base64url) for the cookie and its SHA-256 for the store. */
export function newSessionId(): NewSecret {
  return newSecret();
}

/** sessionIdHash is the store key of the session id a cookie presents, or null when the cookie cannot hold one. */
export function sessionIdHash(cookie: string): string | null {
  return hashOfPresented(cookie);
}

/** SessionStatus is whether a session still lets its owner in, and until when, or why not. */
export type SessionStatus = { live: true; expiresAt: Date } | { live: false; reason: 'idle' | 'absolute' };

/**
 * sessionStatus tells whether a session signed in at `createdAt` and last used at `lastSeenAt` is
 * live at `now`: it ends 30 minutes after its last use or 12 hours after sign-in, whichever is first.
 * A `lastSeenAt` before `createdAt` counts as `createdAt`.
 */
export function sessionStatus(createdAt: Date, lastSeenAt: Date, now: Date): SessionStatus {
  const absolute = createdAt.getTime() + SESSION_ABSOLUTE_MS;
  const idle = Math.max(createdAt.getTime(), lastSeenAt.getTime()) + SESSION_IDLE_MS;
  if (now.getTime() >= absolute) return { live: false, reason: 'absolute' };
  if (now.getTime() >= idle) return { live: false, reason: 'idle' };
  return { live: true, expiresAt: new Date(Math.min(absolute, idle)) };
}

/** shouldTouchSession tells whether a request on a live session should write `last_seen_at` = now. */
export function shouldTouchSession(lastSeenAt: Date, now: Date): boolean {
  return now.getTime() - lastSeenAt.getTime() >= SESSION_TOUCH_MS;
}

/** newLoginLinkSecret makes a single sign-on link's secret (256 random bits, base64url) and its SHA-256 for the store. */
export function newLoginLinkSecret(): NewSecret {
  return newSecret();
}

/** loginLinkHash is the store key of the secret a link presents, or null when it cannot be one. */
export function loginLinkHash(presented: string): string | null {
  return hashOfPresented(presented);
}

/** loginLinkExpiresAt is when a link made at `createdAt` stops opening a session. */
export function loginLinkExpiresAt(createdAt: Date): Date {
  return new Date(createdAt.getTime() + LOGIN_LINK_TTL_MS);
}

/** LoginLinkStatus is whether a stored link may open a session now: used links and late ones may not. */
export type LoginLinkStatus = 'valid' | 'used' | 'expired';

/**
 * loginLinkStatus tells whether a stored link opens a session at `now`. Use comes first: a used
 * link is `used` even once expired. The store must mark it used with a compare-and-set
 * (`UPDATE ... SET used_at = ? WHERE hash = ? AND used_at IS NULL`) and open the session only
 * when that changed a row, so that two requests racing with one link cannot both sign in.
 */
export function loginLinkStatus(link: { expiresAt: Date; usedAt: Date | null }, now: Date): LoginLinkStatus {
  if (link.usedAt !== null) return 'used';
  return now.getTime() < link.expiresAt.getTime() ? 'valid' : 'expired';
}

/** SessionVia is how a session was opened; `pending_second_factor` is a password sign-in still waiting for its code. */
export type SessionVia = 'password' | 'totp' | 'recovery_code' | 'link' | 'pending_second_factor';

/** SECOND_FACTOR_MS is how long a right password waits for its two-factor code before the sign-in starts over: 5 minutes. */
export const SECOND_FACTOR_MS = 5 * 60 * 1000;
