import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { createDatabase } from '../src/app/create-database.js';
import { deleteDatabase } from '../src/app/delete-database.js';
import { listDatabases } from '../src/app/list-databases.js';
import { setDatabasePassword } from '../src/app/set-database-password.js';
import { describeDrivers } from '../src/compose.js';
import { isDomainError } from '../src/domain/errors.js';
import { MariaDbDatabaseServer } from '../src/host/mariadb/mariadb-database-server.js';
import { parseMysqlUrl } from '../src/host/mariadb/mysql-url.js';
import { ALL_SCOPES, type TestApp, makeApp } from './support/app.js';
import { type StepFault, failingHost } from './support/failing-host.js';
import { MYSQL_URL, MariaDbFixture } from './support/mariadb.js';

const outcome = async (p: Promise<unknown>) => {
  try {
    await p;
    return { error: 'none' };
  } catch (err) {
    return isDomainError(err) ? { error: err.code, ...err.details } : { error: `thrown: ${String(err)}` };
  }
};

describe('a database operation failing half-way undoes its own steps and leaks no password', () => {
  const db = new MariaDbFixture();
  const fault: StepFault = { method: null };
  const logged: string[] = [];
  let app: TestApp;
  let token: string;
  before(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logged.push(chunk.toString());
        done();
      },
    });
    app = await makeApp(
      { VANTA_MYSQL_URL: MYSQL_URL },
      { wrapHost: failingHost(fault), logger: pino({ level: 'info' }, sink) },
    );
    token = await app.token(ALL_SCOPES);
  });
  after(async () => {
    await app?.close();
    await db.cleanup();
  });

  const newAccount = async () => {
    const user = db.account();
    const res = await app.api('POST', 'api=accounts', { token, body: { user, domain: `${user}.example` } });
    assert.equal(res.statusCode, 201, res.body);
    return user;
  };

  const steps: Array<[string, string]> = [
    ['databases.createDatabase', 'database'],
    ['databases.createUser', 'database_user'],
    ['databases.grantAll', 'grant'],
  ];
  for (const [method, step] of steps) {
    it(`create failing at ${method} answers provisioning_failed (step ${step}) and leaves nothing`, async () => {
      const user = await newAccount();
      const password = 'a-secret-db-password-1';
      fault.method = method;
      const result = await outcome(createDatabase(app.rt.ctx, { user, name: 'shop', password }));
      fault.method = null;
      assert.deepEqual(result, { error: 'provisioning_failed', step });
      assert.deepEqual(await db.databases(`${user}_`), []);
      assert.deepEqual(await db.users(`${user}_`), []);
      assert.deepEqual(await listDatabases(app.rt.ctx, user), []);
      assert.ok(
        logged.some((line) => line.includes('operation step failed')),
        'the failure was logged',
      );
      assert.ok(!logged.join('').includes(password), 'the password reached the log');
    });
  }

  it('delete failing at the database keeps the record, and a retry finishes', async () => {
    const user = await newAccount();
    await createDatabase(app.rt.ctx, { user, name: 'gone' });
    fault.method = 'databases.dropDatabase';
    assert.deepEqual(await outcome(deleteDatabase(app.rt.ctx, user, 'gone')), {
      error: 'provisioning_failed',
      step: 'database',
    });
    fault.method = null;
    assert.deepEqual(
      (await listDatabases(app.rt.ctx, user)).map((d) => d.name),
      [`${user}_gone`],
    );
    assert.deepEqual(await db.users(`${user}_`), [], 'the user went first');
    await deleteDatabase(app.rt.ctx, user, 'gone');
    assert.deepEqual(await db.databases(`${user}_`), []);
    assert.deepEqual(await listDatabases(app.rt.ctx, user), []);
  });

  it('a statement the server refuses is reported without its SQL text or the password in it', async () => {
    const server = new MariaDbDatabaseServer(parseMysqlUrl(MYSQL_URL));
    const secret = 'never-show-this-password';
    try {
      // Longer than any MariaDB or MySQL allows for a user name (128 characters in MariaDB 10.6+).
      const err = await server.createUser(`${db.account()}_${'x'.repeat(140)}`, secret, false).then(
        () => assert.fail('the server accepted a 149-character user name'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof Error);
      const everything = JSON.stringify(err, Object.getOwnPropertyNames(err));
      assert.ok(!everything.includes(secret), everything);
      assert.ok(!everything.includes('IDENTIFIED'), everything);
      await assert.rejects(
        server.setPassword(`${db.account()}_nobody`, secret),
        (e: Error) => !e.message.includes(secret),
      );
    } finally {
      await server.close();
    }
  });
});

describe('without VANTA_MYSQL_URL', () => {
  let app: TestApp;
  before(async () => {
    app = await makeApp();
  });
  after(() => app.close());

  it('database calls answer databases_unavailable, the rest of the lifecycle works, and the startup line says so', async () => {
    const token = await app.token(ALL_SCOPES);
    assert.equal(
      (await app.api('POST', 'api=accounts', { token, body: { user: 'nodb', domain: 'nodb.example' } })).statusCode,
      201,
    );
    assert.deepEqual(await outcome(createDatabase(app.rt.ctx, { user: 'nodb', name: 'wp' })), {
      error: 'databases_unavailable',
    });
    assert.deepEqual(await outcome(deleteDatabase(app.rt.ctx, 'nodb', 'wp')), { error: 'databases_unavailable' });
    assert.deepEqual(await outcome(setDatabasePassword(app.rt.ctx, 'nodb', 'wp')), { error: 'databases_unavailable' });
    assert.deepEqual(await listDatabases(app.rt.ctx, 'nodb'), []);
    const status = await app.api('POST', 'api=account&action=suspend&user=nodb', { token });
    assert.equal(status.statusCode, 200);
    assert.equal((await app.api('POST', 'api=account&action=unsuspend&user=nodb', { token })).statusCode, 200);
    const gone = await app.api('DELETE', 'api=account&user=nodb', { token });
    assert.deepEqual(gone.json(), { ok: true, user: 'nodb', dropped_databases: [] });
    assert.match(describeDrivers(app.rt), /databases=unavailable \(VANTA_MYSQL_URL not set\)/);
  });

  it('with it set, the startup line names the server but never its password', async () => {
    const withDb = await makeApp({ VANTA_MYSQL_URL: 'mysql://vanta:hunter2secret@127.0.0.1:3306/' });
    try {
      const line = describeDrivers(withDb.rt);
      assert.match(line, /databases=mariadb vanta@127\.0\.0\.1:3306/);
      assert.ok(!line.includes('hunter2secret'));
    } finally {
      await withDb.close();
    }
  });
});
