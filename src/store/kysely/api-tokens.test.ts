import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { openSqliteStore } from '../sqlite.js';
import type { Database } from '../schema.js';
import type { NewToken, Store } from '../store.js';
import { kyselyTokens } from './api-tokens.js';

const AT = '2026-05-01T10:00:00.000Z';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function newToken(name: string, hash: string): NewToken {
  return {
    name,
    hash,
    prefix: name.slice(0, 8),
    scopes: ['accounts:read'],
    allowedCidrs: [],
    createdAt: AT,
    createdBy: 'admin:root',
    expiresAt: null,
  };
}

describe('token lookups answered from memory', () => {
  let dir: string;
  let file: string;
  let store: Store;
  let other: BetterSqlite3.Database;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vanta-token-cache-'));
    file = join(dir, 'vanta.db');
    store = await openSqliteStore(file);
    other = new BetterSqlite3(file, { timeout: 5000 });
  });
  after(async () => {
    other.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a revocation committed by another process counts on the very next lookup', async () => {
    const token = await store.tokens.insert(newToken('billing', 'a'.repeat(64)));
    assert.equal((await store.tokens.findByHash('a'.repeat(64)))?.revokedAt, null);
    assert.equal((await store.tokens.findByHash('a'.repeat(64)))?.revokedAt, null);
    other.prepare('update api_tokens set revoked_at = ? where id = ?').run(AT, token.id);
    // A request sent after the commit is read in a later turn of the event loop than the one that ran it.
    await nextTurn();
    assert.equal((await store.tokens.findByHash('a'.repeat(64)))?.revokedAt, AT);
  });

  it('a token deleted by another process is gone on the very next lookup', async () => {
    await store.tokens.insert(newToken('gone', 'b'.repeat(64)));
    assert.ok(await store.tokens.findByHash('b'.repeat(64)));
    other.prepare('delete from api_tokens where token_hash = ?').run('b'.repeat(64));
    await nextTurn();
    assert.equal(await store.tokens.findByHash('b'.repeat(64)), undefined);
  });

  it('a revocation through the same store counts at once', async () => {
    const token = await store.tokens.insert(newToken('own', 'c'.repeat(64)));
    assert.equal((await store.tokens.findByHash('c'.repeat(64)))?.revokedAt, null);
    await store.tokens.revoke(token.id, AT);
    assert.equal((await store.tokens.findByHash('c'.repeat(64)))?.revokedAt, AT);
  });

  it('a caller changing the answer does not change the next one', async () => {
    await store.tokens.insert(newToken('mutable', 'd'.repeat(64)));
    const first = await store.tokens.findByHash('d'.repeat(64));
    assert.ok(first);
    first.revokedAt = AT;
    assert.equal((await store.tokens.findByHash('d'.repeat(64)))?.revokedAt, null);
  });
});

describe('token lookups run no query while nothing changed', () => {
  it('the second lookup of a known token reads memory, an unknown one always asks SQLite', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vanta-token-queries-'));
    const seed = await openSqliteStore(join(dir, 'vanta.db'));
    await seed.tokens.insert(newToken('known', 'e'.repeat(64)));
    await seed.close();
    const sqlite = new BetterSqlite3(join(dir, 'vanta.db'));
    const queries: string[] = [];
    const db = new Kysely<Database>({
      dialect: new SqliteDialect({ database: sqlite }),
      log: (event) => {
        if (event.level === 'query') queries.push(event.query.sql);
      },
    });
    const version = sqlite.prepare('pragma data_version').pluck();
    const tokens = kyselyTokens(db, () => version.get() as number);
    try {
      assert.ok(await tokens.findByHash('e'.repeat(64)));
      assert.ok(await tokens.findByHash('e'.repeat(64)));
      assert.equal(queries.length, 1);
      assert.equal(await tokens.findByHash('f'.repeat(64)), undefined);
      assert.equal(await tokens.findByHash('f'.repeat(64)), undefined);
      assert.equal(queries.length, 3);
    } finally {
      await db.destroy();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
