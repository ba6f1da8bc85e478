import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runVanta } from './support/cli.js';
import { MYSQL_URL, MariaDbFixture, hostForms } from './support/mariadb.js';

describe('vanta db commands against the real MariaDB server', () => {
  const db = new MariaDbFixture();
  const withDb = { VANTA_MYSQL_URL: MYSQL_URL };
  let dir: string;
  let user: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vanta-dbcli-'));
    user = db.account();
    const r = await runVanta(dir, ['account', 'create', user, `${user}.example`, '--json'], undefined, withDb);
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
    await db.cleanup();
  });

  it('db create prints the generated password once, and it opens the database', async () => {
    const r = await runVanta(dir, ['db', 'create', user, 'shop', '--json'], undefined, withDb);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(out).sort(), ['database', 'db_user', 'password']);
    assert.deepEqual([out.database, out.db_user], [`${user}_shop`, `${user}_shop`]);
    const conn = await db.connectAs(out.db_user, out.password, out.database);
    await conn.query('CREATE TABLE t (a INT)');
  });

  it('db create --password-stdin uses the given password and prints none', async () => {
    const r = await runVanta(
      dir,
      ['db', 'create', user, 'blog', '--password-stdin', '--json'],
      'a-given-db-password\n',
      withDb,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { database: `${user}_blog`, db_user: `${user}_blog` });
    await db.connectAs(`${user}_blog`, 'a-given-db-password');
  });

  it('db list and account show list the databases', async () => {
    const list = await runVanta(dir, ['db', 'list', user, '--json'], undefined, withDb);
    assert.equal(list.code, 0, list.stderr);
    const rows = JSON.parse(list.stdout) as Array<Record<string, string>>;
    assert.deepEqual(
      rows.map((d) => [d.database, d.db_user]),
      [
        [`${user}_blog`, `${user}_blog`],
        [`${user}_shop`, `${user}_shop`],
      ],
    );
    const show = await runVanta(dir, ['account', 'show', user, '--json'], undefined, withDb);
    assert.deepEqual(JSON.parse(show.stdout).account.databases, [`${user}_blog`, `${user}_shop`]);
  });

  it('a bad name exits 5 with invalid_database and makes nothing', async () => {
    const r = await runVanta(dir, ['db', 'create', user, 'bad name', '--json'], undefined, withDb);
    assert.equal(r.code, 5);
    assert.equal(JSON.parse(r.stdout).error, 'invalid_database');
    assert.deepEqual(await db.databases(`${user}_`), [`${user}_blog`, `${user}_shop`]);
  });

  it('db delete drops the database and its user', async () => {
    const r = await runVanta(dir, ['db', 'delete', user, 'shop'], undefined, withDb);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Deleted database ${user}_shop`));
    assert.deepEqual(await db.databases(`${user}_`), [`${user}_blog`]);
    assert.deepEqual(await db.users(`${user}_`), hostForms(`${user}_blog`));
    const again = await runVanta(dir, ['db', 'delete', user, 'shop'], undefined, withDb);
    assert.equal(again.code, 3);
    assert.match(again.stderr, /database_not_found/);
  });

  it('changes are audited with the cli actor and never with a password', async () => {
    const r = await runVanta(dir, ['audit', 'list', '--json', '--limit', '100'], undefined, withDb);
    const entries = r.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const changes = entries.filter((e) => String(e.action).startsWith('database.'));
    assert.deepEqual(changes.map((e) => [e.action, e.target, e.outcome, e.actor_name, e.params]).reverse(), [
      ['database.create', user, 'ok', 'cli', { user, name: 'shop' }],
      ['database.create', user, 'ok', 'cli', { user, name: 'blog' }],
      ['database.create', user, 'invalid_database', 'cli', { user, name: 'bad name' }],
      ['database.delete', user, 'ok', 'cli', { user, name: 'shop' }],
      ['database.delete', user, 'database_not_found', 'cli', { user, name: 'shop' }],
    ]);
    assert.ok(!r.stdout.includes('a-given-db-password'));
  });

  it('db repair gives a user made for localhost alone its TCP forms, with its password, and is audited', async () => {
    const dbUser = `${user}_blog`;
    for (const host of ['127.0.0.1', '::1']) await db.root.query('DROP USER ?@?', [dbUser, host]);
    const r = await runVanta(dir, ['db', 'repair', '--json'], undefined, withDb);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { ok: true, added: [`${dbUser}@127.0.0.1`, `${dbUser}@::1`], skipped: [] });
    assert.deepEqual(await db.users(dbUser), hostForms(dbUser));
    await db.connectOver('127.0.0.1', dbUser, 'a-given-db-password');
    const again = await runVanta(dir, ['db', 'repair'], undefined, withDb);
    assert.match(again.stdout, /Every database user has all its host forms/);
    const audit = await runVanta(dir, ['audit', 'list', '--json', '--action', 'database.repair'], undefined, withDb);
    assert.deepEqual(
      audit.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).outcome),
      ['ok', 'ok'],
    );
  });

  it('without VANTA_MYSQL_URL, db create exits 78 with databases_unavailable', async () => {
    const r = await runVanta(dir, ['db', 'create', user, 'nope', '--json']);
    assert.equal(r.code, 78);
    assert.equal(JSON.parse(r.stdout).error, 'databases_unavailable');
  });
});
