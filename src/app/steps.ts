import { performance } from 'node:perf_hooks';
import { DomainError, isDomainError } from '../domain/errors.js';
import type { Logger } from './ports.js';

/** Step is one idempotent change to the host, with the change that takes it back. */
export interface Step {
  /** name is unique within its operation: the journal records it, and a failure reports it as `step`. */
  name: string;
  run(): Promise<void>;
  undo?(): Promise<void>;
  /**
   * alongsideUntil names a later step: this one runs alongside the steps after it, up to and
   * including that one, and the steps after that start only once both have succeeded. For work
   * that does not depend on the steps it overlaps (php-fpm re-reading its pools while nginx is
   * changed).
   */
  alongsideUntil?: string;
  /**
   * undoLast makes the step's undo run after the undos of all the others: a reload, which must load
   * what the undos of the steps before it put back, not what they are about to take back.
   */
  undoLast?: boolean;
  /**
   * undoFailed takes back a run of this step that failed but may still take effect: a reload nginx's
   * master had not confirmed when the wait ran out may yet load what the step's turn left written. It
   * runs after every other undo, so that what is loaded last is what they put back. The undos of steps
   * that succeeded are `undo`'s.
   */
  undoFailed?(): Promise<void>;
}

/** Background is a step running alongside the ones after it; `outcome` never rejects. */
interface Background {
  step: Step;
  /** at is where the step goes in the list of completed ones: after the steps done before it started. */
  at: number;
  outcome: Promise<{ err: unknown } | null>;
}

/**
 * runSteps runs steps in order, calling `starting` (the journal records the step there) before
 * each; when one fails it undoes the completed ones in reverse and throws `provisioning_failed`
 * naming the failed step. A step with `alongsideUntil` runs alongside the steps after it; the
 * journal then names the last step started, and recovery undoes every step up to it, so a process
 * killed meanwhile takes back both. Nothing is undone before every step started has ended.
 */
export async function runSteps(
  steps: readonly Step[],
  logger: Logger,
  context: Record<string, unknown>,
  starting?: (step: Step) => Promise<void>,
): Promise<void> {
  const done: Step[] = [];
  let background: Background | null = null;
  let failure: { step: Step; err: unknown } | null = null;
  /** overlapped is a step that failed while the step alongside failed too: the failure told is the other one. */
  let overlapped: Step | null = null;
  const run = async (step: Step, began: number) => {
    await step.run();
    // Each step's time, for the benchmark's breakdown of an operation (debug level: off by default).
    logger.debug({ ...context, step: step.name, ms: Math.round((performance.now() - began) * 10) / 10 }, 'step done');
  };
  /** join waits for the step running alongside; it returns its failure, or counts it done. */
  const join = async (): Promise<{ step: Step; err: unknown } | null> => {
    if (background === null) return null;
    const { step, at, outcome } = background;
    background = null;
    const out = await outcome;
    if (out) return { step, err: out.err };
    done.splice(at, 0, step);
    return null;
  };
  for (const step of steps) {
    try {
      const began = performance.now();
      await starting?.(step);
      if (step.alongsideUntil !== undefined && background === null) {
        background = {
          step,
          at: done.length,
          outcome: run(step, began).then(
            () => null,
            (err: unknown) => ({ err }),
          ),
        };
        continue;
      }
      await run(step, began);
      done.push(step);
    } catch (err) {
      // The step running alongside started first: its failure, if it failed too, is the one told.
      failure = (await join()) ?? { step, err };
      if (failure.step !== step) {
        overlapped = step;
        logger.error({ ...context, step: step.name, err }, 'operation step failed alongside another that failed');
      }
      break;
    }
    if (background?.step.alongsideUntil === step.name) {
      failure = await join();
      if (failure) break;
    }
  }
  failure ??= await join();
  if (failure === null) return;
  const { step, err } = failure;
  // A step refused with a code of its own (domain_exists when another create took the
  // domain first) is an expected outcome of a race, not a failure of the host.
  const refused = isDomainError(err) && err.code !== 'provisioning_failed';
  logger[refused ? 'warn' : 'error'](
    { ...context, step: step.name, err },
    refused ? 'operation step refused; undoing completed steps' : 'operation step failed; undoing completed steps',
  );
  await undoSteps(done, logger, context);
  for (const failed of [step, overlapped]) {
    if (failed?.undoFailed === undefined) continue;
    try {
      await failed.undoFailed();
    } catch (undoErr) {
      logger.error({ ...context, step: failed.name, err: undoErr }, 'undo of a failed step failed');
    }
  }
  if (isDomainError(err) && err.code !== 'provisioning_failed') throw err;
  throw new DomainError(
    'provisioning_failed',
    `the host could not be changed (step ${step.name})`,
    { step: step.name },
    { cause: err },
  );
}

/**
 * undoSteps undoes steps in reverse, those marked `undoLast` after the others, logging (not throwing)
 * the undos that fail; it returns how many failed.
 */
export async function undoSteps(
  steps: readonly Step[],
  logger: Logger,
  context: Record<string, unknown>,
): Promise<number> {
  let failed = 0;
  const reversed = [...steps].reverse();
  for (const step of [...reversed.filter((s) => !s.undoLast), ...reversed.filter((s) => s.undoLast)]) {
    try {
      await step.undo?.();
    } catch (err) {
      failed++;
      logger.error({ ...context, step: step.name, err }, 'undo of a step failed');
    }
  }
  return failed;
}
