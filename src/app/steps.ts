import { DomainError, isDomainError } from '../domain/errors.js';
import type { Logger } from './ports.js';

/** Step is one idempotent change to the host, with the change that takes it back. */
export interface Step {
  /** name is reported as `step` when the operation fails here. */
  name: string;
  run(): Promise<void>;
  undo?(): Promise<void>;
}

/**
 * runSteps runs steps in order; when one fails it undoes the completed ones in reverse and
 * throws `provisioning_failed` naming the failed step.
 */
export async function runSteps(steps: readonly Step[], logger: Logger, context: Record<string, unknown>): Promise<void> {
  const done: Step[] = [];
  for (const step of steps) {
    try {
      await step.run();
      done.push(step);
    } catch (err) {
      logger.error({ ...context, step: step.name, err }, 'operation step failed; undoing completed steps');
      for (const prior of done.reverse()) {
        try {
          await prior.undo?.();
        } catch (undoErr) {
          logger.error({ ...context, step: prior.name, err: undoErr }, 'undo of a completed step failed');
        }
      }
      if (isDomainError(err) && err.code !== 'provisioning_failed') throw err;
      throw new DomainError('provisioning_failed', `the host could not be changed (step ${step.name})`, { step: step.name }, { cause: err });
    }
  }
}
