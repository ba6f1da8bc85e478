import type { Keyring } from '../domain/keyring.js';
import type { HostDrivers, PasswordHasher } from '../host/ports.js';
import type { Store } from '../store/store.js';

/** Logger is the subset of pino the use cases need. */
export interface Logger {
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
}
