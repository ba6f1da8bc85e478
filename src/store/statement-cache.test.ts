import assert from 'node:assert/strict';
import { test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { withStatementCache } from './statement-cache.js';

function counting() {
  const sqlite = new BetterSqlite3(':memory:');
  const prepared: string[] = [];
  const db = {
    close: () => sqlite.close(),
    prepare: (sql: string) => {
      prepared.push(sql);
      return sqlite.prepare(sql);
    },
  };
  return { sqlite, db, prepared };
}

test('statements are prepared once per SQL text and give the same answers when reused', () => {
  const { db, prepared } = counting();
  const cached = withStatementCache(db);
  cached.prepare('create table t (v integer)').run([]);
  for (let i = 0; i < 5; i++) cached.prepare('insert into t (v) values (?)').run([i]);
  const rows = cached.prepare('select v from t where v >= ? order by v').all([3]);
  assert.deepEqual(rows, [{ v: 3 }, { v: 4 }]);
  assert.deepEqual(cached.prepare('select v from t where v >= ? order by v').all([4]), [{ v: 4 }]);
  assert.equal(prepared.filter((s) => s.startsWith('insert')).length, 1);
  assert.equal(prepared.filter((s) => s.startsWith('select')).length, 1);
  cached.close();
});

test('the cache is bounded and drops the least recently used statement first', () => {
  const { db, prepared } = counting();
  const cached = withStatementCache(db, 2);
  cached.prepare('select 1');
  cached.prepare('select 2');
  cached.prepare('select 1'); // now "select 2" is the oldest
  cached.prepare('select 3');
  assert.equal(cached.size, 2);
  cached.prepare('select 1');
  assert.equal(prepared.filter((s) => s === 'select 1').length, 1);
  cached.prepare('select 2');
  assert.equal(prepared.filter((s) => s === 'select 2').length, 2);
  cached.close();
});

test('a cached statement still works after the schema changes under it', () => {
  const { db } = counting();
  const cached = withStatementCache(db);
  cached.prepare('create table t (v integer)').run([]);
  cached.prepare('insert into t (v) values (?)').run([1]);
  const read = 'select * from t';
  assert.deepEqual(cached.prepare(read).all([]), [{ v: 1 }]);
  cached.prepare('alter table t add column w integer default 7').run([]);
  assert.deepEqual(cached.prepare(read).all([]), [{ v: 1, w: 7 }]);
  cached.close();
});
