import { DomainError } from '../domain/errors.js';
import { requireAccount } from './get-account.js';
import { type CertificateAttempt, issueCertificate, requireAcme } from './issue-certificate.js';
import type { AppContext } from './ports.js';

/**
 * issueCertificateNow issues the account's certificate at once and waits for the outcome (the
 * CLI's `cert issue`): `certificate_failed` with the CA's text when it fails.
 */
export async function issueCertificateNow(ctx: AppContext, user: string): Promise<CertificateAttempt> {
  requireAcme(ctx);
  await requireAccount(ctx, user);
  return issueCertificate(ctx, user, { audit: false, throwOnFailure: true });
}

/**
 * renewCertificateNow renews an installed certificate at once, however far its renewal time is
 * (the CLI's `cert renew`); `certificate_not_found` when none was installed yet.
 */
export async function renewCertificateNow(ctx: AppContext, user: string): Promise<CertificateAttempt> {
  requireAcme(ctx);
  await requireAccount(ctx, user);
  const state = await ctx.store.certificates.get(user);
  if (!state?.version) throw new DomainError('certificate_not_found', `account ${user} has no certificate installed`);
  return issueCertificate(ctx, user, { audit: false, throwOnFailure: true });
}
