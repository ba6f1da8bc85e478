import { type Pool, type RowDataPacket, createPool } from 'mysql2/promise';
import { databasePrefix } from '../../domain/database-names.js';
import { DomainError } from '../../domain/errors.js';
import type { DatabaseServer } from '../ports.js';
import { type MariaDbTarget, describeTarget } from './mysql-url.js';
import {
  DB_USER_HOST,
  SESSION_SQL_MODE_RESET,
  type Statement,
  connectionsStatement,
  createDatabaseStatement,
  createUserStatement,
  databasesUnderStatement,
  dropDatabaseStatement,
  dropUserStatement,
  grantStatement,
  killStatement,
  lockStatement,
  setPasswordStatement,
  usersStatement,
} from './sql.js';

const ER_DB_CREATE_EXISTS = 1007;
const ER_NO_SUCH_THREAD = 1094;
const ER_CANNOT_USER = 1396;

/** MariaDbError is a failed statement, told without its SQL text or values (they may hold a password). */
export class MariaDbError extends Error {
  override readonly name = 'MariaDbError';

  constructor(
    message: string,
    readonly errno: number | null,
    readonly sqlCode: string | null,
  ) {
    super(message);
  }
}

interface DriverError {
  errno?: number;
  code?: string;
  sqlMessage?: string;
  message?: string;
}

/** CallbackConnection is the part of mysql2's core connection the pool's `connection` event needs. */
interface CallbackConnection {
  query(sql: string, callback: (err: Error | null) => void): unknown;
}

interface Account {
  user: string;
  host: string;
}

/** MariaDbDatabaseServer keeps customer databases on a MariaDB (or MySQL) server over a small pool. */
export class MariaDbDatabaseServer implements DatabaseServer {
  readonly available = true;
  readonly label: string;
  private readonly pool: Pool;

  constructor(target: MariaDbTarget) {
    this.label = `mariadb ${describeTarget(target)}`;
    this.pool = createPool({ ...target, connectionLimit: 4, charset: 'UTF8MB4_UNICODE_CI', multipleStatements: false });
    // Runs before the connection serves any statement: commands on one connection run in order.
    // The event hands over mysql2's callback-style connection, whatever its declared type says.
    this.pool.on('connection', (conn) => {
      (conn as unknown as CallbackConnection).query(SESSION_SQL_MODE_RESET, () => {});
    });
  }

  async createDatabase(name: string): Promise<void> {
    try {
      await this.run(createDatabaseStatement(name));
    } catch (err) {
      if (err instanceof MariaDbError && err.errno === ER_DB_CREATE_EXISTS) {
        throw new DomainError('database_exists', `a database named ${name} already exists on the database server`, {
          param: 'name',
        });
      }
      throw err;
    }
  }

  async dropDatabase(name: string): Promise<void> {
    await this.run(dropDatabaseStatement(name));
  }

  async createUser(dbUser: string, password: string, locked: boolean): Promise<void> {
    try {
      await this.run(createUserStatement(dbUser, DB_USER_HOST, password, locked));
    } catch (err) {
      if (err instanceof MariaDbError && err.errno === ER_CANNOT_USER) {
        throw new DomainError(
          'database_exists',
          `a database user named ${dbUser} already exists on the database server`,
          {
            param: 'name',
          },
        );
      }
      throw err;
    }
  }

  async grantAll(database: string, dbUser: string): Promise<void> {
    await this.run(grantStatement(database, dbUser, DB_USER_HOST));
  }

  async setPassword(dbUser: string, password: string): Promise<void> {
    const accounts = await this.accounts([dbUser]);
    if (accounts.length === 0) throw new Error(`database user ${dbUser} does not exist on the database server`);
    for (const a of accounts) await this.run(setPasswordStatement(a.user, a.host, password));
  }

  async dropUser(dbUser: string): Promise<void> {
    await this.dropAccounts(await this.accounts([dbUser]));
    await this.killConnections([dbUser]);
  }

  async lockUsers(user: string, databases: readonly string[]): Promise<void> {
    const accounts = await this.accounts(databases, databasePrefix(user));
    for (const a of accounts) await this.run(lockStatement(a.user, a.host, true));
    // Locking refuses new logins only; sessions already open would go on working.
    await this.killConnections(accounts.map((a) => a.user));
  }

  async unlockUsers(user: string, databases: readonly string[]): Promise<void> {
    for (const a of await this.accounts(databases, databasePrefix(user))) {
      await this.run(lockStatement(a.user, a.host, false));
    }
  }

  async dropAll(user: string, databases: readonly string[]): Promise<string[]> {
    const prefix = databasePrefix(user);
    const accounts = await this.accounts(databases, prefix);
    // Users go first, so that nobody logs in again while their connections are ended and the
    // databases dropped.
    await this.dropAccounts(accounts);
    await this.killConnections([...databases, ...accounts.map((a) => a.user)]);
    const rows = await this.run<{ name: string }>(databasesUnderStatement(prefix));
    const names = [...new Set([...databases, ...rows.map((r) => r.name)])].sort();
    for (const name of names) await this.run(dropDatabaseStatement(name));
    return names;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async accounts(names: readonly string[], prefix: string | null = null): Promise<Account[]> {
    if (names.length === 0 && prefix === null) return [];
    return this.run<Account>(usersStatement(names, prefix));
  }

  private async dropAccounts(accounts: readonly Account[]): Promise<void> {
    for (const a of accounts) await this.run(dropUserStatement(a.user, a.host));
  }

  private async killConnections(users: readonly string[]): Promise<void> {
    const unique = [...new Set(users)];
    if (unique.length === 0) return;
    for (const { id } of await this.run<{ id: number }>(connectionsStatement(unique))) {
      try {
        await this.run(killStatement(id));
      } catch (err) {
        // The connection may have ended on its own between the listing and the kill.
        if (!(err instanceof MariaDbError && err.errno === ER_NO_SUCH_THREAD)) throw err;
      }
    }
  }

  private async run<T = never>(statement: Statement): Promise<T[]> {
    try {
      const [rows] = await this.pool.query<RowDataPacket[]>(statement.sql, statement.values);
      return Array.isArray(rows) ? (rows as T[]) : [];
    } catch (err) {
      throw toMariaDbError(err, statement);
    }
  }
}

function toMariaDbError(err: unknown, statement: Statement): MariaDbError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as DriverError;
  const verb = statement.sql.split(' ').slice(0, 2).join(' ');
  const detail = statement.secret ? (e.code ?? 'error') : (e.sqlMessage ?? e.message ?? e.code ?? 'error');
  return new MariaDbError(`${verb} failed: ${detail}`, e.errno ?? null, e.code ?? null);
}
