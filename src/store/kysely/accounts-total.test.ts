import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { openSqliteStore } from '../sqlite.js';
import type { AccountRecord, Store } from '../store.js';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function account(user: string): AccountRecord {
  return {
    user,
    domain: `${user}.example`,
    email: null,
    plan: null,
    status: 'active',
    suspendReason: null,
    tls: { status: 'none', expiresAt: null },
    createdAt: '2026-05-01T10:00:00.000Z',
    suspendedAt: null,
    databases: [],
    passwordHash: 'hash',
  };
}

describe('the listing total, counted once per change', () => {
  let dir: string;
  let store: Store;
  let other: BetterSqlite3.Database;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vanta-accounts-total-'));
    store = await openSqliteStore(join(dir, 'vanta.db'));
    other = new BetterSqlite3(join(dir, 'vanta.db'), { timeout: 5000 });
    for (const user of ['alice', 'bob', 'carol']) await store.accounts.insert(account(user));
  });
  after(async () => {
    other.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("follows this store's own inserts, updates and deletes", async () => {
    assert.equal((await store.accounts.list({ limit: 1 })).total, 3);
    await store.accounts.insert(account('dave'));
    assert.equal((await store.accounts.list({ limit: 1 })).total, 4);
    assert.equal((await store.accounts.list({ limit: 1, status: 'suspended' })).total, 0);
    await store.accounts.update('dave', { status: 'suspended' });
    assert.equal((await store.accounts.list({ limit: 1, status: 'suspended' })).total, 1);
    await store.accounts.delete('dave');
    assert.equal((await store.accounts.list({ limit: 1, status: 'suspended' })).total, 0);
    assert.equal((await store.accounts.list({ limit: 1 })).total, 3);
  });

  it('follows a change committed by another process on the very next page', async () => {
    assert.equal((await store.accounts.list({ limit: 1, q: 'ali' })).total, 1);
    other
      .prepare(
        "insert into accounts (user, domain, status, password_hash, created_at) values ('alina', 'alina.example', 'active', 'x', '2026-05-01T10:00:00.000Z')",
      )
      .run();
    // A request sent after the commit is read in a later turn of the event loop than the one that ran it.
    await nextTurn();
    assert.equal((await store.accounts.list({ limit: 1, q: 'ali' })).total, 2);
    other.prepare("delete from accounts where user = 'alina'").run();
    await nextTurn();
    assert.equal((await store.accounts.list({ limit: 1, q: 'ali' })).total, 1);
  });

  it('is the same on every page of one listing', async () => {
    const first = await store.accounts.list({ limit: 1 });
    const second = await store.accounts.list({ limit: 1, after: first.accounts[0]?.user });
    assert.equal(first.total, 3);
    assert.equal(second.total, 3);
    assert.equal(second.accounts[0]?.user, 'bob');
  });
});
