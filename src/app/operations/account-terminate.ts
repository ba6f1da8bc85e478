import type { AccountRecord } from '../../store/store.js';
import { defineOperation, textParam } from './operation.js';

/** SettledStatus is a status an account can fall back to. */
export type SettledStatus = 'active' | 'suspended';

/** settledStatus is the status a terminate falls back to when it cannot finish. */
export function settledStatus(status: string): SettledStatus {
  return status === 'suspended' ? 'suspended' : 'active';
}

/** TerminateStepsInput is what the steps of a terminate need; `dropped` receives the names of the dropped databases. */
export interface TerminateStepsInput {
  record: AccountRecord;
  previousStatus: SettledStatus;
  out: { dropped: string[] };
}

/**
 * accountTerminate marks the account `terminating`, ends the owner's user-panel sessions and
 * sign-on links, drops its databases, site, system user and home, then its rows. Dropped databases cannot come back, so a failure puts the account back in
 * its former status with the remaining steps still to do, and recovery finishes a terminate cut short.
 */
export const accountTerminate = defineOperation({
  name: 'account.terminate',
  recovery: 'finish',
  params: (input: TerminateStepsInput) => ({ previousStatus: input.previousStatus }),
  readParams: (raw) => ({ previousStatus: settledStatus(textParam(raw, 'previousStatus', 'active')) }),
  steps: (ctx, { record, previousStatus, out }) => {
    const { user } = record;
    const { systemUsers, webServer, databases } = ctx.host;
    const home = ctx.host.homeOf(user);
    return [
      { name: 'mark', run: () => ctx.store.accounts.update(user, { status: 'terminating' }) },
      {
        name: 'sessions',
        run: async () => {
          await ctx.store.ownerSessions.deleteByAccount(user);
          await ctx.store.loginLinks.deleteByAccount(user);
        },
      },
      {
        name: 'database_server',
        run: async () => {
          out.dropped = await databases.dropAll(user, record.databases);
        },
      },
      {
        name: 'web_server',
        run: () => webServer.removeSite(user),
        undo: () =>
          webServer.writeSite({
            user,
            domain: record.domain,
            root: `${home}/public_html`,
            suspended: previousStatus === 'suspended',
          }),
      },
      { name: 'reload', run: () => webServer.reload(), undo: () => webServer.reload() },
      { name: 'system_user', run: () => systemUsers.remove(user, home) },
      { name: 'store', run: () => ctx.store.accounts.delete(user) },
    ];
  },
  resume: async (ctx, user, { previousStatus }) => {
    const record = await ctx.store.accounts.get(user);
    return record ? { record, previousStatus, out: { dropped: [] } } : null;
  },
  onFailure: (ctx, { record, previousStatus }) => ctx.store.accounts.update(record.user, { status: previousStatus }),
});
