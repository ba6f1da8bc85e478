import type { Keyring } from '../domain/keyring.js';
import type { HostDrivers, PasswordHasher } from '../host/ports.js';
import type { Store } from '../store/store.js';

/** Logger is the subset of pino the use cases need. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** TokenUseSink receives each successful token authentication. */
export interface TokenUseSink {
  record(tokenId: number, at: string, ip: string): void;
  /** flush writes the uses recorded so far, so that a listing shows them. */
  flush(): Promise<void>;
}

/** ChallengeAnswers publish and withdraw http-01 answers where every site serves them. */
export interface ChallengeAnswers {
  put(token: string, keyAuthorization: string): Promise<void>;
  remove(token: string): Promise<void>;
}

/** IssuedCertificate is a new private key and the certificate chain the CA issued for it (PEM). */
export interface IssuedCertificate {
  keyPem: string;
  certPem: string;
}

/** RenewalWindow is a CA's suggested renewal window (ACME Renewal Information, RFC 9773). */
export interface RenewalWindow {
  start: Date;
  end: Date;
}

/** CertificateAuthorityError is a failure the CA reported; its message is the CA's own problem text. */
export class CertificateAuthorityError extends Error {
  override readonly name = 'CertificateAuthorityError';
}

/** CertificateAuthority is the port for the ACME CA that issues the sites' certificates. */
export interface CertificateAuthority {
  /** label names the CA (its directory URL) for logs. */
  readonly label: string;
  /** issue orders a certificate for `domains`, answering the http-01 challenges through `answers`. */
  issue(domains: readonly string[], answers: ChallengeAnswers): Promise<IssuedCertificate>;
  /** renewalWindow is the CA's suggested window for renewing `certPem`; null when its directory offers none. */
  renewalWindow(certPem: string): Promise<RenewalWindow | null>;
}

/** Acme is the certificate work of a context: the CA, and a way to ask `vanta serve`'s scheduler for a pass. */
export interface Acme {
  ca: CertificateAuthority;
  /** wake asks the scheduler for a pass soon; a no-op in a process that runs none (the CLI). */
  wake(): void;
}

/** AppContext is everything a use case may touch; each door and each test builds its own. */
export interface AppContext {
  store: Store;
  host: HostDrivers;
  hasher: PasswordHasher;
  logger: Logger;
  now: () => Date;
  tokenUse: TokenUseSink;
  /** lockOwner names this process in the shared lock table. */
  lockOwner: string;
  /** lockTtlMs is how long a lock lives when its holder dies without releasing it. */
  lockTtlMs: number;
  /**
   * keyring gives the panel's secret keys (two-factor secrets are sealed with them), read from the
   * key file outside the store the first time they are needed.
   */
  keyring: () => Promise<Keyring>;
  /** publicIp is the address the accounts' domains point to (the Account object's `ip`); null when none is known. */
  publicIp: string | null;
  /** acme issues and renews the sites' certificates; null when VANTA_ACME_DIRECTORY is `off`. */
  acme: Acme | null;
}
