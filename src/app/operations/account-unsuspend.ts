import type { AccountRecord } from '../../store/store.js';
import { defineOperation } from './operation.js';

/** UnsuspendStepsInput is what the steps of an unsuspend need. */
export interface UnsuspendStepsInput {
  record: AccountRecord;
}

/** accountUnsuspend is the exact reverse of accountSuspend. Recovery finishes an unsuspend cut short. */
export const accountUnsuspend = defineOperation({
  name: 'account.unsuspend',
  recovery: 'finish',
  params: (_input: UnsuspendStepsInput) => ({}),
  readParams: () => ({}),
  steps: (ctx, { record }) => {
    const { user, domain } = record;
    const { systemUsers, webServer, databases } = ctx.host;
    const root = `${ctx.host.homeOf(user)}/public_html`;
    return [
      {
        name: 'database_server',
        run: () => databases.unlockUsers(user, record.databases),
        undo: () => databases.lockUsers(user, record.databases),
      },
      {
        name: 'web_server',
        run: () => webServer.writeSite({ user, domain, root, suspended: false }),
        undo: () => webServer.writeSite({ user, domain, root, suspended: true }),
      },
      { name: 'reload', run: () => webServer.reload(), undo: () => webServer.reload() },
      { name: 'system_user', run: () => systemUsers.unlock(user), undo: () => systemUsers.lock(user) },
      {
        name: 'store',
        run: () => ctx.store.accounts.update(user, { status: 'active', suspendReason: null, suspendedAt: null }),
      },
    ];
  },
  resume: async (ctx, user) => {
    const record = await ctx.store.accounts.get(user);
    return record ? { record } : null;
  },
});
