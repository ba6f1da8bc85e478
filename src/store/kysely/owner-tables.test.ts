import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openSqliteStore } from '../sqlite.js';
import type { AccountRecord, OwnerSessionRecord, Store } from '../store.js';

const AT = '2026-05-01T10:00:00.000Z';

function account(user: string): AccountRecord {
  return {
    user,
    domain: `${user}.example`,
    email: null,
    plan: null,
    status: 'active',
    suspendReason: null,
    createdAt: AT,
    suspendedAt: null,
    databases: [],
    tls: { status: 'none', expiresAt: null },
    passwordHash: 'hash',
  };
}

function session(idHash: string, owner: string, patch: Partial<OwnerSessionRecord> = {}): OwnerSessionRecord {
  return {
    idHash,
    account: owner,
    createdAt: AT,
    lastSeenAt: AT,
    ip: '192.0.2.1',
    userAgent: 'test',
    via: 'password',
    ...patch,
  };
}

describe('the user panel tables', () => {
  let dir: string;
  let store: Store;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vanta-owner-store-'));
    store = await openSqliteStore(join(dir, 'vanta.db'));
    for (const user of ['alice', 'bob', 'carol']) await store.accounts.insert(account(user));
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a sign-in moves the latest one to previous', async () => {
    assert.deepEqual(await store.accounts.signIns('alice'), { last: null, previous: null });
    await store.accounts.recordSignIn('alice', { at: AT, ip: '192.0.2.1' });
    await store.accounts.recordSignIn('alice', { at: '2026-05-02T10:00:00.000Z', ip: null });
    assert.deepEqual(await store.accounts.signIns('alice'), {
      last: { at: '2026-05-02T10:00:00.000Z', ip: null },
      previous: { at: AT, ip: '192.0.2.1' },
    });
  });

  it('a session is deleted once: the second delete of the same id says it was already gone', async () => {
    await store.ownerSessions.insert(session('s1', 'alice'));
    assert.equal((await store.ownerSessions.get('s1'))?.userAgent, 'test');
    assert.equal(await store.ownerSessions.delete('s1'), true);
    assert.equal(await store.ownerSessions.delete('s1'), false);
    assert.equal(await store.ownerSessions.get('s1'), undefined);
  });

  it("ending an account's sessions keeps the one asked for and other accounts' sessions", async () => {
    for (const id of ['a1', 'a2', 'a3']) await store.ownerSessions.insert(session(id, 'alice'));
    await store.ownerSessions.insert(session('b1', 'bob'));
    assert.equal(await store.ownerSessions.deleteByAccount('alice', 'a2'), 2);
    assert.ok(await store.ownerSessions.get('a2'));
    assert.ok(await store.ownerSessions.get('b1'));
    assert.equal(await store.ownerSessions.deleteByAccount('alice'), 1);
    assert.equal(await store.ownerSessions.get('a2'), undefined);
  });

  it('stale sessions are swept by idle time or by age, fresh ones stay', async () => {
    await store.ownerSessions.insert(session('idle', 'carol', { lastSeenAt: '2026-05-01T09:00:00.000Z' }));
    await store.ownerSessions.insert(
      session('old', 'carol', { createdAt: '2026-04-30T09:00:00.000Z', lastSeenAt: '2026-05-01T09:59:00.000Z' }),
    );
    await store.ownerSessions.insert(session('fresh', 'carol', { lastSeenAt: '2026-05-01T09:59:00.000Z' }));
    assert.equal(await store.ownerSessions.deleteStale('2026-05-01T09:30:00.000Z', '2026-04-30T22:00:00.000Z'), 2);
    assert.ok(await store.ownerSessions.get('fresh'));
    await store.ownerSessions.touch('fresh', '2026-05-01T10:05:00.000Z');
    assert.equal((await store.ownerSessions.get('fresh'))?.lastSeenAt, '2026-05-01T10:05:00.000Z');
  });

  it('two-factor: a pending secret is replaced until enabled, enable is compare-and-set, steps and codes are used once', async () => {
    const tf = store.twoFactor;
    assert.equal(await tf.begin('bob', 'sealed-1', AT), true);
    assert.equal(await tf.begin('bob', 'sealed-2', AT), true);
    assert.equal(await tf.enable('bob', 'sealed-1', 100, ['h1', 'h2'], AT), false, 'a replaced secret does not enable');
    assert.equal(await tf.useStep('bob', null, 5), false, 'no step is used while pending');
    assert.equal(await tf.enable('bob', 'sealed-2', 100, ['h1', 'h2'], AT), true);
    assert.equal(await tf.enable('bob', 'sealed-2', 100, ['h1', 'h2'], AT), false, 'enabled once');
    assert.equal(await tf.begin('bob', 'sealed-3', AT), false, 'a new secret does not replace one that is on');
    const on = await tf.get('bob');
    assert.equal(on?.sealedSecret, 'sealed-2');
    assert.equal(on?.enabledAt, AT);
    assert.equal(on?.lastUsedStep, 100);
    assert.deepEqual(on?.recoveryHashes, ['h1', 'h2']);

    assert.equal(await tf.useStep('bob', 100, 101), true);
    assert.equal(await tf.useStep('bob', 100, 102), false, 'the racing request with the old step loses');
    assert.equal(await tf.useRecoveryCode('bob', 'h1'), true);
    assert.equal(await tf.useRecoveryCode('bob', 'h1'), false);
    assert.deepEqual((await tf.get('bob'))?.recoveryHashes, ['h2']);
    assert.equal(await tf.replaceRecoveryCodes('bob', ['h3', 'h4']), true);
    assert.deepEqual((await tf.get('bob'))?.recoveryHashes, ['h3', 'h4']);
    assert.equal(await tf.replaceRecoveryCodes('carol', ['h5']), false, 'no codes without two-factor on');
    assert.equal(await tf.count(), 1);
    assert.equal(await tf.disable('bob'), true);
    assert.equal(await tf.disable('bob'), false);
    assert.equal(await tf.get('bob'), undefined);
    assert.equal(await tf.count(), 0);
  });

  it('a login link is marked used once', async () => {
    const link = {
      hash: 'l1',
      account: 'carol',
      createdAt: AT,
      expiresAt: '2026-05-01T10:01:00.000Z',
      usedAt: null,
      createdBy: 'token:billing',
    };
    await store.loginLinks.insert(link);
    assert.deepEqual(await store.loginLinks.get('l1'), link);
    assert.equal(await store.loginLinks.markUsed('l1', AT), true);
    assert.equal(await store.loginLinks.markUsed('l1', AT), false);
    await store.loginLinks.insert({ ...link, hash: 'l2', expiresAt: '2026-05-01T11:00:00.000Z' });
    assert.equal(await store.loginLinks.deleteExpired('2026-05-01T10:30:00.000Z'), 1);
    assert.equal(await store.loginLinks.deleteByAccount('carol'), 1);
  });

  it('disk usage is kept for an account that exists, and not for one that does not', async () => {
    await store.diskUsage.set('carol', { bytes: 4096, measuredAt: AT });
    await store.diskUsage.set('carol', { bytes: 8192, measuredAt: '2026-05-01T11:00:00.000Z' });
    assert.deepEqual(await store.diskUsage.get('carol'), { bytes: 8192, measuredAt: '2026-05-01T11:00:00.000Z' });
    await store.diskUsage.set('nobody', { bytes: 1, measuredAt: AT });
    assert.equal(await store.diskUsage.get('nobody'), undefined);
    assert.deepEqual(await store.diskUsage.unmeasured(10), ['alice', 'bob']);
    assert.deepEqual(await store.diskUsage.unmeasured(1), ['alice']);
  });

  it("an account's sessions, two-factor state, links and disk figure go with it", async () => {
    await store.accounts.insert(account('dave'));
    await store.ownerSessions.insert(session('d1', 'dave'));
    await store.twoFactor.begin('dave', 'sealed', AT);
    await store.twoFactor.enable('dave', 'sealed', 1, ['hd'], AT);
    await store.loginLinks.insert({
      hash: 'ld',
      account: 'dave',
      createdAt: AT,
      expiresAt: AT,
      usedAt: null,
      createdBy: 'cli',
    });
    await store.diskUsage.set('dave', { bytes: 1, measuredAt: AT });
    await store.accounts.delete('dave');
    assert.equal(await store.ownerSessions.get('d1'), undefined);
    assert.equal(await store.twoFactor.get('dave'), undefined);
    assert.equal(await store.loginLinks.get('ld'), undefined);
    assert.equal(await store.diskUsage.get('dave'), undefined);
  });
});
