import type { PhpSettings } from '../../domain/php.js';
import type { AccountRecord } from '../../store/store.js';
import { accountPhp } from '../account-php.js';
import { putPool, siteOf, reloadStep } from './account-site.js';
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
  /** php is the account's PHP, as its plan sets it. */
  php: PhpSettings;
  out: { dropped: string[] };
}

/**
 * accountTerminate marks the account `terminating`, ends the owner's user-panel sessions and
 * sign-on links, drops its databases, site, certificates, PHP pool, system user and home, then its rows. The pool
 * goes (and PHP-FPM is reloaded) before the user: a pool naming a user that no longer exists fails
 * `php-fpm -t`, which would refuse every later reload. Dropped databases cannot come back, so a failure puts the account back in
 * its former status with the remaining steps still to do, and recovery finishes a terminate cut short.
 */
export const accountTerminate = defineOperation({
  name: 'account.terminate',
  recovery: 'finish',
  params: (input: TerminateStepsInput) => ({ previousStatus: input.previousStatus }),
  readParams: (raw) => ({ previousStatus: settledStatus(textParam(raw, 'previousStatus', 'active')) }),
  steps: (ctx, { record, previousStatus, php, out }) => {
    const { user } = record;
    const { systemUsers, webServer, databases } = ctx.host;
    const home = ctx.host.homeOf(user);
    const suspended = previousStatus === 'suspended';
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
        undo: async () => webServer.writeSite(await siteOf(ctx, user, record.domain, { suspended, php: php.enabled })),
      },
      reloadStep(webServer),
      // Once nginx no longer names them: the key and certificate go (nothing is revoked), so that
      // no later account is ever served this account's certificate.
      {
        name: 'certificates',
        run: async () => {
          await ctx.host.certificates.removeAll(user);
          await ctx.store.certificates.delete(user);
        },
      },
      {
        name: 'php_pool',
        run: async () => {
          await ctx.host.php.removePool(user);
        },
        undo: async () => {
          if (!php.enabled) return;
          await putPool(ctx, user, php, suspended);
          await ctx.host.php.reload();
        },
      },
      {
        name: 'php_reload',
        run: async () => {
          if (php.enabled) await ctx.host.php.reload();
          await ctx.host.php.endWorkers(user, ctx.host.homeOf(user));
        },
      },
      { name: 'system_user', run: () => systemUsers.remove(user, home) },
      { name: 'store', run: () => ctx.store.accounts.delete(user) },
    ];
  },
  resume: async (ctx, user, { previousStatus }) => {
    const record = await ctx.store.accounts.get(user);
    if (!record) return null;
    return { record, previousStatus, php: await accountPhp(ctx, record.plan), out: { dropped: [] } };
  },
  onFailure: (ctx, { record, previousStatus }) => ctx.store.accounts.update(record.user, { status: previousStatus }),
});
