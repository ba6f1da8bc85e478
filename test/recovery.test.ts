import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createAccount } from '../src/app/create-account.js';
import { recoverOperations } from '../src/app/recover-operations.js';
import { makeApp } from './support/app.js';
import { runVanta } from './support/cli.js';

const DEAD = 'deadboot:1-00000000';

test('start-up recovery finishes a suspend whose process died, and frees its lock', async (t) => {
  const app = await makeApp();
  t.after(() => app.close());
  const { store } = app.rt.ctx;
  await createAccount(app.rt.ctx, { user: 'alice', domain: 'alice.example', password: 'long-enough-secret' });
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
  const [entry] = await store.audit.list({ limit: 1, action: 'account.recover' });
  assert.equal(entry?.actor.type, 'system');
  assert.equal(entry?.target, 'alice');
  assert.equal(entry?.outcome, 'ok');
  assert.deepEqual(entry?.params, { operation: 'account.suspend', step: 'web_server', result: 'finished' });
});

test('vanta recover finishes what a dead process left, and says so', async (t) => {
  const app = await makeApp();
  t.after(() => app.close());
  const { store } = app.rt.ctx;
  await createAccount(app.rt.ctx, { user: 'erin', domain: 'erin.example', password: 'long-enough-secret' });
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
  await createAccount(app.rt.ctx, { user: 'bob', domain: 'bob.example', password: 'long-enough-secret' });
  await store.operations.begin({ op: 'account.suspend', account: 'bob', params: {}, owner: 'live', startedAt: 'x' });
  assert.deepEqual(await recoverOperations(app.rt.ctx, () => true), []);
  assert.equal((await store.accounts.get('bob'))?.status, 'active');
  assert.equal((await store.operations.list()).length, 1);
});

test('start-up recovery undoes a create left provisioning, even with no journal entry', async (t) => {
  const app = await makeApp();
  t.after(() => app.close());
  const { store } = app.rt.ctx;
  await createAccount(app.rt.ctx, { user: 'carol', domain: 'carol.example', password: 'long-enough-secret' });
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
  await createAccount(app.rt.ctx, { user: 'dave', domain: 'dave.example', password: 'long-enough-secret' });
  await store.accounts.update('dave', { status: 'terminating' });
  const done = await recoverOperations(app.rt.ctx, () => false);
  assert.deepEqual(done, [{ op: 'account.terminate', user: 'dave', outcome: 'finished' }]);
  assert.equal(await store.accounts.get('dave'), undefined);
  assert.equal(existsSync(join(app.dir, 'homes', 'dave')), false);
});
