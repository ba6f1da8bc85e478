/**
 * Coalesced runs one async job at a time and folds the calls that arrive meanwhile into a single
 * follow-up run: a burst of N calls costs two runs, not N, and every caller still waits for a run
 * that started after its call (so what it wrote before calling is seen).
 */
export class Coalesced {
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  /** runs counts the runs actually made (not requested). */
  runs = 0;

  constructor(private readonly job: () => Promise<void>) {}

  /** run starts the job at once when idle; otherwise it shares the one follow-up run. */
  run(): Promise<void> {
    if (this.queued) return this.queued;
    if (!this.running) return this.start();
    this.queued = this.running
      .catch(() => {})
      .then(() => {
        this.queued = null;
        return this.start();
      });
    return this.queued;
  }

  private start(): Promise<void> {
    this.runs++;
    const tracked: Promise<void> = this.job().finally(() => {
      if (this.running === tracked) this.running = null;
    });
    this.running = tracked;
    return tracked;
  }
}

/** Serial runs async sections one after another, so no section sees another's half-made state. */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  /** run queues `fn` after every section queued before it, whether those failed or not. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => {});
    return next;
  }
}
