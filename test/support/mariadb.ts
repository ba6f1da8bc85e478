import { randomInt } from 'node:crypto';
import { connect } from 'node:net';
import { type Connection, type Pool, type RowDataPacket, createConnection, createPool } from 'mysql2/promise';
import { type MariaDbTarget, parseMysqlUrl } from '../../src/host/mariadb/mysql-url.js';
import { DB_USER_HOSTS, isLockedInCreateUser, quoteIdent } from '../../src/host/mariadb/sql.js';

/** MYSQL_URL is the server the database tests use: VANTA_MYSQL_URL, or root over the Debian socket. */
export const MYSQL_URL = process.env.VANTA_MYSQL_URL ?? 'mysql://root@localhost/?socketPath=/run/mysqld/mysqld.sock';

/** randomUser is a fresh account name (`q` + 7 letters), so runs sharing the server never meet. */
export function randomUser(): string {
  let name = 'q';
  for (let i = 0; i < 7; i++) name += String.fromCharCode(97 + randomInt(26));
  return name;
}

const OURS = /^q[a-z]{7}$/;

/** errnoOf resolves to the server's error number of a failed call, or 0 when it succeeded. */
export async function errnoOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 0;
  } catch (err) {
    return (err as { errno?: number }).errno ?? -1;
  }
}

/** hostForms is what `users()` lists for one database user the panel made: `user@host` for each host form, sorted. */
export function hostForms(dbUser: string): string[] {
  return DB_USER_HOSTS.map((host) => `${dbUser}@${host}`).sort();
}

/** Route is how a customer's site reaches the database server: its socket, or TCP to a loopback address. */
export type Route = 'socket' | '127.0.0.1' | '::1';

/** ROUTES are every way a site on this server connects, each matched by its own host form of the user. */
export const ROUTES: readonly Route[] = ['socket', '127.0.0.1', '::1'];

/**
 * MariaDbFixture looks at the server as its administrator and removes, at the end, exactly what a
 * test made: everything under the prefixes of the accounts it registered, and the extra names it was told of.
 */
export class MariaDbFixture {
  readonly target: MariaDbTarget = parseMysqlUrl(MYSQL_URL);
  readonly root: Pool = createPool({ ...this.target, connectionLimit: 2 });
  private readonly accounts = new Set<string>();
  private readonly extraDatabases = new Set<string>();
  private readonly connections: Connection[] = [];
  private endpointsOf: { socket: string; port: number } | null = null;

  /** account registers a fresh account name whose `<user>_` objects are dropped at cleanup. */
  account(): string {
    const user = randomUser();
    this.accounts.add(user);
    return user;
  }

  /** rawDatabase creates a database behind the panel's back, dropped at cleanup. */
  async rawDatabase(name: string): Promise<void> {
    this.requireOurs(name);
    this.extraDatabases.add(name);
    await this.root.query(`CREATE DATABASE ${quoteIdent(name)}`);
  }

  /** rawUser creates a database user behind the panel's back (under a registered prefix). */
  async rawUser(name: string, password: string): Promise<void> {
    this.requireOurs(name);
    await this.root.query('CREATE USER ?@? IDENTIFIED BY ?', [name, 'localhost', password]);
  }

  /** connectAs logs in as a database user, the way a customer's site would. */
  async connectAs(user: string, password: string, database?: string): Promise<Connection> {
    const { host, port, socketPath } = this.target;
    const conn = await createConnection({ host, port, socketPath, user, password, database });
    conn.on('error', () => {});
    this.connections.push(conn);
    return conn;
  }

  /** connectOver logs in as a database user over one route: the server's own socket, or TCP to a loopback address on its port. */
  async connectOver(route: Route, user: string, password: string, database?: string): Promise<Connection> {
    const { socket, port } = await this.endpoints();
    const where = route === 'socket' ? { socketPath: socket } : { host: route, port };
    const conn = await createConnection({ ...where, user, password, database });
    conn.on('error', () => {});
    this.connections.push(conn);
    return conn;
  }

  /** listensOn tells whether the server accepts TCP connections on a loopback address (MariaDB binds 127.0.0.1 alone by default). */
  async listensOn(address: '127.0.0.1' | '::1'): Promise<boolean> {
    const { port } = await this.endpoints();
    return new Promise((resolve) => {
      const socket = connect({ host: address, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
  }

  /** grantsOf is SHOW GRANTS for one host form of a user, line by line. */
  async grantsOf(user: string, host: string): Promise<string[]> {
    const [rows] = await this.root.query<RowDataPacket[]>('SHOW GRANTS FOR ?@?', [user, host]);
    return rows.map((r) => String(Object.values(r)[0]));
  }

  /** isLocked tells whether one host form of a user is locked, as SHOW CREATE USER says. */
  async isLocked(user: string, host: string): Promise<boolean> {
    const [rows] = await this.root.query<RowDataPacket[]>('SHOW CREATE USER ?@?', [user, host]);
    return isLockedInCreateUser(String(Object.values(rows[0] ?? {})[0]));
  }

  /** endpoints asks the server for its socket and TCP port, which a socket URL does not tell. */
  private async endpoints(): Promise<{ socket: string; port: number }> {
    if (!this.endpointsOf) {
      const [rows] = await this.root.query<RowDataPacket[]>('SELECT @@socket AS socket, @@port AS port');
      this.endpointsOf = { socket: String(rows[0]?.socket), port: Number(rows[0]?.port) };
    }
    return this.endpointsOf;
  }

  /** databases lists the server's databases whose names start with `prefix` (matched literally). */
  async databases(prefix: string): Promise<string[]> {
    const [rows] = await this.root.query<RowDataPacket[]>('SHOW DATABASES');
    return rows
      .map((r) => String(Object.values(r)[0]))
      .filter((n) => n.startsWith(prefix))
      .sort();
  }

  /** users lists `user@host` of the server's users whose names start with `prefix` (matched literally). */
  async users(prefix: string): Promise<string[]> {
    const [rows] = await this.root.query<RowDataPacket[]>('SELECT User AS u, Host AS h FROM mysql.user');
    return rows
      .filter((r) => String(r.u).startsWith(prefix))
      .map((r) => `${r.u}@${r.h}`)
      .sort();
  }

  /** cleanup drops what this fixture's tests made and closes its connections; call it from after(). */
  async cleanup(): Promise<void> {
    for (const conn of this.connections.splice(0)) conn.destroy();
    for (const user of this.accounts) {
      for (const name of await this.databases(`${user}_`))
        await this.root.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
      for (const entry of await this.users(`${user}_`)) {
        const [name, host] = entry.split('@');
        await this.root.query('DROP USER IF EXISTS ?@?', [name, host]);
      }
    }
    for (const name of this.extraDatabases) await this.root.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
    await this.root.end();
  }

  private requireOurs(name: string): void {
    if (![...this.accounts].some((user) => name.startsWith(user) && OURS.test(user))) {
      throw new Error(`${name} does not start with an account name of this fixture`);
    }
  }
}
