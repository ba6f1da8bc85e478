import { isIP } from 'node:net';
import { plainIp } from '../domain/cidr.js';

/** SignInLimits are how many failed sign-ins an address and an account user may have within a window. */
export interface SignInLimits {
  perAddress: number;
  perUser: number;
  windowMs: number;
}

/**
 * SIGN_IN_LIMITS: 20 failures per address and 10 per account user in 15 minutes. The address
 * limit is the higher since many owners may share one address (an office, a carrier's NAT); the
 * user limit stops guessing one owner's password from many addresses.
 */
export const SIGN_IN_LIMITS: SignInLimits = { perAddress: 20, perUser: 10, windowMs: 15 * 60 * 1000 };

/**
 * RESERVATION_TTL_MS is how long an attempt that was never settled holds its place: a safety net
 * for a caller that forgot `finally`, long past any password check.
 */
const RESERVATION_TTL_MS = 60 * 1000;

/** PRUNE_AT is the number of tracked keys past which idle ones are swept on the next attempt. */
const PRUNE_AT = 10_000;

/** SignInAttempt is a place held for one sign-in while its password is checked; settle it exactly once. */
export interface SignInAttempt {
  /** succeeded gives the place back: a right password counts for nothing. */
  succeeded(): void;
  /** failed turns the place into a counted failure for the address and the account user. */
  failed(): void;
}

/** SignInGate is the answer before a password is checked: go ahead, or wait so many seconds. */
export type SignInGate =
  | { allowed: true; attempt: SignInAttempt }
  | { allowed: false; retryAfterSeconds: number; by: 'address' | 'user' };

interface Bucket {
  /** failures are the times of the latest failures, oldest first, at most the limit of them. */
  failures: number[];
  /** pending are the attempts under way, by id, with the time each began. */
  pending: Map<number, number>;
}

/**
 * addressKey is what failures of an address are counted under: an IPv4 address itself, an IPv6
 * address by its /64 (one host usually holds a whole /64, so counting single addresses would let
 * it try as often as it likes).
 */
export function addressKey(ip: string): string {
  const plain = plainIp(ip).replace(/%.*$/, '');
  if (isIP(plain) !== 6) return `a:${plain}`;
  return `a:${expandIpv6(plain).slice(0, 4).join(':')}::/64`;
}

function expandIpv6(address: string): string[] {
  let text = address.toLowerCase();
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const fill = tail === undefined ? [] : Array.from({ length: 8 - left.length - right.length }, () => '0');
  return [...left, ...fill, ...right].map((g) => g.replace(/^0+(?=.)/, ''));
}

/** userKey is what failures for an account user name are counted under, typed names included (whether or not the account exists). */
function userKey(user: string): string {
  return `u:${user.trim().toLowerCase()}`;
}

/**
 * SignInLimiter throttles failed sign-ins per address and per account user, in memory, over a
 * sliding window. `begin` holds a place in both counts before the password is checked, so that
 * a burst of parallel attempts cannot all pass while the first ones are still being checked: at
 * most the limit of attempts are under way or failed at any time.
 */
export class SignInLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private nextId = 1;

  constructor(
    private readonly now: () => number,
    private readonly limits: SignInLimits = SIGN_IN_LIMITS,
  ) {}

  /**
   * begin answers whether a sign-in may check its password now. When it may, the caller must
   * settle the attempt (`succeeded` or `failed`) in a `finally`; when not, it answers 429 with
   * Retry-After and does not check the password.
   */
  begin(ip: string, user: string): SignInGate {
    const now = this.now();
    if (this.buckets.size > PRUNE_AT) this.prune(now);
    const keys: Array<[string, number, 'address' | 'user']> = [
      [addressKey(ip), this.limits.perAddress, 'address'],
      [userKey(user), this.limits.perUser, 'user'],
    ];
    let refused: { retryAfterSeconds: number; by: 'address' | 'user' } | null = null;
    for (const [key, limit, by] of keys) {
      const wait = this.waitFor(this.bucket(key, now), limit, now);
      if (wait > 0 && (refused === null || wait > refused.retryAfterSeconds)) refused = { retryAfterSeconds: wait, by };
    }
    if (refused) return { allowed: false, ...refused };

    const id = this.nextId++;
    for (const [key] of keys) this.bucket(key, now).pending.set(id, now);
    let settled = false;
    const settle = (failed: boolean) => {
      if (settled) return;
      settled = true;
      const at = this.now();
      for (const [key, limit] of keys) {
        const bucket = this.bucket(key, at);
        bucket.pending.delete(id);
        if (failed) {
          bucket.failures.push(at);
          if (bucket.failures.length > limit) bucket.failures.splice(0, bucket.failures.length - limit);
        }
      }
    };
    return { allowed: true, attempt: { succeeded: () => settle(false), failed: () => settle(true) } };
  }

  /** retryAfter tells, without holding a place, how many seconds an address and user must wait (0: none), for showing the form. */
  retryAfter(ip: string, user: string): number {
    const now = this.now();
    const wait = (key: string, limit: number) =>
      this.buckets.has(key) ? this.waitFor(this.bucket(key, now), limit, now) : 0;
    return Math.max(wait(addressKey(ip), this.limits.perAddress), wait(userKey(user), this.limits.perUser));
  }

  /** trackedKeys is how many addresses and user names the limiter holds counts for. */
  get trackedKeys(): number {
    return this.buckets.size;
  }

  /**
   * waitFor is 0 when one more attempt fits; else the seconds until the oldest failure leaves the
   * window, or 1 when only attempts under way fill the count (they end within a password check).
   */
  private waitFor(bucket: Bucket, limit: number, now: number): number {
    if (bucket.failures.length + bucket.pending.size < limit) return 0;
    if (bucket.failures.length < limit) return 1;
    const oldest = bucket.failures[bucket.failures.length - limit] ?? now;
    return Math.max(1, Math.ceil((oldest + this.limits.windowMs - now) / 1000));
  }

  /** bucket gets a key's counts with the failures out of the window and the forgotten attempts dropped. */
  private bucket(key: string, now: number): Bucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { failures: [], pending: new Map() };
      this.buckets.set(key, bucket);
      return bucket;
    }
    const first = bucket.failures.findIndex((t) => t > now - this.limits.windowMs);
    if (first !== 0) bucket.failures.splice(0, first === -1 ? bucket.failures.length : first);
    for (const [id, began] of bucket.pending) if (began <= now - RESERVATION_TTL_MS) bucket.pending.delete(id);
    return bucket;
  }

  private prune(now: number): void {
    for (const [key] of this.buckets) {
      const bucket = this.bucket(key, now);
      if (bucket.failures.length === 0 && bucket.pending.size === 0) this.buckets.delete(key);
    }
  }
}
