import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { Store } from '../store.js';
import { kyselyAccounts } from './accounts.js';
import { kyselyAdmins } from './admins.js';
import { kyselyTokens } from './api-tokens.js';
import { kyselyAudit } from './audit-log.js';
import { kyselyCertificates } from './certificates.js';
import { kyselyDatabases } from './databases.js';
import { kyselyDiskUsage } from './disk-usage.js';
import { kyselyIdempotency } from './idempotency-keys.js';
import { kyselyLocks } from './locks.js';
import { kyselyOperations } from './operations.js';
import { kyselyLoginLinks } from './owner-login-links.js';
import { kyselyOwnerSessions } from './owner-sessions.js';
import { kyselyTwoFactor } from './owner-two-factor.js';
import { kyselyPlans } from './plans.js';
import { kyselyTraffic } from './traffic.js';

/** KyselyStoreOptions are what the store can use beyond SQL. */
export interface KyselyStoreOptions {
  /**
   * dataVersion answers SQLite's `pragma data_version` on the store's own connection: it changes whenever another
   * connection (the CLI, another server) commits, which lets reads that are cached in memory stay exact.
   */
  dataVersion?: () => number;
  /** writes counts the statements that may have written, run on the store's own connection. */
  writes?: () => number;
}

/** KyselyStore implements the Store over any Kysely dialect whose SQL it speaks (SQLite today), one file a table. */
export class KyselyStore implements Store {
  readonly accounts: Store['accounts'];
  readonly databases: Store['databases'];
  readonly plans: Store['plans'];
  readonly tokens: Store['tokens'];
  readonly admins: Store['admins'];
  readonly audit: Store['audit'];
  readonly locks: Store['locks'];
  readonly operations: Store['operations'];
  readonly ownerSessions: Store['ownerSessions'];
  readonly twoFactor: Store['twoFactor'];
  readonly loginLinks: Store['loginLinks'];
  readonly diskUsage: Store['diskUsage'];
  readonly traffic: Store['traffic'];
  readonly idempotency: Store['idempotency'];
  readonly certificates: Store['certificates'];
  readonly version: Store['version'];

  private readonly db: Kysely<Database>;

  constructor(db: Kysely<Database>, options: KyselyStoreOptions = {}) {
    this.db = db;
    this.accounts = kyselyAccounts(db, options.dataVersion);
    this.databases = kyselyDatabases(db);
    this.plans = kyselyPlans(db);
    this.tokens = kyselyTokens(db, options.dataVersion);
    this.admins = kyselyAdmins(db);
    this.audit = kyselyAudit(db);
    this.locks = kyselyLocks(db);
    this.operations = kyselyOperations(db);
    this.ownerSessions = kyselyOwnerSessions(db);
    this.twoFactor = kyselyTwoFactor(db);
    this.loginLinks = kyselyLoginLinks(db);
    this.diskUsage = kyselyDiskUsage(db);
    this.traffic = kyselyTraffic(db);
    this.idempotency = kyselyIdempotency(db);
    this.certificates = kyselyCertificates(db);
    const { dataVersion, writes } = options;
    if (dataVersion !== undefined && writes !== undefined) this.version = () => `${dataVersion()}.${writes()}`;
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
