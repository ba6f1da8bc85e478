import type { JournalParams, Operation } from './operations/operation.js';
import type { AppContext } from './ports.js';
import { runSteps } from './steps.js';

/**
 * runJournalled records the operation with its params, then runs its steps with the name of each
 * recorded before it starts, so a panel killed at any point knows, when it starts again, what to
 * finish or undo (see recoverOperations). When a step fails, the completed ones are undone, then
 * the operation's `onFailure` runs, still inside the journalled span.
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
    await operation.onFailure?.(ctx, input);
    await ctx.store.operations.finish(id);
    throw err;
  }
  await ctx.store.operations.finish(id);
}
