import { DomainError } from '../domain/errors.js';
import { withSettledAccount } from './account-lock.js';
import { accountPhp } from './account-php.js';
import { siteOf } from './operations/account-site.js';
import type { AppContext } from './ports.js';

/**
 * setForceHttps turns the account's redirect from HTTP to HTTPS on or off and rewrites its site
 * (checked, then reloaded); `certificate_not_found` while the account has no certificate row.
 */
export async function setForceHttps(ctx: AppContext, user: string, on: boolean): Promise<void> {
  await withSettledAccount(ctx, user, async (record) => {
    const state = await ctx.store.certificates.get(user);
    if (!state) throw new DomainError('certificate_not_found', `account ${user} has no certificate`);
    await ctx.store.certificates.setForceHttps(user, on);
    try {
      const php = await accountPhp(ctx, record.plan);
      const site = await siteOf(ctx, user, record.domain, {
        suspended: record.status === 'suspended',
        php: php.enabled,
      });
      await ctx.host.webServer.writeSite(site);
      await ctx.host.webServer.reload();
    } catch (err) {
      await ctx.store.certificates.setForceHttps(user, state.forceHttps);
      throw err;
    }
  });
}
