import type { Logger } from './ports.js';

/**
 * Periodic runs a background task every `intervalMs` in a long-running process (`vanta serve`):
 * one run at a time, the next one `intervalMs` after the last ended, a failure logged and the task
 * run again next time. Its timer does not keep the process alive; `stop` waits for a run in progress.
 */
export class Periodic {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly task: () => Promise<void>,
    private readonly logger: Logger,
  ) {}

  /** start schedules the first run after `firstDelayMs` (the interval when not given). */
  start(firstDelayMs = this.intervalMs): void {
    if (this.stopped) return;
    this.schedule(firstDelayMs);
  }

  /** runNow runs the task at once, unless a run is in progress (its promise is answered then). */
  runNow(): Promise<void> {
    if (this.running) return this.running;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.running = this.task()
      .catch((err: unknown) => this.logger.error({ err, task: this.name }, 'background task failed'))
      .finally(() => {
        this.running = null;
        if (!this.stopped) this.schedule(this.intervalMs);
      });
    return this.running;
  }

  /** stop cancels the next run and waits for the one in progress, if any. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => void this.runNow(), delayMs);
    this.timer.unref();
  }
}
