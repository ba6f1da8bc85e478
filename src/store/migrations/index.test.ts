import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, sql } from 'kysely';
import { openSqliteStore } from '../sqlite.js';
import { migrations } from './index.js';

it('0003 names the steps that older versions journalled by number, and keeps a number it cannot name', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vanta-migration-'));
  try {
    const file = join(dir, 'vanta.db');
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new BetterSqlite3(file) }) });
    const { error } = await new Migrator({ db, provider: migrations }).migrateTo('0002_operations');
    assert.equal(error, undefined);
    const rows: Array<[string, number]> = [
      ['account.create', -1],
      ['account.create', 0],
      ['account.create', 6],
      ['account.suspend', 3],
      ['account.unsuspend', 0],
      ['account.plan', 2],
      ['account.terminate', 1],
      ['database.create', 1],
      ['database.delete', 2],
      ['account.create', 99],
      ['account.teleport', 0],
    ];
    for (const [op, step] of rows) {
      await sql`insert into operations (op, account, params, step, owner, started_at)
        values (${op}, 'alice', '{"domain":"alice.example"}', ${step}, 'old', '2026-01-01T00:00:00.000Z')`.execute(db);
    }
    await db.destroy();

    const store = await openSqliteStore(file);
    try {
      const ops = await store.operations.list();
      assert.deepEqual(
        ops.map((o) => [o.op, o.step]),
        [
          ['account.create', null],
          ['account.create', 'record'],
          ['account.create', 'store'],
          ['account.suspend', 'database_server'],
          ['account.unsuspend', 'database_server'],
          ['account.plan', 'quota'],
          ['account.terminate', 'database_server'],
          ['database.create', 'database_user'],
          ['database.delete', 'store'],
          ['account.create', '99'],
          ['account.teleport', '0'],
        ],
      );
      assert.deepEqual(ops[0]?.params, { domain: 'alice.example' });
      const id = await store.operations.begin({
        op: 'account.plan',
        account: 'bob',
        params: {},
        owner: 'new',
        startedAt: 'x',
      });
      assert.equal((await store.operations.list()).find((o) => o.id === id)?.step, null);
      await store.operations.setStep(id, 'system_user');
      assert.equal((await store.operations.list()).find((o) => o.id === id)?.step, 'system_user');
    } finally {
      await store.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

it('0005 gives the plans made before it PHP, on with 5 workers of 256 MiB, and keeps their limits', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vanta-migration-'));
  try {
    const file = join(dir, 'vanta.db');
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new BetterSqlite3(file) }) });
    const { error } = await new Migrator({ db, provider: migrations }).migrateTo('0003_named_steps');
    assert.equal(error, undefined);
    await sql`insert into plans (name, disk_mb, max_databases, shell, created_at)
      values ('old', 1024, 3, 1, '2026-01-01T00:00:00.000Z')`.execute(db);
    await db.destroy();

    const store = await openSqliteStore(file);
    try {
      assert.deepEqual(await store.plans.get('old'), {
        name: 'old',
        diskMb: 1024,
        maxDatabases: 3,
        bandwidthMb: null,
        maxAddonDomains: null,
        maxEmailAccounts: null,
        shell: true,
        php: true,
        phpMaxChildren: 5,
        phpMemoryMb: 256,
        createdAt: '2026-01-01T00:00:00.000Z',
      });
      const plan = await store.plans.get('old');
      assert.ok(plan);
      await store.plans.update({ ...plan, php: false, phpMaxChildren: 2, phpMemoryMb: 64 });
      const changed = await store.plans.get('old');
      assert.deepEqual([changed?.php, changed?.phpMaxChildren, changed?.phpMemoryMb], [false, 2, 64]);
    } finally {
      await store.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
