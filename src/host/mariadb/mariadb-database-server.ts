import { type Pool, type RowDataPacket, createPool } from 'mysql2/promise';
import { databasePrefix } from '../../domain/database-names.js';
import { DomainError } from '../../domain/errors.js';
import type { DatabaseServer, HostFormsRepair } from '../ports.js';
import { type MariaDbTarget, describeTarget } from './mysql-url.js';
import {
  DB_USER_HOSTS,
  SESSION_SQL_MODE_RESET,
  type Statement,
  connectionsStatement,
  copyUserStatement,
  createDatabaseStatement,
  createUserStatement,
  credentialsStatement,
  databasesUnderStatement,
  dropDatabaseStatement,
  dropUserStatement,
  grantStatement,
  isLockedInCreateUser,
  killStatement,
  lockStatement,
  setPasswordStatement,
  showCreateUserStatement,
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

interface Credentials extends Account {
  plugin: string;
  authentication: string;
}

function isStandardHost(host: string): boolean {
  return (DB_USER_HOSTS as readonly string[]).includes(host);
}

/** sourceForm is the form a user's other forms follow: the oldest kind (`localhost`) first. */
function sourceForm<T extends Account>(forms: readonly T[]): T | undefined {
  for (const host of DB_USER_HOSTS) {
    const form = forms.find((f) => f.host === host);
    if (form) return form;
  }
  return forms[0];
}

function databaseExists(dbUser: string): DomainError {
  return new DomainError('database_exists', `a database user named ${dbUser} already exists on the database server`, {
    param: 'name',
  });
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

  /**
   * createUser makes the user under every host form, or none: a user of that name under any host
   * is someone else's (`database_exists`), and forms made before a failure are dropped again. A
   * crash part-way leaves forms that the operation's recovery drops by name.
   */
  async createUser(dbUser: string, password: string, locked: boolean): Promise<void> {
    if ((await this.accounts([dbUser])).length > 0) throw databaseExists(dbUser);
    const made: string[] = [];
    try {
      for (const host of DB_USER_HOSTS) {
        await this.run(createUserStatement(dbUser, host, password, locked));
        made.push(host);
      }
    } catch (err) {
      // The first failure is the one to report; a form this cannot drop is dropped with the database user later.
      for (const host of made.reverse()) await this.run(dropUserStatement(dbUser, host)).catch(() => {});
      if (err instanceof MariaDbError && err.errno === ER_CANNOT_USER) throw databaseExists(dbUser);
      throw err;
    }
  }

  /** grantAll grants on the one database to each host form the user has; never to a missing one. */
  async grantAll(database: string, dbUser: string): Promise<void> {
    // A GRANT to a missing user makes it, with no password, on a server without NO_AUTO_CREATE_USER.
    const forms = (await this.accounts([dbUser])).filter((a) => isStandardHost(a.host));
    if (forms.length === 0) throw new Error(`database user ${dbUser} does not exist on the database server`);
    for (const a of forms) await this.run(grantStatement(database, dbUser, a.host));
  }

  /**
   * setPassword sets the password of every form of the user. A user made by an older version under
   * `localhost` alone gets its other host forms here, in the lock state of its `localhost` form.
   */
  async setPassword(dbUser: string, password: string): Promise<void> {
    const forms = await this.accounts([dbUser]);
    if (forms.length === 0) throw new Error(`database user ${dbUser} does not exist on the database server`);
    await this.completeHostForms(dbUser, forms, { password });
    for (const a of await this.accounts([dbUser])) await this.run(setPasswordStatement(a.user, a.host, password));
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

  /**
   * unlockUsers lets the account's database users log in again under every host form; the users of
   * the given databases made by an older version get their missing forms first, credentials copied
   * (one with no stored hash is left as it is rather than opened to TCP without a password).
   */
  async unlockUsers(user: string, databases: readonly string[]): Promise<void> {
    const before = await this.accounts(databases, databasePrefix(user));
    for (const name of databases) {
      const forms = before.filter((a) => a.user === name);
      if (forms.length > 0) await this.addHostForms(name, forms, null);
    }
    for (const a of await this.accounts(databases, databasePrefix(user))) {
      await this.run(lockStatement(a.user, a.host, false));
    }
  }

  /**
   * repairHostForms gives each named user (a database's user) the host forms it lacks, with its
   * credentials, grant and lock state copied from its `localhost` form: run at start-up and by
   * `vanta db repair`, for users made by versions that knew `localhost` only.
   */
  async repairHostForms(dbUsers: readonly string[]): Promise<HostFormsRepair> {
    const out: HostFormsRepair = { added: [], skipped: [] };
    if (dbUsers.length === 0) return out;
    const all = await this.accounts(dbUsers);
    for (const name of [...new Set(dbUsers)]) {
      const forms = all.filter((a) => a.user === name);
      if (forms.length === 0) continue;
      const added = await this.completeHostForms(name, forms, null);
      if (added === null) out.skipped.push(name);
      else out.added.push(...added.map((host) => `${name}@${host}`));
    }
    return out;
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

  /**
   * completeHostForms adds the host forms the user lacks and brings every host form to the lock
   * state of the source form, so that a run cut short converges when repeated. It returns the hosts
   * added, or null when there was no password hash to copy.
   */
  private async completeHostForms(
    dbUser: string,
    forms: readonly Account[],
    credential: { password: string } | null,
  ): Promise<string[] | null> {
    const source = sourceForm(forms);
    if (!source) return [];
    const [shown] = await this.run<Record<string, string>>(showCreateUserStatement(source.user, source.host));
    const locked = isLockedInCreateUser(Object.values(shown ?? {})[0] ?? '');
    const added = await this.addHostForms(dbUser, forms, credential);
    if (added === null) return null;
    for (const a of await this.accounts([dbUser])) {
      if (isStandardHost(a.host)) await this.run(lockStatement(a.user, a.host, locked));
    }
    return added;
  }

  /**
   * addHostForms makes the missing host forms of a user, locked, with the given password or the
   * source form's stored hash, then grants its database (named as the user) to each host form. It
   * returns the hosts added, or null when the source has no stored hash to copy.
   */
  private async addHostForms(
    dbUser: string,
    forms: readonly Account[],
    credential: { password: string } | null,
  ): Promise<string[] | null> {
    const missing = DB_USER_HOSTS.filter((host) => !forms.some((f) => f.host === host));
    if (missing.length > 0) {
      const make = await this.formMaker(dbUser, credential);
      if (make === null) return null;
      for (const host of missing) await this.run(make(host));
    }
    for (const host of DB_USER_HOSTS) await this.run(grantStatement(dbUser, dbUser, host));
    return missing;
  }

  /** formMaker gives the statement that makes one more locked host form of a user, or null when it cannot. */
  private async formMaker(
    dbUser: string,
    credential: { password: string } | null,
  ): Promise<((host: string) => Statement) | null> {
    if (credential !== null) return (host) => createUserStatement(dbUser, host, credential.password, true);
    const source = sourceForm(await this.run<Credentials>(credentialsStatement([dbUser])));
    // A user with no stored hash would open to TCP without a password: leave it as it is.
    if (!source?.authentication) return null;
    return (host) => copyUserStatement(dbUser, host, source.plugin, source.authentication);
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
