import type { Store } from '../../src/store/store.js';

/** StepPassed is told that a journalled operation has done a step (null: it has begun, before its first step). */
export type StepPassed = (op: string, step: string | null) => Promise<void> | void;

/**
 * watchJournal wraps a store so that `passed` runs each time a journalled operation has done a
 * step: after the step and before the journal records the next one (or the operation's end). A
 * `passed` that never returns, or that kills the process, leaves the store exactly as a process
 * killed right after that step would.
 */
export function watchJournal(store: Store, passed: StepPassed): Store {
  const ops = new Map<number, { op: string; step: string | null }>();
  const operations: Store['operations'] = {
    ...store.operations,
    begin: async (op) => {
      const id = await store.operations.begin(op);
      ops.set(id, { op: op.op, step: null });
      return id;
    },
    setStep: async (id, step) => {
      const current = ops.get(id);
      if (current) {
        await passed(current.op, current.step);
        current.step = step;
      }
      await store.operations.setStep(id, step);
    },
    finish: async (id) => {
      const current = ops.get(id);
      if (current) await passed(current.op, current.step);
      ops.delete(id);
      await store.operations.finish(id);
    },
  };
  return {
    accounts: store.accounts,
    databases: store.databases,
    plans: store.plans,
    tokens: store.tokens,
    admins: store.admins,
    audit: store.audit,
    locks: store.locks,
    operations,
    ownerSessions: store.ownerSessions,
    twoFactor: store.twoFactor,
    loginLinks: store.loginLinks,
    diskUsage: store.diskUsage,
    traffic: store.traffic,
    idempotency: store.idempotency,
    certificates: store.certificates,
    close: () => store.close(),
  };
}
