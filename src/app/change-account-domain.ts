import { DomainError } from '../domain/errors.js';
import { collidingDomains, normalizeDomain } from '../domain/validation.js';
import { withSettledAccount } from './account-lock.js';
import { accountPhp } from './account-php.js';
import { publicAccount, requireAccount } from './get-account.js';
import { runJournalled } from './journal.js';
import { accountDomain } from './operations/account-domain.js';
import type { AppContext } from './ports.js';
import type { AccountChange } from './suspend-account.js';

/**
 * changeAccountDomain gives an account another primary domain, checked as at create
 * (`invalid_domain`) and free (`domain_exists`); its site answers for the new name and no longer for
 * the old one. The domain it already has changes nothing.
 */
export async function changeAccountDomain(ctx: AppContext, user: string, domainInput: string): Promise<AccountChange> {
  await requireAccount(ctx, user);
  const domain = normalizeDomain(domainInput);
  return withSettledAccount(ctx, user, async (record) => {
    if (record.domain === domain) return { account: publicAccount(record), changed: false };
    if (await ctx.store.accounts.domainTaken(collidingDomains(domain), user)) {
      throw new DomainError('domain_exists', `domain ${domain} or www. of it is already used by an account`, {
        param: 'domain',
      });
    }
    const php = await accountPhp(ctx, record.plan);
    await runJournalled(ctx, accountDomain, user, { record, domain, previous: record.domain, php });
    return { account: publicAccount({ ...record, domain }), changed: true };
  });
}
