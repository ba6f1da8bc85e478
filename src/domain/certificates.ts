/** CertificateStatus is where an account's certificate stands. */
export type CertificateStatus = 'pending' | 'valid' | 'failed' | 'expired';

/** AccountTls is the TLS state an Account shows: `none` until a certificate was ever asked for. */
export interface AccountTls {
  status: CertificateStatus | 'none';
  expiresAt: string | null;
}

/** CertificateState is one account's certificate as the store keeps it. */
export interface CertificateState {
  account: string;
  /** domains are the names the certificate is (or is to be) issued for, the account's domain first. */
  domains: string[];
  status: CertificateStatus;
  /** version names the installed key and certificate files; null while none was ever installed. */
  version: string | null;
  notBefore: string | null;
  notAfter: string | null;
  serial: string | null;
  fingerprint: string | null;
  /** ariStart and ariEnd are the CA's suggested renewal window (RFC 9773), when it offers one. */
  ariStart: string | null;
  ariEnd: string | null;
  /** forceHttps redirects plain HTTP to HTTPS while a certificate is installed. */
  forceHttps: boolean;
  /** failures counts the attempts that failed in a row, for the back-off. */
  failures: number;
  lastAttemptAt: string | null;
  /** lastError is the CA's own problem text (or the local failure) of the last failed attempt. */
  lastError: string | null;
  /** nextAttemptAt is when the scheduler next issues or renews it; null: never on its own. */
  nextAttemptAt: string | null;
}

/** HOUR_MS is one hour: the first back-off step. */
const HOUR_MS = 3_600_000;

/** MAX_BACKOFF_MS caps the back-off after failures at a day. */
const MAX_BACKOFF_MS = 24 * HOUR_MS;

/** siteDomains are the names an account's certificate covers: its domain and `www.` in front of it. */
export function siteDomains(domain: string): string[] {
  return [domain, `www.${domain}`];
}

/** sameDomains tells whether a certificate's names are exactly those the account needs now. */
export function sameDomains(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, i) => name === b[i]);
}

/** backoffMs is the wait after the `failures`-th failure in a row: 1 h, 2 h, 4 h … capped at 24 h. */
export function backoffMs(failures: number): number {
  const n = Math.max(1, failures);
  return Math.min(MAX_BACKOFF_MS, HOUR_MS * 2 ** Math.min(n - 1, 10));
}

/**
 * renewalTime is when a certificate is renewed: inside the CA's suggested window when it gave one
 * (at the point `random` picks, so that a fleet does not renew at one instant), otherwise when a
 * third of its lifetime remains, whatever that lifetime is.
 */
export function renewalTime(
  notBefore: Date,
  notAfter: Date,
  window: { start: Date; end: Date } | null,
  random: number,
): Date {
  if (window && window.end.getTime() >= window.start.getTime()) {
    const span = window.end.getTime() - window.start.getTime();
    return new Date(window.start.getTime() + Math.floor(span * Math.min(Math.max(random, 0), 1)));
  }
  const lifetime = notAfter.getTime() - notBefore.getTime();
  return new Date(notAfter.getTime() - Math.floor(lifetime / 3));
}

/** shownStatus is the status a reader sees: a valid or failed certificate past its not-after is `expired`. */
export function shownStatus(state: Pick<CertificateState, 'status' | 'notAfter'>, now: Date): CertificateStatus {
  if (state.notAfter !== null && state.status !== 'pending' && Date.parse(state.notAfter) <= now.getTime())
    return 'expired';
  return state.status;
}

/** accountTls is the Account object's view of a certificate (or of none). */
export function accountTls(state: Pick<CertificateState, 'status' | 'notAfter'> | null, now: Date): AccountTls {
  if (state === null) return { status: 'none', expiresAt: null };
  return { status: shownStatus(state, now), expiresAt: state.notAfter };
}

/** NEEDS_ATTENTION_MS is how close to its not-after a certificate is listed on the dashboard. */
export const NEEDS_ATTENTION_MS = 14 * 24 * HOUR_MS;

/** needsAttention tells whether a certificate belongs on the dashboard's list: failing, expired or expiring soon. */
export function needsAttention(state: Pick<CertificateState, 'status' | 'notAfter'>, now: Date): boolean {
  const shown = shownStatus(state, now);
  if (shown === 'failed' || shown === 'expired') return true;
  return state.notAfter !== null && Date.parse(state.notAfter) - now.getTime() < NEEDS_ATTENTION_MS;
}

/** newCertificateVersion names a pair after the time it was made, plus randomness so two never collide. */
export function newCertificateVersion(now: Date, randomHex: string): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.[0-9]{3}Z$/, 'Z');
  return `${stamp}-${randomHex}`;
}
