import type { PhpSettings } from '../../domain/php.js';
import type { AccountRecord } from '../../store/store.js';
import { accountPhp } from '../account-php.js';
import { siteOf, unparkPool, reloadStep } from './account-site.js';
import { defineOperation, textParam } from './operation.js';

/** SuspendStepsInput is what the steps of a suspend need. */
export interface SuspendStepsInput {
  record: AccountRecord;
  reason: string | null;
  suspendedAt: string;
  /** php is the account's PHP, as its plan sets it. */
  php: PhpSettings;
}

/**
 * accountSuspend ends the owner's user-panel sessions, locks the system user, serves the
 * "suspended" page, takes the PHP pool out of service and ends its workers, and locks the database
 * users, then records the suspension. Recovery finishes a suspend cut short.
 */
export const accountSuspend = defineOperation({
  name: 'account.suspend',
  recovery: 'finish',
  params: (input: SuspendStepsInput) => ({ reason: input.reason, suspendedAt: input.suspendedAt }),
  readParams: (raw) => ({ reason: textParam(raw, 'reason', null), suspendedAt: textParam(raw, 'suspendedAt', null) }),
  steps: (ctx, { record, reason, suspendedAt, php }) => {
    const { user, domain } = record;
    const { systemUsers, webServer, databases } = ctx.host;
    const site = (suspended: boolean) => siteOf(ctx, user, domain, { suspended, php: php.enabled });
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
        run: async () => webServer.writeSite(await site(true)),
        undo: async () => webServer.writeSite(await site(false)),
      },
      reloadStep(webServer),
      {
        // The site answers 503 already; the pool goes out of service and no worker of it is left.
        name: 'php_pool',
        run: async () => {
          if (php.enabled) await ctx.host.php.disablePool(user);
        },
        undo: async () => {
          if (php.enabled) await unparkPool(ctx, user, php);
        },
      },
      {
        name: 'php_reload',
        run: async () => {
          if (!php.enabled) return;
          await ctx.host.php.reload();
          await ctx.host.php.endWorkers(user, ctx.host.homeOf(user));
        },
      },
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
    return {
      record,
      reason: params.reason,
      suspendedAt: params.suspendedAt ?? ctx.now().toISOString(),
      php: await accountPhp(ctx, record.plan),
    };
  },
});
