import { DomainError } from '../domain/errors.js';
import type { DatabaseServer } from './ports.js';

/**
 * NoDatabaseServer stands where no MariaDB server is configured: an account without databases
 * needs nothing from it, and one that has databases cannot be changed without the server.
 */
export class NoDatabaseServer implements DatabaseServer {
  readonly available = false;

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

  private requireNone(databases: readonly string[]): void {
    if (databases.length > 0) {
      throw new DomainError('provisioning_failed', 'no database server is configured (VANTA_MYSQL_URL)', {
        step: 'database_server',
      });
    }
  }
}
