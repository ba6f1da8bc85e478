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
import { kyselyLocks } from './locks.js';
import { kyselyOperations } from './operations.js';
import { kyselyLoginLinks } from './owner-login-links.js';
import { kyselyOwnerSessions } from './owner-sessions.js';
import { kyselyTwoFactor } from './owner-two-factor.js';
import { kyselyPlans } from './plans.js';

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
  readonly certificates: Store['certificates'];

  constructor(
    db: Kysely<Database>,
    private readonly onClose: () => Promise<void> = async () => db.destroy(),
  ) {
    this.accounts = kyselyAccounts(db);
    this.databases = kyselyDatabases(db);
    this.plans = kyselyPlans(db);
    this.tokens = kyselyTokens(db);
    this.admins = kyselyAdmins(db);
    this.audit = kyselyAudit(db);
    this.locks = kyselyLocks(db);
    this.operations = kyselyOperations(db);
    this.ownerSessions = kyselyOwnerSessions(db);
    this.twoFactor = kyselyTwoFactor(db);
    this.loginLinks = kyselyLoginLinks(db);
    this.diskUsage = kyselyDiskUsage(db);
    this.certificates = kyselyCertificates(db);
  }

  async close(): Promise<void> {
    await this.onClose();
  }
}
