import { isDomainError } from '../domain/errors.js';
import type { OperationRecord } from '../store/store.js';
import { createSteps, deleteUnfinishedAccount } from './create-account.js';
import { createDatabaseSteps } from './create-database.js';
import { deleteDatabaseSteps } from './delete-database.js';
import { withAccountLock } from './account-lock.js';
import { recordAudit } from './audit.js';
import type { AppContext } from './ports.js';
import { planSteps } from './set-account-plan.js';
import { type Step, runSteps, undoSteps } from './steps.js';
import { suspendSteps } from './suspend-account.js';
import { settledStatus, terminateSteps } from './terminate-account.js';
import { unsuspendSteps } from './unsuspend-account.js';

/** Recovery says what start-up did with one unfinished operation. */
export interface Recovery {
  op: string;
  user: string;
  outcome: 'finished' | 'undone' | 'failed';
}

/**
 * recoverOperations finishes or undoes every operation whose process died mid-way (`isAlive` says
 * whether a lock owner still runs): a create is undone (its password was never kept), every other
 * operation is finished by re-running its idempotent steps from the one that was in progress.
 * Afterwards no account is left `provisioning` or `terminating`.
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
    const recovered = await underLock(ctx, op.account, () => recoverOne(ctx, op));
    if (recovered) done.push(recovered);
  }
  // Accounts stranded by a process that died before it journalled (or by an older version).
  for (const status of ['provisioning', 'terminating'] as const) {
    const { accounts } = await ctx.store.accounts.list({ status, limit: 1000 });
    for (const account of accounts) {
      if (busy.has(account.user)) continue;
      const stranded: OperationRecord =
        status === 'provisioning'
          ? { ...NO_RECORD, op: 'account.create', account: account.user, params: { domain: account.domain }, step: 99 }
          : {
              ...NO_RECORD,
              op: 'account.terminate',
              account: account.user,
              params: { previousStatus: 'active' },
              step: 0,
            };
      const recovered = await underLock(ctx, account.user, () => recoverOne(ctx, stranded));
      if (recovered) done.push(recovered);
    }
  }
  return done;
}

const NO_RECORD = { id: 0, owner: '', startedAt: '' };

/** underLock runs a recovery holding the account's lock; an account another live process holds is left to it. */
async function underLock(ctx: AppContext, user: string, fn: () => Promise<Recovery>): Promise<Recovery | null> {
  try {
    return await withAccountLock(ctx, user, fn);
  } catch (err) {
    if (isDomainError(err) && err.code === 'account_busy') return null;
    throw err;
  }
}

/** RECOVERY_ACTOR is who the audit log names for what start-up recovery changed. */
const RECOVERY_ACTOR = { type: 'system', id: null, name: 'recovery' } as const;

async function recoverOne(ctx: AppContext, op: OperationRecord): Promise<Recovery> {
  const recovery = await recoverSteps(ctx, op);
  const audit = {
    actor: RECOVERY_ACTOR,
    action: 'account.recover',
    target: op.account,
    params: { operation: op.op, step: op.step, result: recovery.outcome },
  };
  await recordAudit(ctx, audit, recovery.outcome === 'failed' ? 'provisioning_failed' : 'ok', null);
  return recovery;
}

async function recoverSteps(ctx: AppContext, op: OperationRecord): Promise<Recovery> {
  const user = op.account;
  const log = { op: op.op, user, step: op.step };
  const result = (outcome: Recovery['outcome']): Recovery => {
    ctx.logger[outcome === 'failed' ? 'error' : 'warn'](log, `unfinished operation ${outcome} at start-up`);
    return { op: op.op, user, outcome };
  };
  const record = await ctx.store.accounts.get(user);
  const finish = async () => {
    if (op.id > 0) await ctx.store.operations.finish(op.id);
  };
  // Steps from the one in progress onwards: it may have run in part, and every step is idempotent.
  const forward = async (steps: Step[], first: number): Promise<boolean> => {
    try {
      await runSteps(steps.slice(Math.max(0, Math.min(first, steps.length - 1))), ctx.logger, log);
      return true;
    } catch (err) {
      ctx.logger.error({ ...log, err }, 'finishing an interrupted operation failed');
      return false;
    }
  };
  try {
    switch (op.op) {
      case 'account.create': {
        if (record?.status === 'active') return result('finished');
        const p = op.params as { domain?: string; shell?: boolean; diskMb?: number | null };
        const steps = createSteps(ctx, {
          user,
          domain: record?.domain ?? String(p.domain),
          shell: !!p.shell,
          diskMb: p.diskMb ?? null,
        });
        // Step 0 of the journalled create is the account row; host steps follow it.
        const failed = await undoSteps(steps.slice(0, Math.max(0, op.step)), ctx.logger, log);
        // The row goes even when an undo failed: the account must not stay `provisioning`; the log names what is left.
        await deleteUnfinishedAccount(ctx, user);
        return result(failed === 0 ? 'undone' : 'failed');
      }
      case 'account.terminate': {
        if (!record) return result('finished');
        const previous = settledStatus((op.params.previousStatus as 'active' | 'suspended') ?? 'active');
        await ctx.store.accounts.update(user, { status: 'terminating' });
        // Step 0 of the journalled terminate marks the account; host steps follow it.
        if (await forward(terminateSteps(ctx, { ...record, status: previous }, { dropped: [] }), op.step - 1)) {
          return result('finished');
        }
        await ctx.store.accounts.update(user, { status: previous });
        return result('failed');
      }
      case 'account.suspend': {
        if (!record) return result('finished');
        const reason = (op.params.reason as string | null) ?? null;
        const at = (op.params.suspendedAt as string | undefined) ?? ctx.now().toISOString();
        return result((await forward(suspendSteps(ctx, record, reason, at), op.step)) ? 'finished' : 'failed');
      }
      case 'account.unsuspend': {
        if (!record) return result('finished');
        return result((await forward(unsuspendSteps(ctx, record), op.step)) ? 'finished' : 'failed');
      }
      case 'account.plan': {
        if (!record) return result('finished');
        const plan = (op.params.plan as string | null) ?? null;
        const limits = plan === null ? null : ((await ctx.store.plans.get(plan)) ?? null);
        return result(
          (await forward(planSteps(ctx, user, plan, limits, record.plan), op.step)) ? 'finished' : 'failed',
        );
      }
      case 'database.create': {
        const name = String(op.params.name);
        if (await ctx.store.databases.get(name)) return result('finished');
        const steps = createDatabaseSteps(ctx, { user, name, locked: false });
        const failed = await undoSteps(steps.slice(0, Math.max(0, op.step + 1)), ctx.logger, log);
        return result(failed === 0 ? 'undone' : 'failed');
      }
      case 'database.delete': {
        const name = String(op.params.name);
        const steps = deleteDatabaseSteps(ctx, name, String(op.params.dbUser ?? name));
        return result((await forward(steps, op.step)) ? 'finished' : 'failed');
      }
      default:
        return result('failed');
    }
  } finally {
    await finish();
  }
}
