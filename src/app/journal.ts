import type { JournalParams, Operation } from './operations/operation.js';
import type { AppContext } from './ports.js';
import { runSteps } from './steps.js';

/**
 * runJournalled records the operation with its params, then runs its steps with the name of each
 * recorded before it starts, so a panel killed at any point knows, when it starts again, what to
 * finish or undo (see recoverOperations). When a step fails, the completed ones are undone, then
 * the operation's `onFailure` runs, still inside the journalled span. When onFailure fails too, the
 * operation's own error is the one thrown, and the entry is left for recovery to finish.
 */
export async function runJournalled<P extends JournalParams, I>(
  ctx: AppContext,
  operation: Operation<P, I>,
  user: string,
  input: I,
): Promise<void> {
  const steps = operation.steps(ctx, input);
  const id = await ctx.store.operations.begin({
    op: operation.name,
    account: user,
    params: operation.params(input),
    owner: ctx.lockOwner,
    startedAt: ctx.now().toISOString(),
  });
  try {
    await runSteps(steps, ctx.logger, { op: operation.name, user }, (step) =>
      ctx.store.operations.setStep(id, step.name),
    );
  } catch (err) {
    try {
      await operation.onFailure?.(ctx, input);
    } catch (failed) {
      // The caller is told why the operation failed, not why its clean-up did; the entry stays open, so
      // the recovery at the next start (or the sweep) undoes the steps and runs onFailure again.
      ctx.logger.error(
        { err: failed, op: operation.name, user },
        'the clean-up of a failed operation failed; recovery will finish it',
      );
      throw err;
    }
    await ctx.store.operations.finish(id);
    throw err;
  }
  await ctx.store.operations.finish(id);
}
