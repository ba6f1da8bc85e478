import { DomainError } from '../../domain/errors.js';
import type { PhpSettings } from '../../domain/php.js';
import type { AccountRecord } from '../../store/store.js';
import { accountPhp } from '../account-php.js';
import type { AppContext } from '../ports.js';
import { requestCertificateFor } from '../request-certificate.js';
import type { Step } from '../steps.js';
import { siteOf, reloadStep } from './account-site.js';
import { defineOperation, textParam } from './operation.js';

/** DomainStepsInput is what the steps of a domain change need: the account, the new domain and the one before. */
export interface DomainStepsInput {
  record: AccountRecord;
  domain: string;
  previous: string;
  /** php is the account's PHP, as its plan sets it: the rewritten site keeps passing `*.php` to its pool, or not. */
  php: PhpSettings;
}

/**
 * certificateSteps ask for the site's certificate for the new domain: after the reload, so that the
 * rewritten block answers the ACME challenge for the new name. The scheduler of `vanta serve` issues
 * it in the background; until then the site is served over plain HTTP, as no certificate carries
 * its names. With certificates off, nothing is asked.
 */
export function certificateSteps(ctx: AppContext, input: DomainStepsInput): Step[] {
  return [
    {
      name: 'certificate',
      run: async () => {
        await requestCertificateFor(ctx, input.record.user, input.domain);
      },
    },
  ];
}

/**
 * accountDomain gives an account a new primary domain: the row first (the unique domain column
 * keeps another account from taking it meanwhile), then its server block, checked by `nginx -t`,
 * and a reload; undone in reverse on failure. The PHP pool does not name the domain and is left as
 * it is. Recovery finishes a change cut short: every step is idempotent.
 */
export const accountDomain = defineOperation({
  name: 'account.domain',
  recovery: 'finish',
  params: (input: DomainStepsInput) => ({ domain: input.domain, previous: input.previous }),
  readParams: (raw) => ({ domain: textParam(raw, 'domain', ''), previous: textParam(raw, 'previous', '') }),
  steps: (ctx, input) => {
    const { record, domain, previous, php } = input;
    const { user } = record;
    const { webServer } = ctx.host;
    const site = async (name: string) =>
      webServer.writeSite(
        await siteOf(ctx, user, name, { suspended: record.status === 'suspended', php: php.enabled }),
      );
    return [
      {
        name: 'store',
        run: () => setDomain(ctx, user, domain),
        undo: () => ctx.store.accounts.update(user, { domain: previous }),
      },
      { name: 'web_server', run: () => site(domain), undo: () => site(previous) },
      reloadStep(webServer),
      ...certificateSteps(ctx, input),
    ];
  },
  resume: async (ctx, user, { domain, previous }) => {
    const record = await ctx.store.accounts.get(user);
    if (!record || domain === '') return null;
    return { record, domain, previous: previous || record.domain, php: await accountPhp(ctx, record.plan) };
  },
});

async function setDomain(ctx: AppContext, user: string, domain: string): Promise<void> {
  try {
    await ctx.store.accounts.update(user, { domain });
  } catch (err) {
    // Another account may have taken the domain between the check and the update.
    const holder = await ctx.store.accounts.get(user);
    if (holder?.domain !== domain && (await ctx.store.accounts.domainTaken(domain))) {
      throw new DomainError('domain_exists', `domain ${domain} is already used by an account`, { param: 'domain' });
    }
    throw err;
  }
}
