import type { AppContext } from './ports.js';
import { type Step, runSteps } from './steps.js';

/** OperationName names a journalled operation; recovery looks its steps up by this name. */
export type OperationName =
  | 'account.create'
  | 'account.suspend'
  | 'account.unsuspend'
  | 'account.terminate'
  | 'account.plan'
  | 'database.create'
  | 'database.delete';

/** JournalEntry is what a journalled operation records; params must never hold a secret. */
export interface JournalEntry {
  op: OperationName;
  user: string;
  params: Record<string, unknown>;
}

/**
 * runJournalled records the operation, then runs its steps with the index of each recorded before
 * it starts, so a panel killed at any point knows what to finish or undo when it starts again.
 * `onFailure` runs, still inside the journalled span, after the steps have been undone.
 */
export async function runJournalled(
  ctx: AppContext,
  entry: JournalEntry,
  steps: readonly Step[],
  onFailure?: () => Promise<void>,
): Promise<void> {
  const id = await ctx.store.operations.begin({
    op: entry.op,
    account: entry.user,
    params: entry.params,
    owner: ctx.lockOwner,
    startedAt: ctx.now().toISOString(),
  });
  try {
    await runSteps(
      steps,
      ctx.logger,
      { op: entry.op, user: entry.user },
      {
        before: (index) => ctx.store.operations.setStep(id, index),
        after: (_index, step) => ctx.afterStep?.(entry.op, step.name),
      },
    );
  } catch (err) {
    await onFailure?.();
    await ctx.store.operations.finish(id);
    throw err;
  }
  await ctx.store.operations.finish(id);
}
