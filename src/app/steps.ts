import { performance } from 'node:perf_hooks';
import { DomainError, isDomainError } from '../domain/errors.js';
import type { Logger } from './ports.js';

/** Step is one idempotent change to the host, with the change that takes it back. */
export interface Step {
  /** name is unique within its operation: the journal records it, and a failure reports it as `step`. */
  name: string;
  run(): Promise<void>;
  undo?(): Promise<void>;
}

/**
 * runSteps runs steps in order, calling `starting` (the journal records the step there) before
 * each; when one fails it undoes the completed ones in reverse and throws `provisioning_failed`
 * naming the failed step.
 */
export async function runSteps(
  steps: readonly Step[],
  logger: Logger,
  context: Record<string, unknown>,
  starting?: (step: Step) => Promise<void>,
): Promise<void> {
  const done: Step[] = [];
  for (const step of steps) {
    try {
      const began = performance.now();
      await starting?.(step);
      await step.run();
      done.push(step);
      // Each step's time, for the benchmark's breakdown of an operation (debug level: off by default).
      logger.debug({ ...context, step: step.name, ms: Math.round((performance.now() - began) * 10) / 10 }, 'step done');
    } catch (err) {
      // A step refused with a code of its own (domain_exists when another create took the
      // domain first) is an expected outcome of a race, not a failure of the host.
      const refused = isDomainError(err) && err.code !== 'provisioning_failed';
      logger[refused ? 'warn' : 'error'](
        { ...context, step: step.name, err },
        refused ? 'operation step refused; undoing completed steps' : 'operation step failed; undoing completed steps',
      );
      await undoSteps(done, logger, context);
      if (isDomainError(err) && err.code !== 'provisioning_failed') throw err;
      throw new DomainError(
        'provisioning_failed',
        `the host could not be changed (step ${step.name})`,
        { step: step.name },
        { cause: err },
      );
    }
  }
}

/** undoSteps undoes steps in reverse, logging (not throwing) the undos that fail; it returns how many failed. */
export async function undoSteps(
  steps: readonly Step[],
  logger: Logger,
  context: Record<string, unknown>,
): Promise<number> {
  let failed = 0;
  for (const step of [...steps].reverse()) {
    try {
      await step.undo?.();
    } catch (err) {
      failed++;
      logger.error({ ...context, step: step.name, err }, 'undo of a step failed');
    }
  }
  return failed;
}
