import { X509Certificate, createPrivateKey, randomBytes } from 'node:crypto';
import {
  type CertificateState,
  backoffMs,
  newCertificateVersion,
  renewalTime,
  sameDomains,
  shownStatus,
  siteDomains,
} from '../domain/certificates.js';
import { DomainError, isDomainError } from '../domain/errors.js';
import type { Actor } from '../domain/types.js';
import type { AccountRecord, InstalledCertificate } from '../store/store.js';
import { withAccountLock } from './account-lock.js';
import { accountPhp } from './account-php.js';
import { recordAudit } from './audit.js';
import { requireAccount } from './get-account.js';
import { runJournalled } from './journal.js';
import { certificateInstall } from './operations/certificate-install.js';
import type { Acme, AppContext, RenewalWindow } from './ports.js';

/** ACME_ACTOR is who the audit log names for what the certificate scheduler did. */
export const ACME_ACTOR: Actor = { type: 'system', id: null, name: 'acme' };

/** CertificateAttempt is what one attempt did: `skipped` when the account was busy or not settled. */
export interface CertificateAttempt {
  user: string;
  outcome: 'issued' | 'failed' | 'skipped';
  notAfter?: string;
  error?: string;
}

/** requireAcme gives the context's certificate work, or `acme_disabled`. */
export function requireAcme(ctx: AppContext): Acme {
  if (ctx.acme === null) {
    throw new DomainError('acme_disabled', 'certificates are off on this panel (VANTA_ACME_DIRECTORY=off)');
  }
  return ctx.acme;
}

/**
 * issueCertificate issues (or renews) the account's certificate now, for its current names, and
 * installs it: the attempt the scheduler makes for each certificate due, and the CLI's `cert issue`
 * and `cert renew`. A failure is recorded (the CA's text, the back-off, the next attempt) and keeps
 * the installed certificate; with `audit` the outcome is audited as `system:acme`. It throws
 * `certificate_failed` with the CA's text when `throwOnFailure` asks (the CLI), and answers
 * `skipped` while another process works on the account's certificate.
 */
export async function issueCertificate(
  ctx: AppContext,
  user: string,
  opts: { audit: boolean; throwOnFailure: boolean },
): Promise<CertificateAttempt> {
  const acme = requireAcme(ctx);
  const key = `certificate:${user}`;
  if (!(await ctx.store.locks.acquire(key, ctx.lockOwner, ctx.now().getTime(), ctx.lockTtlMs))) {
    if (opts.throwOnFailure) throw new DomainError('account_busy', `a certificate of ${user} is being issued`);
    return { user, outcome: 'skipped' };
  }
  try {
    const record = opts.throwOnFailure ? await requireAccount(ctx, user) : await ctx.store.accounts.get(user);
    if (!record || (record.status !== 'active' && record.status !== 'suspended')) {
      if (record && opts.throwOnFailure) throw new DomainError('account_busy', `account ${user} is ${record.status}`);
      return { user, outcome: 'skipped' };
    }
    const domains = siteDomains(record.domain);
    let state = await ctx.store.certificates.get(user);
    // A row with other names keeps them (they are what is served) and its back-off: the attempt is
    // for the account's names either way, and a domain change already made the row due.
    if (!state) {
      await ctx.store.certificates.request(user, domains, ctx.now().toISOString());
      state = await ctx.store.certificates.get(user);
      if (!state) return { user, outcome: 'skipped' };
    }
    const attempt = await attemptOnce(ctx, acme, record, state, domains);
    if (opts.audit) await auditAttempt(ctx, state, attempt);
    if (attempt.outcome === 'failed' && opts.throwOnFailure) {
      throw new DomainError('certificate_failed', `the certificate of ${user} was not issued: ${attempt.error}`);
    }
    return attempt;
  } finally {
    await ctx.store.locks.release(key, ctx.lockOwner);
  }
}

async function attemptOnce(
  ctx: AppContext,
  acme: Acme,
  record: AccountRecord,
  state: CertificateState,
  domains: string[],
): Promise<CertificateAttempt> {
  const { user } = record;
  let version: string | null = null;
  try {
    const issued = await acme.ca.issue(domains, {
      put: (token, keyAuthorization) => ctx.host.certificates.putChallenge(token, keyAuthorization),
      remove: (token) => ctx.host.certificates.removeChallenge(token),
    });
    const x509 = new X509Certificate(issued.certPem);
    if (!x509.checkPrivateKey(createPrivateKey(issued.keyPem)))
      throw new Error('the CA returned a certificate for another key');
    const window = await renewalWindow(ctx, acme, issued.certPem);
    const notBefore = new Date(x509.validFrom);
    const notAfter = new Date(x509.validTo);
    const at = ctx.now();
    version = newCertificateVersion(at, randomBytes(4).toString('hex'));
    await ctx.host.certificates.install(user, version, issued.keyPem, issued.certPem);
    const cert: InstalledCertificate = {
      domains,
      version,
      notBefore: notBefore.toISOString(),
      notAfter: notAfter.toISOString(),
      serial: x509.serialNumber,
      fingerprint: x509.fingerprint256,
      ariStart: window?.start.toISOString() ?? null,
      ariEnd: window?.end.toISOString() ?? null,
      at: at.toISOString(),
      nextAttemptAt: renewalTime(notBefore, notAfter, window, Math.random()).toISOString(),
    };
    await install(ctx, record, state, cert);
    ctx.logger.info({ user, notAfter: cert.notAfter }, 'certificate installed');
    return { user, outcome: 'issued', notAfter: cert.notAfter };
  } catch (err) {
    if (version !== null) await ctx.host.certificates.remove(user, version).catch(() => {});
    if (err instanceof StaleOrder) {
      // The account's names changed meanwhile: the request for the new ones stays due, unpenalised.
      ctx.logger.info({ user }, err.message);
      return { user, outcome: 'skipped' };
    }
    const error = failureText(err);
    const failures = state.failures + 1;
    const now = ctx.now();
    await ctx.store.certificates.failed(user, {
      status: state.version === null ? 'failed' : shownStatus({ status: 'failed', notAfter: state.notAfter }, now),
      failures,
      error,
      at: now.toISOString(),
      nextAttemptAt: new Date(now.getTime() + backoffMs(failures)).toISOString(),
    });
    ctx.logger.warn({ user, error, failures }, 'certificate not issued');
    return { user, outcome: 'failed', error };
  }
}

/** StaleOrder is a certificate issued for names the account no longer has: it is not installed. */
class StaleOrder extends Error {
  override readonly name = 'StaleOrder';
}

/** install switches the site to the new pair under the account's lock, waiting a little for an operation in progress. */
async function install(
  ctx: AppContext,
  record: AccountRecord,
  previous: CertificateState,
  cert: InstalledCertificate,
): Promise<void> {
  for (let tries = 0; ; tries++) {
    try {
      await withAccountLock(ctx, record.user, async () => {
        const current = await requireAccount(ctx, record.user);
        if (current.status !== 'active' && current.status !== 'suspended')
          throw new Error(`account ${current.user} is ${current.status}`);
        if (!sameDomains(cert.domains, siteDomains(current.domain)))
          throw new StaleOrder(`account ${current.user} changed its domain during the issuance`);
        await runJournalled(ctx, certificateInstall, current.user, {
          user: current.user,
          domain: current.domain,
          suspended: current.status === 'suspended',
          php: await accountPhp(ctx, current.plan),
          cert,
          previousVersion: previous.version,
          previous,
        });
      });
      return;
    } catch (err) {
      if (!isDomainError(err) || err.code !== 'account_busy' || tries >= 40) throw err;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** renewalWindow asks the CA for its suggested window; a CA that cannot answer leaves the third-of-lifetime rule. */
async function renewalWindow(ctx: AppContext, acme: Acme, certPem: string): Promise<RenewalWindow | null> {
  try {
    return await acme.ca.renewalWindow(certPem);
  } catch (err) {
    ctx.logger.warn({ err }, 'the CA gave no renewal information');
    return null;
  }
}

function failureText(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/\s+/g, ' ').trim().slice(0, 1000) || 'unknown failure';
}

async function auditAttempt(ctx: AppContext, before: CertificateState, attempt: CertificateAttempt): Promise<void> {
  const action = before.version === null ? 'certificate.issue' : 'certificate.renew';
  const params =
    attempt.outcome === 'issued' ? { domains: before.domains, not_after: attempt.notAfter } : { error: attempt.error };
  await recordAudit(
    ctx,
    { actor: ACME_ACTOR, action, target: attempt.user, params },
    attempt.outcome === 'issued' ? 'ok' : 'certificate_failed',
    null,
  );
}
