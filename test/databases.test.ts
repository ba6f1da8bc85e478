import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDatabase } from '../src/app/create-database.js';
import { deleteDatabase } from '../src/app/delete-database.js';
import { listDatabases } from '../src/app/list-databases.js';
import { setDatabasePassword } from '../src/app/set-database-password.js';
import { isDomainError } from '../src/domain/errors.js';
import { ALL_SCOPES, type TestApp, makeApp } from './support/app.js';
import { buildPlan } from './support/builders.js';
import { MYSQL_URL, MariaDbFixture, errnoOf, hostForms } from './support/mariadb.js';

const ER_ACCOUNT_HAS_BEEN_LOCKED = 4151;

const code = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return isDomainError(err) ? err.code : `thrown: ${String(err)}`;
  }
};

describe('customer databases on the real MariaDB server', () => {
  const db = new MariaDbFixture();
  let app: TestApp;
  let token: string;
  before(async () => {
    app = await makeApp({ VANTA_MYSQL_URL: MYSQL_URL });
    token = await app.token(ALL_SCOPES);
  });
  after(async () => {
    await app?.close();
    await db.cleanup();
  });

  const newAccount = async (extra: Record<string, unknown> = {}) => {
    const user = db.account();
    const res = await app.api('POST', 'api=accounts', { token, body: { user, domain: `${user}.example`, ...extra } });
    assert.equal(res.statusCode, 201, res.body);
    return user;
  };

  it('creates a database its new user can log in to and use; the account object lists it', async () => {
    const user = await newAccount();
    const made = await createDatabase(app.rt.ctx, { user, name: 'shop' });
    assert.equal(made.database, `${user}_shop`);
    assert.equal(made.dbUser, `${user}_shop`);
    assert.match(made.password ?? '', /^[A-Za-z0-9]{24}$/);
    const conn = await db.connectAs(made.dbUser, made.password ?? '', made.database);
    await conn.query('CREATE TABLE orders (id INT PRIMARY KEY, item VARCHAR(50))');
    await conn.query('INSERT INTO orders VALUES (1, ?)', ['späti ☕']);
    const [rows] = await conn.query('SELECT item FROM orders');
    assert.deepEqual(rows, [{ item: 'späti ☕' }]);
    const [[charset]] = (await conn.query(
      'SELECT DEFAULT_CHARACTER_SET_NAME AS cs FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = DATABASE()',
    )) as unknown as [[{ cs: string }]];
    assert.equal(charset.cs, 'utf8mb4');
    const view = await app.api('GET', `api=account&user=${user}`, { token });
    assert.deepEqual(view.json().account.databases, [`${user}_shop`]);
    assert.deepEqual(
      (await listDatabases(app.rt.ctx, user)).map((d) => d.name),
      [`${user}_shop`],
    );
  });

  it("a database user cannot see or touch another account's database, nor one that matches its name with _ as a wildcard", async () => {
    const alice = await newAccount();
    const bob = await newAccount();
    const mine = await createDatabase(app.rt.ctx, { user: alice, name: 'shop' });
    const theirs = await createDatabase(app.rt.ctx, { user: bob, name: 'shop' });
    // `<alice>xshop` differs from `<alice>_shop` only where an unescaped `_` in the grant would match.
    const lookalike = `${alice}xshop`;
    await db.rawDatabase(lookalike);
    const conn = await db.connectAs(mine.dbUser, mine.password ?? '');
    const [shown] = (await conn.query('SHOW DATABASES')) as unknown as [Array<{ Database: string }>];
    assert.deepEqual(shown.map((r) => r.Database).sort(), ['information_schema', mine.database].sort());
    for (const other of [theirs.database, lookalike]) {
      assert.notEqual(
        await errnoOf(conn.query(`CREATE TABLE \`${other}\`.t (a INT)`)),
        0,
        `created a table in ${other}`,
      );
      assert.notEqual(await errnoOf(conn.query(`USE \`${other}\``)), 0, `used ${other}`);
    }
    const theirConn = await db.connectAs(theirs.dbUser, theirs.password ?? '', theirs.database);
    await theirConn.query('CREATE TABLE secrets (s TEXT)');
    assert.notEqual(await errnoOf(conn.query(`SELECT * FROM \`${theirs.database}\`.secrets`)), 0);
    assert.notEqual(await errnoOf(conn.query(`DROP DATABASE \`${theirs.database}\``)), 0);
    assert.deepEqual(await db.databases(lookalike), [lookalike], 'the look-alike database is still there');
  });

  it('suspend locks the database user and ends its open connection; unsuspend lets it in again with its data', async () => {
    const user = await newAccount();
    const made = await createDatabase(app.rt.ctx, { user, name: 'app' });
    const password = made.password ?? '';
    const open = await db.connectAs(made.dbUser, password, made.database);
    await open.query('CREATE TABLE notes (n VARCHAR(20))');
    await open.query("INSERT INTO notes VALUES ('kept')");

    const suspended = await app.api('POST', `api=account&action=suspend&user=${user}`, { token });
    assert.equal(suspended.statusCode, 200, suspended.body);
    assert.notEqual(await errnoOf(open.query('SELECT 1')), 0, 'the open connection still works');
    assert.equal(await errnoOf(db.connectAs(made.dbUser, password)), ER_ACCOUNT_HAS_BEEN_LOCKED);

    const unsuspended = await app.api('POST', `api=account&action=unsuspend&user=${user}`, { token });
    assert.equal(unsuspended.statusCode, 200, unsuspended.body);
    const again = await db.connectAs(made.dbUser, password, made.database);
    const [rows] = await again.query('SELECT n FROM notes');
    assert.deepEqual(rows, [{ n: 'kept' }]);
  });

  it('a database made while the account is suspended starts locked, and unsuspend unlocks it', async () => {
    const user = await newAccount();
    assert.equal((await app.api('POST', `api=account&action=suspend&user=${user}`, { token })).statusCode, 200);
    const made = await createDatabase(app.rt.ctx, { user, name: 'late' });
    assert.equal(await errnoOf(db.connectAs(made.dbUser, made.password ?? '')), ER_ACCOUNT_HAS_BEEN_LOCKED);
    assert.equal((await app.api('POST', `api=account&action=unsuspend&user=${user}`, { token })).statusCode, 200);
    assert.equal(await errnoOf(db.connectAs(made.dbUser, made.password ?? '')), 0);
  });

  it('terminate drops every database and database user under the prefix, recorded or not, and lists exactly those', async () => {
    const user = await newAccount();
    const wp = await createDatabase(app.rt.ctx, { user, name: 'wp' });
    await createDatabase(app.rt.ctx, { user, name: 'blog' });
    await db.rawDatabase(`${user}_stray`);
    await db.rawUser(`${user}_stray`, 'stray-password-1');
    // Not under the prefix `<user>_`: a LIKE without escapes would take it too.
    await db.rawDatabase(`${user}xwp`);
    const open = await db.connectAs(wp.dbUser, wp.password ?? '', wp.database);

    const res = await app.api('DELETE', `api=account&user=${user}`, { token });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), {
      ok: true,
      user,
      dropped_databases: [`${user}_blog`, `${user}_stray`, `${user}_wp`],
    });
    assert.deepEqual(await db.databases(`${user}_`), []);
    assert.deepEqual(await db.users(`${user}_`), []);
    assert.deepEqual(await db.databases(`${user}xwp`), [`${user}xwp`], 'a database outside the prefix survives');
    assert.notEqual(await errnoOf(open.query('SELECT 1')), 0, 'the open connection was ended');
    assert.deepEqual(await app.rt.ctx.store.databases.listByAccount(user), []);
  });

  it('refuses bad names with invalid_database and makes nothing', async () => {
    const user = await newAccount();
    const bad = [
      "it's",
      'back`tick',
      'per%cent',
      'under_score',
      'with space',
      'a'.repeat(33),
      '',
      'UPPER',
      'dot.ted',
      'x;drop',
    ];
    for (const name of bad) {
      assert.equal(await code(createDatabase(app.rt.ctx, { user, name })), 'invalid_database', JSON.stringify(name));
    }
    assert.deepEqual(await db.databases(`${user}_`), []);
    assert.deepEqual(await db.users(`${user}_`), []);
    assert.deepEqual(await app.rt.ctx.store.databases.listByAccount(user), []);
  });

  it('enforces the plan: max_databases reached answers limit_reached and makes nothing', async () => {
    await buildPlan(app.rt.ctx, 'onedb', { maxDatabases: 1 });
    const user = await newAccount({ plan: 'onedb' });
    assert.equal(await code(createDatabase(app.rt.ctx, { user, name: 'one' })), 'ok');
    assert.equal(await code(createDatabase(app.rt.ctx, { user, name: 'two' })), 'limit_reached');
    assert.deepEqual(await db.databases(`${user}_`), [`${user}_one`]);
    assert.deepEqual(await db.users(`${user}_`), hostForms(`${user}_one`));
  });

  it('a name already taken, in the panel or on the server, answers database_exists and leaves the other untouched', async () => {
    const user = await newAccount();
    await createDatabase(app.rt.ctx, { user, name: 'dup' });
    assert.equal(await code(createDatabase(app.rt.ctx, { user, name: 'dup' })), 'database_exists');
    await db.rawDatabase(`${user}_taken`);
    assert.equal(await code(createDatabase(app.rt.ctx, { user, name: 'taken' })), 'database_exists');
    assert.deepEqual(await db.databases(`${user}_taken`), [`${user}_taken`], 'the existing database was not dropped');
    await db.rawUser(`${user}_userish`, 'userish-password-1');
    assert.equal(await code(createDatabase(app.rt.ctx, { user, name: 'userish' })), 'database_exists');
    assert.deepEqual(await db.databases(`${user}_userish`), [], 'the database made before the clash was undone');
    assert.deepEqual(await db.users(`${user}_userish`), [`${user}_userish@localhost`], 'the existing user was kept');
    assert.deepEqual(
      (await listDatabases(app.rt.ctx, user)).map((d) => d.name),
      [`${user}_dup`],
    );
  });

  it('a given password is used as is, can be changed, and delete removes the database and its user', async () => {
    const user = await newAccount();
    const given = `it's a "quoted" \\ pass`;
    const made = await createDatabase(app.rt.ctx, { user, name: `${user}_data`, password: given });
    assert.equal(made.database, `${user}_data`);
    assert.equal(made.password, undefined, 'a given password is not echoed');
    assert.equal(await errnoOf(db.connectAs(made.dbUser, given)), 0);
    const changed = await setDatabasePassword(app.rt.ctx, user, 'data');
    assert.notEqual(await errnoOf(db.connectAs(made.dbUser, given)), 0, 'the old password still works');
    assert.equal(await errnoOf(db.connectAs(made.dbUser, changed.password ?? '')), 0);
    assert.equal(await code(setDatabasePassword(app.rt.ctx, user, 'data', 'short')), 'weak_password');

    assert.deepEqual(await deleteDatabase(app.rt.ctx, user, 'data'), { database: `${user}_data` });
    assert.deepEqual(await db.databases(`${user}_`), []);
    assert.deepEqual(await db.users(`${user}_`), []);
    assert.equal(await code(deleteDatabase(app.rt.ctx, user, 'data')), 'database_not_found');
    assert.equal(await code(setDatabasePassword(app.rt.ctx, user, 'data')), 'database_not_found');
    assert.equal(await code(createDatabase(app.rt.ctx, { user: 'nosuchacct', name: 'x' })), 'account_not_found');
  });
});
