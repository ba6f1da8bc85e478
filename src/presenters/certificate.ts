import type { CertificateListing } from '../store/store.js';

/** CertificateJson is one certificate as `vanta cert list --json` prints it. */
export interface CertificateJson {
  user: string;
  domain: string;
  domains: string[];
  status: string;
  not_after: string | null;
  force_https: boolean;
  last_attempt_at: string | null;
  last_error: string | null;
  next_attempt_at: string | null;
}

/** certificateJson renders a certificate for the CLI's JSON output. */
export function certificateJson(c: CertificateListing): CertificateJson {
  return {
    user: c.account,
    domain: c.domain,
    domains: c.domains,
    status: c.status,
    not_after: c.notAfter,
    force_https: c.forceHttps,
    last_attempt_at: c.lastAttemptAt,
    last_error: c.lastError,
    next_attempt_at: c.nextAttemptAt,
  };
}
