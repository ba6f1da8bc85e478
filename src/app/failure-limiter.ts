/** FailureLimiter counts failed authentications per address in a fixed window and blocks an address past the limit. */
export class FailureLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  /** retryAfter gives the seconds an address must wait, or 0 when it may try. */
  retryAfter(ip: string): number {
    const w = this.windows.get(ip);
    if (!w) return 0;
    const left = w.start + this.windowMs - this.now();
    if (left <= 0) {
      this.windows.delete(ip);
      return 0;
    }
    return w.count >= this.limit ? Math.ceil(left / 1000) : 0;
  }

  /** fail counts one failed attempt. */
  fail(ip: string): void {
    const now = this.now();
    const w = this.windows.get(ip);
    if (!w || w.start + this.windowMs <= now) {
      this.prune(now);
      this.windows.set(ip, { start: now, count: 1 });
      return;
    }
    w.count++;
  }

  private prune(now: number): void {
    if (this.windows.size < 10_000) return;
    for (const [ip, w] of this.windows) if (w.start + this.windowMs <= now) this.windows.delete(ip);
  }
}
