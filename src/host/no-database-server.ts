import { DomainError } from '../domain/errors.js';
import type { DatabaseServer, HostFormsRepair } from './ports.js';

function unavailable(): DomainError {
  return new DomainError(
    'databases_unavailable',
    'no database server is configured: set VANTA_MYSQL_URL to use customer databases',
  );
}

/**
 * NoDatabaseServer stands where no MariaDB server is configured: database calls answer
 * `databases_unavailable`; an account without databases needs nothing from it, and one that has
 * databases cannot be changed without the server.
 */
export class NoDatabaseServer implements DatabaseServer {
  readonly available = false;
  readonly label = 'unavailable (VANTA_MYSQL_URL not set)';

  async createDatabase(): Promise<void> {
    throw unavailable();
  }

  async dropDatabase(): Promise<void> {
    throw unavailable();
  }

  async createUser(): Promise<void> {
    throw unavailable();
  }

  async grantAll(): Promise<void> {
    throw unavailable();
  }

  async setPassword(): Promise<void> {
    throw unavailable();
  }

  async dropUser(): Promise<void> {
    throw unavailable();
  }

  async lockUsers(_user: string, databases: readonly string[]): Promise<void> {
    this.requireNone(databases);
  }

  async unlockUsers(_user: string, databases: readonly string[]): Promise<void> {
    this.requireNone(databases);
  }

  async dropAll(_user: string, databases: readonly string[]): Promise<string[]> {
    this.requireNone(databases);
    return [];
  }

  async repairHostForms(dbUsers: readonly string[]): Promise<HostFormsRepair> {
    if (dbUsers.length > 0) throw unavailable();
    return { added: [], skipped: [] };
  }

  async close(): Promise<void> {}

  private requireNone(databases: readonly string[]): void {
    if (databases.length > 0) {
      throw new DomainError('provisioning_failed', 'no database server is configured (VANTA_MYSQL_URL)', {
        step: 'database_server',
      });
    }
  }
}
