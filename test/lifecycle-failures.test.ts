import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ALL_SCOPES, type TestApp, makeApp } from './support/app.js';
import { expectAudit } from './support/audit.js';
import { type StepFault, failingHost } from './support/failing-host.js';

describe('a failure in the middle of an operation leaves nothing behind', () => {
  const fault: StepFault = { method: null };
  let app: TestApp;
  let token: string;
  before(async () => {
    app = await makeApp({}, { wrapHost: failingHost(fault) });
    token = await app.token(ALL_SCOPES);
  });
  after(() => app.close());

  const leftovers = async (user: string) => ({
    home: existsSync(join(app.dir, 'homes', user)),
    site: existsSync(join(app.dir, 'nginx', 'sites', `${user}.conf`)),
    systemUser: existsSync(join(app.dir, 'sandbox', 'users', `${user}.json`)),
    pool: existsSync(join(app.dir, 'php', 'pool.d', `vanta-${user}.conf`)),
    row: (await app.rt.ctx.store.accounts.get(user)) !== undefined,
  });
  const nothing = { home: false, site: false, systemUser: false, pool: false, row: false };

  const createSteps: Array<[string, string]> = [
    ['systemUsers.create', 'system_user'],
    ['systemUsers.setPassword', 'password'],
    ['php.writePool', 'php_pool'],
    ['php.reload', 'php_reload'],
    ['webServer.writeSite', 'web_server'],
    ['webServer.reload', 'reload'],
  ];
  for (const [method, step] of createSteps) {
    it(`create failing at ${method} answers provisioning_failed (step ${step}) and undoes the earlier steps`, async () => {
      fault.method = method;
      const res = await app.api('POST', 'api=accounts', { token, body: { user: 'alice', domain: 'alice.example' } });
      fault.method = null;
      assert.equal(res.statusCode, 502);
      assert.deepEqual({ error: res.json().error, step: res.json().step }, { error: 'provisioning_failed', step });
      assert.doesNotMatch(res.body, /injected|Error|at /, 'no internals in the answer');
      assert.deepEqual(await leftovers('alice'), nothing);
      await expectAudit(app, { action: 'account.create', outcome: 'provisioning_failed', status: 502 });
    });
  }

  it('after the failures the same create succeeds: the lock was released and nothing blocks it', async () => {
    const res = await app.api('POST', 'api=accounts', { token, body: { user: 'alice', domain: 'alice.example' } });
    assert.equal(res.statusCode, 201);
    assert.deepEqual(await leftovers('alice'), { home: true, site: true, systemUser: true, pool: true, row: true });
  });

  it('suspend failing at its last host step puts the site and the user back', async () => {
    fault.method = 'databases.lockUsers';
    const res = await app.api('POST', 'api=account&action=suspend&user=alice', { token });
    fault.method = null;
    assert.equal(res.statusCode, 502);
    assert.equal(res.json().step, 'database_server');
    assert.doesNotMatch(readFileSync(join(app.dir, 'nginx', 'sites', 'alice.conf'), 'utf8'), /return 503/);
    const record = JSON.parse(readFileSync(join(app.dir, 'sandbox', 'users', 'alice.json'), 'utf8'));
    assert.equal(record.locked, false);
    assert.equal((await app.rt.ctx.store.accounts.get('alice'))?.status, 'active');
  });

  it('terminate failing at the system user keeps the account, restored, and a retry finishes it', async () => {
    fault.method = 'systemUsers.remove';
    const res = await app.api('DELETE', 'api=account&user=alice', { token });
    fault.method = null;
    assert.equal(res.statusCode, 502);
    assert.equal(res.json().step, 'system_user');
    assert.equal((await app.rt.ctx.store.accounts.get('alice'))?.status, 'active');
    assert.ok(existsSync(join(app.dir, 'nginx', 'sites', 'alice.conf')), 'the site was written back');
    const retry = await app.api('DELETE', 'api=account&user=alice', { token });
    assert.equal(retry.statusCode, 200);
    assert.deepEqual(await leftovers('alice'), nothing);
  });
});

describe('concurrency', () => {
  let app: TestApp;
  let token: string;
  before(async () => {
    app = await makeApp();
    token = await app.token(ALL_SCOPES);
  });
  after(() => app.close());

  it('20 parallel creates of the same user make exactly one account', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        app.api('POST', 'api=accounts', { token, body: { user: 'dave', domain: `dave${i}.example` } }),
      ),
    );
    const statuses = results.map((r) => (r.statusCode === 201 ? 'created' : r.json().error));
    assert.equal(statuses.filter((s) => s === 'created').length, 1, statuses.join(','));
    for (const s of statuses) assert.ok(['created', 'account_exists', 'account_busy'].includes(s), s);
    assert.deepEqual(readdirSync(join(app.dir, 'sandbox', 'users')), ['dave.json']);
    assert.deepEqual(readdirSync(join(app.dir, 'nginx', 'sites')).sort(), ['00-vanta-log-format.conf', 'dave.conf']);
    assert.equal((await app.rt.ctx.store.accounts.list({ limit: 100 })).total, 1);
  });

  it('an operation on an account that holds its lock answers account_busy', async () => {
    assert.equal(
      (await app.api('POST', 'api=accounts', { token, body: { user: 'erin', domain: 'erin.example' } })).statusCode,
      201,
    );
    const held = await app.rt.ctx.store.locks.acquire('account:erin', 'someone-else', Date.now(), 60_000);
    assert.ok(held);
    const res = await app.api('POST', 'api=account&action=suspend&user=erin', { token });
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().error, 'account_busy');
    await app.rt.ctx.store.locks.release('account:erin', 'someone-else');
    assert.equal((await app.api('POST', 'api=account&action=suspend&user=erin', { token })).statusCode, 200);
  });

  it('a lock left by a dead process expires and can be taken over', async () => {
    const store = app.rt.ctx.store;
    assert.ok(await store.locks.acquire('account:x', 'dead', 1_000, 5_000));
    assert.equal(await store.locks.acquire('account:x', 'alive', 3_000, 5_000), false);
    assert.ok(await store.locks.acquire('account:x', 'alive', 7_000, 5_000));
  });
});
