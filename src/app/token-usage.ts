import type { Store, TokenUse } from '../store/store.js';
import type { Logger, TokenUseSink } from './ports.js';

/**
 * TokenUsageRecorder batches last-used updates so that read calls do not write to the store each
 * time; `flush` runs on a timer and on a clean shutdown, so no use is lost.
 */
export class TokenUsageRecorder implements TokenUseSink {
  private pending = new Map<number, TokenUse>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly intervalMs = 2000,
  ) {}

  record(tokenId: number, at: string, ip: string): void {
    this.pending.set(tokenId, { id: tokenId, at, ip });
    if (this.timer === null && this.intervalMs > 0) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.flush();
      }, this.intervalMs);
      this.timer.unref();
    }
  }

  /** flush writes every pending use in one transaction. */
  flush(): Promise<void> {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const batch = [...this.pending.values()];
    this.pending = new Map();
    this.flushing = this.flushing.then(async () => {
      if (batch.length === 0) return;
      try {
        await this.store.tokens.recordUse(batch);
      } catch (err) {
        this.logger.error({ err, tokens: batch.length }, 'recording token use failed; will retry');
        for (const use of batch) if (!this.pending.has(use.id)) this.pending.set(use.id, use);
      }
    });
    return this.flushing;
  }
}
