import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDatabase } from '../src/app/create-database.js';
import { deleteDatabase } from '../src/app/delete-database.js';
import { setDatabasePassword } from '../src/app/set-database-password.js';
import { randomBase62 } from '../src/domain/secrets.js';
import { ALL_SCOPES, type TestApp, makeApp } from './support/app.js';
import { MariaDbFixture } from './support/mariadb.js';

// The privileges the README tells an operator to give the panel's own MariaDB account.
const DOCUMENTED =
  'SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, REFERENCES, INDEX, ALTER, CREATE TEMPORARY TABLES, LOCK TABLES, ' +
  'EXECUTE, CREATE VIEW, SHOW VIEW, CREATE ROUTINE, ALTER ROUTINE, EVENT, TRIGGER, ' +
  'CREATE USER, SHOW DATABASES, PROCESS, CONNECTION ADMIN';

describe('the panel connected as a dedicated MariaDB account', () => {
  const db = new MariaDbFixture();
  const apps: TestApp[] = [];
  after(async () => {
    for (const app of apps) await app.close();
    await db.cleanup();
  });

  /** panelAs makes a MariaDB account with `privileges` and a panel that connects as it. */
  const panelAs = async (privileges: string) => {
    const name = `${db.account()}_panel`;
    const password = randomBase62(24);
    await db.rawUser(name, password);
    await db.root.query(`GRANT ${privileges} ON *.* TO ?@? WITH GRANT OPTION`, [name, 'localhost']);
    const { host, port, socketPath } = db.target;
    const where = socketPath === undefined ? `${host}:${port}/` : `localhost/?socketPath=${socketPath}`;
    const app = await makeApp({ VANTA_MYSQL_URL: `mysql://${name}:${password}@${where}` });
    apps.push(app);
    const token = await app.token(ALL_SCOPES);
    const account = async () => {
      const user = db.account();
      const res = await app.api('POST', 'api=accounts', { token, body: { user, domain: `${user}.example` } });
      assert.equal(res.statusCode, 201, res.body);
      return user;
    };
    return { app, token, account };
  };

  let full: Awaited<ReturnType<typeof panelAs>>;
  before(async () => {
    full = await panelAs(DOCUMENTED);
  });

  it('the documented privileges are enough for the whole lifecycle', async () => {
    const { app, token } = full;
    const user = await full.account();
    const made = await createDatabase(app.rt.ctx, { user, name: 'site' });
    const open = await db.connectAs(made.dbUser, made.password ?? '', made.database);
    await open.query('CREATE TABLE t (a INT)');
    assert.equal((await app.api('POST', `api=account&action=suspend&user=${user}`, { token })).statusCode, 200);
    await assert.rejects(open.query('SELECT 1'), 'the open connection was ended by the panel account');
    await assert.rejects(db.connectAs(made.dbUser, made.password ?? ''));
    assert.equal((await app.api('POST', `api=account&action=unsuspend&user=${user}`, { token })).statusCode, 200);
    const changed = await setDatabasePassword(app.rt.ctx, user, 'site');
    await db.connectAs(made.dbUser, changed.password ?? '', made.database);
    await createDatabase(app.rt.ctx, { user, name: 'other' });
    await deleteDatabase(app.rt.ctx, user, 'other');
    const res = await app.api('DELETE', `api=account&user=${user}`, { token });
    assert.deepEqual(res.json(), { ok: true, user, dropped_databases: [made.database] });
    assert.deepEqual(await db.databases(`${user}_`), []);
    assert.deepEqual(await db.users(`${user}_`), []);
  });

  it('a drop the server refuses is provisioning_failed, and the account stays as it was', async () => {
    const limited = await panelAs(DOCUMENTED.replace('DROP, ', ''));
    const user = await limited.account();
    await db.rawDatabase(`${user}_kept`);
    const res = await limited.app.api('DELETE', `api=account&user=${user}`, { token: limited.token });
    assert.equal(res.statusCode, 502, res.body);
    assert.deepEqual(
      { error: res.json().error, step: res.json().step },
      { error: 'provisioning_failed', step: 'database_server' },
    );
    assert.equal((await limited.app.rt.ctx.store.accounts.get(user))?.status, 'active');
    assert.deepEqual(await db.databases(`${user}_`), [`${user}_kept`]);
  });
});
