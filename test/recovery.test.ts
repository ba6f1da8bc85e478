import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { recoverOperations } from '../src/app/recover-operations.js';
import { makeApp } from './support/app.js';
import { expectAudit } from './support/audit.js';
import { buildAccount } from './support/builders.js';
import { runVanta } from './support/cli.js';

const DEAD = 'deadboot:1-00000000';

test('start-up recovery finishes a suspend whose process died, and frees its lock', async (t) => {
  const app = await makeApp();
  t.after(() => app.close());
  const { store } = app.rt.ctx;
  await buildAccount(app.rt.ctx, 'alice');
  // What a process killed after the first step (the system user lock) of a suspend leaves behind.
  const id = await store.operations.begin({
    op: 'account.suspend',
    account: 'alice',
    params: { reason: 'abuse', suspendedAt: '2026-01-02T03:04:05.000Z' },
    owner: DEAD,
    startedAt: '2026-01-02T03:04:05.000Z',
  });
  await store.operations.setStep(id, 'web_server');
  assert.equal(await store.locks.acquire('account:alice', DEAD, Date.now(), 600_000), true);

  const done = await recoverOperations(app.rt.ctx, (owner) => owner !== DEAD);
  assert.deepEqual(done, [{ op: 'account.suspend', user: 'alice', outcome: 'finished' }]);
  const account = await store.accounts.get('alice');
  assert.equal(account?.status, 'suspended');
  assert.equal(account?.suspendReason, 'abuse');
  const site = readFileSync(join(app.dir, 'nginx', 'sites', 'alice.conf'), 'utf8');
  assert.match(site, /return 503/);
  assert.deepEqual(await store.operations.list(), []);
  assert.deepEqual(await store.locks.list(), []);
  await expectAudit(app, {
    action: 'account.recover',
    actor: { type: 'system', id: null, name: 'recovery' },
    target: 'alice',
    status: null,
    params: { operation: 'account.suspend', step: 'web_server', result: 'finished' },
  });
});

test('vanta recover finishes what a dead process left, and says so', async (t) => {
  const app = await makeApp();
  t.after(() => app.close());
  const { store } = app.rt.ctx;
  await buildAccount(app.rt.ctx, 'erin');
  await store.accounts.update('erin', { status: 'terminating' });
  const out = await runVanta(app.dir, ['recover', '--json']);
  assert.equal(out.code, 0, out.stderr);
  assert.deepEqual(JSON.parse(out.stdout), {
    recovered: [{ op: 'account.terminate', user: 'erin', outcome: 'finished' }],
  });
  assert.equal(await store.accounts.get('erin'), undefined);
  const again = await runVanta(app.dir, ['recover']);
  assert.equal(again.stdout, 'Nothing to recover.\n');
});

test('start-up recovery leaves alone an operation whose process still runs', async (t) => {
  const app = await makeApp();
  t.after(() => app.close());
  const { store } = app.rt.ctx;
  await buildAccount(app.rt.ctx, 'bob');
  await store.operations.begin({ op: 'account.suspend', account: 'bob', params: {}, owner: 'live', startedAt: 'x' });
  assert.deepEqual(await recoverOperations(app.rt.ctx, () => true), []);
  assert.equal((await store.accounts.get('bob'))?.status, 'active');
  assert.equal((await store.operations.list()).length, 1);
});

test('start-up recovery undoes a create left provisioning, even with no journal entry', async (t) => {
  const app = await makeApp();
  t.after(() => app.close());
  const { store } = app.rt.ctx;
  await buildAccount(app.rt.ctx, 'carol');
  await store.accounts.update('carol', { status: 'provisioning' });
  const done = await recoverOperations(app.rt.ctx, () => false);
  assert.deepEqual(done, [{ op: 'account.create', user: 'carol', outcome: 'undone' }]);
  assert.equal(await store.accounts.get('carol'), undefined);
  assert.equal(existsSync(join(app.dir, 'homes', 'carol')), false);
  assert.equal(existsSync(join(app.dir, 'nginx', 'sites', 'carol.conf')), false);
  assert.equal(existsSync(join(app.dir, 'sandbox', 'users', 'carol.json')), false);
});

test('start-up recovery finishes a terminate left terminating', async (t) => {
  const app = await makeApp();
  t.after(() => app.close());
  const { store } = app.rt.ctx;
  await buildAccount(app.rt.ctx, 'dave');
  await store.accounts.update('dave', { status: 'terminating' });
  const done = await recoverOperations(app.rt.ctx, () => false);
  assert.deepEqual(done, [{ op: 'account.terminate', user: 'dave', outcome: 'finished' }]);
  assert.equal(await store.accounts.get('dave'), undefined);
  assert.equal(existsSync(join(app.dir, 'homes', 'dave')), false);
});
