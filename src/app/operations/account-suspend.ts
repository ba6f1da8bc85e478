import type { AccountRecord } from '../../store/store.js';
import { defineOperation, textParam } from './operation.js';

/** SuspendStepsInput is what the steps of a suspend need. */
export interface SuspendStepsInput {
  record: AccountRecord;
  reason: string | null;
  suspendedAt: string;
}

/**
 * accountSuspend ends the owner's user-panel sessions, locks the system user, serves the
 * "suspended" page and locks the database users, then records the suspension. Recovery finishes a
 * suspend cut short.
 */
export const accountSuspend = defineOperation({
  name: 'account.suspend',
  recovery: 'finish',
  params: (input: SuspendStepsInput) => ({ reason: input.reason, suspendedAt: input.suspendedAt }),
  readParams: (raw) => ({ reason: textParam(raw, 'reason', null), suspendedAt: textParam(raw, 'suspendedAt', null) }),
  steps: (ctx, { record, reason, suspendedAt }) => {
    const { user, domain } = record;
    const { systemUsers, webServer, databases } = ctx.host;
    const root = `${ctx.host.homeOf(user)}/public_html`;
    return [
      // First, so that the owner can change nothing while the account is being suspended; an
      // undone suspend does not bring the sessions back (the owner signs in again).
      {
        name: 'sessions',
        run: async () => {
          await ctx.store.ownerSessions.deleteByAccount(user);
        },
      },
      { name: 'system_user', run: () => systemUsers.lock(user), undo: () => systemUsers.unlock(user) },
      {
        name: 'web_server',
        run: () => webServer.writeSite({ user, domain, root, suspended: true }),
        undo: () => webServer.writeSite({ user, domain, root, suspended: false }),
      },
      { name: 'reload', run: () => webServer.reload(), undo: () => webServer.reload() },
      {
        name: 'database_server',
        run: () => databases.lockUsers(user, record.databases),
        undo: () => databases.unlockUsers(user, record.databases),
      },
      {
        name: 'store',
        run: () => ctx.store.accounts.update(user, { status: 'suspended', suspendReason: reason, suspendedAt }),
      },
    ];
  },
  resume: async (ctx, user, params) => {
    const record = await ctx.store.accounts.get(user);
    if (!record) return null;
    return { record, reason: params.reason, suspendedAt: params.suspendedAt ?? ctx.now().toISOString() };
  },
});
