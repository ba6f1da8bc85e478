import { siteDomains } from '../domain/certificates.js';
import { withSettledAccount } from './account-lock.js';
import { requireAcme } from './issue-certificate.js';
import type { AppContext } from './ports.js';

/**
 * requestCertificate asks for a certificate for the account's current names (its domain and
 * `www.`), due at once with the back-off reset, and wakes `vanta serve`'s scheduler: issuance runs
 * in the background. Call it from the on-demand buttons, and after an account's domain changed: a
 * certificate is served only for the names it carries, so the site is plain HTTP until the new one
 * is installed.
 */
export async function requestCertificate(ctx: AppContext, user: string): Promise<void> {
  const acme = requireAcme(ctx);
  await withSettledAccount(ctx, user, async (record) => {
    await ctx.store.certificates.request(user, siteDomains(record.domain), ctx.now().toISOString());
  });
  acme.wake();
}

/**
 * requestCertificateFor asks for a certificate for `domain` and `www.domain` and wakes the
 * scheduler, without taking the account's lock: for a caller that holds it (a create; a change
 * of the account's domain, which calls it with the new domain once the site serves it). It tells
 * whether it asked: nothing is asked for while certificates are off. An issuance already running
 * for the old names is not installed (its names no longer match) and leaves this request due.
 */
export async function requestCertificateFor(ctx: AppContext, user: string, domain: string): Promise<boolean> {
  if (ctx.acme === null) return false;
  await ctx.store.certificates.request(user, siteDomains(domain), ctx.now().toISOString());
  ctx.acme.wake();
  return true;
}
