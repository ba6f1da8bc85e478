import { isDomainError } from '../domain/errors.js';
import { withAccountLock } from './account-lock.js';
import { recordAudit } from './audit.js';
import { OPERATIONS } from './operations/index.js';
import type { JournalParams, Operation } from './operations/operation.js';
import type { AppContext } from './ports.js';
import { type Step, runSteps, undoSteps } from './steps.js';

/** Recovery says what start-up did with one unfinished operation. */
export interface Recovery {
  op: string;
  user: string;
  outcome: 'finished' | 'undone' | 'failed';
}

/**
 * Interrupted is an operation to recover. `step` is the step in progress when its process died:
 * null when none had started, undefined when it is not known (no journal entry; see below).
 */
interface Interrupted {
  id: number | null;
  op: string;
  user: string;
  params: Readonly<Record<string, unknown>>;
  step: string | null | undefined;
}

/**
 * recoverOperations finishes or undoes every operation whose process died mid-way (`isAlive` says
 * whether a lock owner still runs), as the operation's own `recovery` says: a create is undone
 * (its password was never kept), every other operation is finished by re-running its idempotent
 * steps from the one that was in progress. Afterwards no account is left `provisioning` or `terminating`.
 */
export async function recoverOperations(ctx: AppContext, isAlive: (owner: string) => boolean): Promise<Recovery[]> {
  const done: Recovery[] = [];
  for (const lock of await ctx.store.locks.list()) {
    if (!isAlive(lock.owner)) await ctx.store.locks.release(lock.key, lock.owner);
  }
  const busy = new Set<string>();
  for (const op of await ctx.store.operations.list()) {
    if (isAlive(op.owner)) {
      busy.add(op.account);
      continue;
    }
    const interrupted = { id: op.id, op: op.op, user: op.account, params: op.params, step: op.step };
    const recovered = await underLock(ctx, op.account, () => recoverOne(ctx, interrupted));
    if (recovered) done.push(recovered);
  }
  // Accounts stranded by a process that died before it journalled (or by an older version): which
  // step was in progress is not known, so a create is undone whole and a terminate run whole.
  for (const [status, op] of [
    ['provisioning', 'account.create'],
    ['terminating', 'account.terminate'],
  ] as const) {
    const { accounts } = await ctx.store.accounts.list({ status, limit: 1000 });
    for (const account of accounts) {
      if (busy.has(account.user)) continue;
      const params = op === 'account.create' ? { domain: account.domain } : { previousStatus: 'active' };
      const interrupted = { id: null, op, user: account.user, params, step: undefined };
      const recovered = await underLock(ctx, account.user, async () => {
        // Read again under the lock: an operation of a live process, begun after the journal was
        // read, may have put the account in this status and ended since (a failed terminate puts it back).
        if ((await ctx.store.accounts.get(account.user))?.status !== status) return null;
        return recoverOne(ctx, interrupted);
      });
      if (recovered) done.push(recovered);
    }
  }
  return done;
}

/** underLock runs a recovery holding the account's lock; an account another live process holds is left to it. */
async function underLock(ctx: AppContext, user: string, fn: () => Promise<Recovery | null>): Promise<Recovery | null> {
  try {
    return await withAccountLock(ctx, user, fn);
  } catch (err) {
    if (isDomainError(err) && err.code === 'account_busy') return null;
    throw err;
  }
}

/** RECOVERY_ACTOR is who the audit log names for what start-up recovery changed. */
const RECOVERY_ACTOR = { type: 'system', id: null, name: 'recovery' } as const;

async function recoverOne(ctx: AppContext, op: Interrupted): Promise<Recovery> {
  const log = { op: op.op, user: op.user, step: op.step ?? null };
  const operation = OPERATIONS.get(op.op);
  let outcome: Recovery['outcome'];
  try {
    outcome = operation ? await recoverWith(ctx, operation, op, log) : 'failed';
  } finally {
    if (op.id !== null) await ctx.store.operations.finish(op.id);
  }
  ctx.logger[outcome === 'failed' ? 'error' : 'warn'](log, `unfinished operation of a dead process ${outcome}`);
  const audit = {
    actor: RECOVERY_ACTOR,
    action: 'account.recover',
    target: op.user,
    params: { operation: op.op, step: op.step ?? null, result: outcome },
  };
  await recordAudit(ctx, audit, outcome === 'failed' ? 'provisioning_failed' : 'ok', null);
  return { op: op.op, user: op.user, outcome };
}

async function recoverWith<P extends JournalParams, I>(
  ctx: AppContext,
  operation: Operation<P, I>,
  op: Interrupted,
  log: Record<string, unknown>,
): Promise<Recovery['outcome']> {
  const input = await operation.resume(ctx, op.user, operation.readParams(op.params));
  if (input === null) return 'finished';
  const steps = operation.steps(ctx, input);
  const at = stepIndex(steps, op.step);
  if (operation.recovery === 'undo') {
    // The step in progress may have run in part: it is undone with the ones before it.
    const failed = await undoSteps(steps.slice(0, (at ?? steps.length - 1) + 1), ctx.logger, log);
    return failed === 0 ? 'undone' : 'failed';
  }
  try {
    // From the step in progress on: it may have run in part, and every step is idempotent.
    await runSteps(steps.slice(Math.max(0, at ?? 0)), ctx.logger, log);
    return 'finished';
  } catch (err) {
    ctx.logger.error({ ...log, err }, 'finishing an interrupted operation failed');
    await operation.onFailure?.(ctx, input);
    return 'failed';
  }
}

/**
 * stepIndex finds the step in progress: -1 when none had started, undefined when it is not known
 * (no journal entry, or a name this version does not have), which recovery treats as "any step
 * may have run".
 */
function stepIndex(steps: readonly Step[], step: string | null | undefined): number | undefined {
  if (step === null) return -1;
  if (step === undefined) return undefined;
  const index = steps.findIndex((s) => s.name === step);
  return index === -1 ? undefined : index;
}
