/** Attempt is the answer of the limiter to one authentication attempt. */
export type Attempt = { allowed: true; release(): void } | { allowed: false; retryAfter: number };

/**
 * FailureLimiter counts authentication attempts per address in a fixed window and refuses an
 * address that has used up its attempts. An attempt is counted when it is made, before any
 * check, so a burst of parallel guesses gets no more checks than the limit; an attempt that turns
 * out to succeed is given back with `release`.
 */
export class FailureLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  /**
   * attempt counts one attempt from `ip`, or refuses it (not counted) with the seconds to wait
   * when the address has reached the limit within its window.
   */
  attempt(ip: string): Attempt {
    const now = this.now();
    let w = this.windows.get(ip);
    if (!w || w.start + this.windowMs <= now) {
      this.prune(now);
      w = { start: now, count: 0 };
      this.windows.set(ip, w);
    }
    if (w.count >= this.limit) return { allowed: false, retryAfter: Math.ceil((w.start + this.windowMs - now) / 1000) };
    w.count++;
    const window = w;
    let released = false;
    return {
      allowed: true,
      release: () => {
        // Given back once, and only to the window it was taken from.
        if (released || this.windows.get(ip) !== window) return;
        released = true;
        window.count--;
        if (window.count === 0) this.windows.delete(ip);
      },
    };
  }

  private prune(now: number): void {
    if (this.windows.size < 10_000) return;
    for (const [ip, w] of this.windows) if (w.start + this.windowMs <= now) this.windows.delete(ip);
  }
}

/** Limiters are the two failed-attempt limiters: API tokens and vWHM passwords are counted apart. */
export interface Limiters {
  api: FailureLimiter;
  whm: FailureLimiter;
}
