import type { ProcessLock } from '../process-lock.js';

/**
 * Coalesced runs one async job at a time and folds the calls that arrive meanwhile into a single
 * follow-up run: a burst of N calls costs two runs, not N, and every caller still waits for a run
 * that began after its call (so what it wrote before calling is seen). With a `turn` (a Serial's
 * run), a run waits for its turn before it begins, and the calls made while it waits share it too.
 */
export class Coalesced<T = void> {
  /** latest is the last run asked for, begun or not. */
  private latest: Promise<T> | null = null;
  /** waiting is a run asked for that has not begun: calls made now share it. */
  private waiting: Promise<T> | null = null;
  /** runs counts the runs actually made (not requested). */
  runs = 0;

  constructor(
    private readonly job: () => Promise<T>,
    private readonly turn: ((fn: () => Promise<T>) => Promise<T>) | null = null,
  ) {}

  /** run starts the job at once when idle (or queues it for its turn); otherwise it shares the one follow-up run. */
  run(): Promise<T> {
    if (this.waiting) return this.waiting;
    let begun = false;
    const begin = (): Promise<T> => {
      begun = true;
      // Only one run waits at a time, and it is this one.
      this.waiting = null;
      this.runs++;
      return this.job();
    };
    const start = () => (this.turn ? this.turn(begin) : begin());
    const previous = this.latest;
    const tracked: Promise<T> = (previous ? previous.then(start, start) : start()).finally(() => {
      if (this.latest === tracked) this.latest = null;
      // A turn that failed before the run began (a ProcessLock that could not be taken) ends it unbegun:
      // left waiting, it would hand its failure to every later call instead of a run of their own.
      if (this.waiting === tracked) this.waiting = null;
    });
    this.latest = tracked;
    if (!begun) this.waiting = tracked;
    return tracked;
  }
}

/**
 * Serial runs async sections one after another, so no section sees another's half-made state; with a
 * ProcessLock, each section also holds it, so the sections of other processes are kept apart too.
 */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly lock: ProcessLock | null = null) {}

  /** run queues `fn` after every section queued before it, whether those failed or not. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const lock = this.lock;
    const section = lock ? () => lock.hold(fn) : fn;
    const next = this.tail.then(section, section);
    this.tail = next.catch(() => {});
    return next;
  }
}
