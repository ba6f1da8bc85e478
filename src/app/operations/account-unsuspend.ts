import type { PhpSettings } from '../../domain/php.js';
import type { AccountRecord } from '../../store/store.js';
import { accountPhp } from '../account-php.js';
import { parkPool, poolOf, siteOf, reloadStep } from './account-site.js';
import { defineOperation } from './operation.js';

/** UnsuspendStepsInput is what the steps of an unsuspend need. */
export interface UnsuspendStepsInput {
  record: AccountRecord;
  /** php is the account's PHP, as its plan sets it. */
  php: PhpSettings;
}

/**
 * accountUnsuspend is the exact reverse of accountSuspend; the PHP pool is back in service before
 * the site answers again. Recovery finishes an unsuspend cut short.
 */
export const accountUnsuspend = defineOperation({
  name: 'account.unsuspend',
  recovery: 'finish',
  params: (_input: UnsuspendStepsInput) => ({}),
  readParams: () => ({}),
  steps: (ctx, { record, php }) => {
    const { user, domain } = record;
    const { systemUsers, webServer, databases } = ctx.host;
    const site = (suspended: boolean) => siteOf(ctx, user, domain, { suspended, php: php.enabled });
    return [
      {
        name: 'database_server',
        run: () => databases.unlockUsers(user, record.databases),
        undo: () => databases.lockUsers(user, record.databases),
      },
      {
        // Rewritten first: with the plan's limits of today, and made when it is not there (an
        // account suspended before it had PHP); then put back into service.
        name: 'php_pool',
        run: async () => {
          if (!php.enabled) return;
          await ctx.host.php.writePool(poolOf(ctx, user, php));
          await ctx.host.php.enablePool(user);
        },
        undo: async () => {
          if (php.enabled) await parkPool(ctx, user);
        },
      },
      {
        name: 'php_reload',
        run: async () => {
          if (php.enabled) await ctx.host.php.reload();
        },
      },
      {
        name: 'web_server',
        run: async () => webServer.writeSite(await site(false)),
        undo: async () => webServer.writeSite(await site(true)),
      },
      reloadStep(webServer),
      { name: 'system_user', run: () => systemUsers.unlock(user), undo: () => systemUsers.lock(user) },
      {
        name: 'store',
        run: () => ctx.store.accounts.update(user, { status: 'active', suspendReason: null, suspendedAt: null }),
      },
    ];
  },
  resume: async (ctx, user) => {
    const record = await ctx.store.accounts.get(user);
    return record ? { record, php: await accountPhp(ctx, record.plan) } : null;
  },
});
