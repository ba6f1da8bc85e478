import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDatabase } from '../src/app/create-database.js';
import { recoverOperations } from '../src/app/recover-operations.js';
import { type TestApp, makeApp } from './support/app.js';
import { buildAccount } from './support/builders.js';
import { DB_USER_HOSTS } from '../src/host/mariadb/sql.js';
import { MYSQL_URL, MariaDbFixture } from './support/mariadb.js';

const DEAD = 'deadboot:1-00000000';

describe('start-up recovery of database operations a killed process left unfinished', () => {
  const db = new MariaDbFixture();
  let app: TestApp;
  before(async () => {
    app = await makeApp({ VANTA_MYSQL_URL: MYSQL_URL });
  });
  after(async () => {
    await app?.close();
    await db.cleanup();
  });

  async function account(): Promise<string> {
    const user = db.account();
    await buildAccount(app.rt.ctx, user);
    return user;
  }

  it('undoes a database create cut short after its user was made: no database, no user, no row', async () => {
    const user = await account();
    const name = `${user}_wp`;
    // What a process killed in the database_user step of a create leaves: both made, no row.
    await db.rawDatabase(name);
    await db.rawUser(name, 'some-password-1');
    const { store } = app.rt.ctx;
    const id = await store.operations.begin({
      op: 'database.create',
      account: user,
      params: { name },
      owner: DEAD,
      startedAt: 'x',
    });
    await store.operations.setStep(id, 'database_user');

    const done = await recoverOperations(app.rt.ctx, (owner) => owner !== DEAD);
    assert.deepEqual(done, [{ op: 'database.create', user, outcome: 'undone' }]);
    assert.deepEqual(await db.databases(`${user}_`), []);
    assert.deepEqual(await db.users(`${user}_`), []);
    assert.equal(await store.databases.get(name), undefined);
    assert.deepEqual(await store.operations.list(), []);
  });

  it('finishes a database delete cut short after its user was dropped', async () => {
    const user = await account();
    const made = await createDatabase(app.rt.ctx, { user, name: 'shop' });
    // The database_user step (drop the database user) ran; the process died as the next began.
    for (const host of DB_USER_HOSTS) await db.root.query('DROP USER ?@?', [made.dbUser, host]);
    const { store } = app.rt.ctx;
    const id = await store.operations.begin({
      op: 'database.delete',
      account: user,
      params: { name: made.database, dbUser: made.dbUser },
      owner: DEAD,
      startedAt: 'x',
    });
    await store.operations.setStep(id, 'database');

    const done = await recoverOperations(app.rt.ctx, (owner) => owner !== DEAD);
    assert.deepEqual(done, [{ op: 'database.delete', user, outcome: 'finished' }]);
    assert.deepEqual(await db.databases(`${user}_`), []);
    assert.deepEqual(await db.users(`${user}_`), []);
    assert.equal(await store.databases.get(made.database), undefined);
  });

  it('leaves a finished database create alone', async () => {
    const user = await account();
    const made = await createDatabase(app.rt.ctx, { user, name: 'blog' });
    const { store } = app.rt.ctx;
    const id = await store.operations.begin({
      op: 'database.create',
      account: user,
      params: { name: made.database },
      owner: DEAD,
      startedAt: 'x',
    });
    await store.operations.setStep(id, 'store');
    const done = await recoverOperations(app.rt.ctx, (owner) => owner !== DEAD);
    assert.deepEqual(done, [{ op: 'database.create', user, outcome: 'finished' }]);
    assert.deepEqual(await db.databases(`${user}_`), [made.database]);
  });
});
