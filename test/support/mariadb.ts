import { randomInt } from 'node:crypto';
import { type Connection, type Pool, type RowDataPacket, createConnection, createPool } from 'mysql2/promise';
import { type MariaDbTarget, parseMysqlUrl } from '../../src/host/mariadb/mysql-url.js';
import { quoteIdent } from '../../src/host/mariadb/sql.js';

/** MYSQL_URL is the server the database tests use: VANTA_MYSQL_URL, or root over the Debian socket. */
export const MYSQL_URL = process.env.VANTA_MYSQL_URL ?? 'mysql://root@localhost/?socketPath=/run/mysqld/mysqld.sock';

/** randomUser is a fresh account name (`q` + 7 letters), so runs sharing the server never meet. */
export function randomUser(): string {
  let name = 'q';
  for (let i = 0; i < 7; i++) name += String.fromCharCode(97 + randomInt(26));
  return name;
}

const OURS = /^q[a-z]{7}$/;

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
