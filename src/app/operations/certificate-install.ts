import type { CertificateState } from '../../domain/certificates.js';
import type { PhpSettings } from '../../domain/php.js';
import type { InstalledCertificate } from '../../store/store.js';
import { accountPhp } from '../account-php.js';
import { siteOf, siteTls, reloadStep } from './account-site.js';
import { defineOperation, textParam } from './operation.js';

/** CertificateInstallInput is what the steps of an install need: the pair is already written under `cert.version`. */
export interface CertificateInstallInput {
  user: string;
  domain: string;
  suspended: boolean;
  php: PhpSettings;
  cert: InstalledCertificate;
  /** previousVersion is the pair served until now, removed at the end; null when there was none. */
  previousVersion: string | null;
  /** previous is the stored state before the install, put back when a live run fails; recovery has none. */
  previous?: CertificateState;
}

/**
 * certificateInstall switches an account's site to a new key and certificate pair, written whole
 * beforehand under a version of its own: the store names the new pair, the server block is
 * rewritten and checked, nginx reloads, and only then is the old pair removed. nginx loads either
 * the old pair or the new one, never a half-written one, and the site is never without one.
 * Recovery finishes an install cut short (every step is idempotent, the new pair is complete).
 */
export const certificateInstall = defineOperation({
  name: 'certificate.install',
  recovery: 'finish',
  params: (input: CertificateInstallInput) => ({
    version: input.cert.version,
    previousVersion: input.previousVersion,
    domains: JSON.stringify(input.cert.domains),
    notBefore: input.cert.notBefore,
    notAfter: input.cert.notAfter,
    serial: input.cert.serial,
    fingerprint: input.cert.fingerprint,
    ariStart: input.cert.ariStart,
    ariEnd: input.cert.ariEnd,
    at: input.cert.at,
    nextAttemptAt: input.cert.nextAttemptAt,
  }),
  readParams: (raw) => ({
    version: textParam(raw, 'version', ''),
    previousVersion: textParam(raw, 'previousVersion', null),
    domains: textParam(raw, 'domains', '[]'),
    notBefore: textParam(raw, 'notBefore', ''),
    notAfter: textParam(raw, 'notAfter', ''),
    serial: textParam(raw, 'serial', ''),
    fingerprint: textParam(raw, 'fingerprint', ''),
    ariStart: textParam(raw, 'ariStart', null),
    ariEnd: textParam(raw, 'ariEnd', null),
    at: textParam(raw, 'at', ''),
    nextAttemptAt: textParam(raw, 'nextAttemptAt', ''),
  }),
  steps: (ctx, input) => {
    const { user, domain, cert, previous } = input;
    const { webServer } = ctx.host;
    const state = { suspended: input.suspended, php: input.php.enabled };
    return [
      {
        name: 'record',
        run: () => ctx.store.certificates.installed(user, cert),
        undo: async () => {
          if (previous) await ctx.store.certificates.put(previous);
        },
      },
      {
        name: 'web_server',
        run: async () => webServer.writeSite(await siteOf(ctx, user, domain, state)),
        undo: async () =>
          webServer.writeSite({
            ...(await siteOf(ctx, user, domain, state)),
            tls: siteTls(ctx, user, domain, previous),
          }),
      },
      reloadStep(webServer),
      {
        name: 'cleanup',
        run: async () => {
          if (input.previousVersion !== null && input.previousVersion !== cert.version)
            await ctx.host.certificates.remove(user, input.previousVersion);
        },
      },
    ];
  },
  resume: async (ctx, user, params) => {
    const record = await ctx.store.accounts.get(user);
    if (!record || (record.status !== 'active' && record.status !== 'suspended') || params.version === '') return null;
    return {
      user,
      domain: record.domain,
      suspended: record.status === 'suspended',
      php: await accountPhp(ctx, record.plan),
      previousVersion: params.previousVersion,
      cert: {
        domains: JSON.parse(params.domains) as string[],
        version: params.version,
        notBefore: params.notBefore,
        notAfter: params.notAfter,
        serial: params.serial,
        fingerprint: params.fingerprint,
        ariStart: params.ariStart,
        ariEnd: params.ariEnd,
        at: params.at,
        nextAttemptAt: params.nextAttemptAt,
      },
    };
  },
});
