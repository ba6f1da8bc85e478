import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { addAdmin } from '../src/app/admins.js';
import { sha256Hex } from '../src/domain/secrets.js';
import { ALL_SCOPES, type TestApp, makeApp } from './support/app.js';
import { runVanta } from './support/cli.js';

function fileBytes(dbFile: string): string {
  return ['', '-wal', '-shm']
    .map((suffix) => `${dbFile}${suffix}`)
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f).toString('latin1'))
    .join('\n');
}

describe('secrets at rest', () => {
  let app: TestApp;
  let token: string;
  let generated: string;
  const given = 'Given-Password-4711';
  const adminPassword = 'Admin-Password-0815';
  before(async () => {
    app = await makeApp();
    token = await app.token(ALL_SCOPES, { name: 'billing' });
    generated = (
      await app.api('POST', 'api=accounts', { token, body: { user: 'alice', domain: 'alice.example' } })
    ).json().password;
    await app.api('POST', 'api=accounts', { token, body: { user: 'bob', domain: 'bob.example', password: given } });
    await addAdmin(app.rt.ctx, 'ops', adminPassword);
    await app.rt.tokenUsage.flush();
  });
  after(() => app.close());

  it('neither the SQLite file nor its WAL holds a token or a password in plain text', () => {
    const raw = fileBytes(join(app.dir, 'vanta.db'));
    assert.ok(raw.length > 0);
    assert.ok(generated.length >= 20);
    for (const secret of [token, token.slice(3), generated, given, adminPassword]) {
      assert.equal(raw.includes(secret), false, `found a secret of length ${secret.length}`);
    }
  });

  it('stores the token as its SHA-256 with a short display prefix, and passwords as argon2id', () => {
    const db = new BetterSqlite3(join(app.dir, 'vanta.db'), { readonly: true });
    try {
      const row = db.prepare('select token_hash, prefix from api_tokens where name = ?').get('billing') as {
        token_hash: string;
        prefix: string;
      };
      assert.equal(row.token_hash, sha256Hex(token));
      assert.equal(row.prefix, token.slice(0, 7));
      const accounts = db.prepare('select password_hash from accounts').all() as { password_hash: string }[];
      const admins = db.prepare('select password_hash from admins').all() as { password_hash: string }[];
      for (const { password_hash } of [...accounts, ...admins]) assert.match(password_hash, /^\$argon2id\$/);
    } finally {
      db.close();
    }
  });

  it('the database file is readable by its owner only', () => {
    assert.equal(statSync(join(app.dir, 'vanta.db')).mode & 0o077, 0);
  });
});

describe('audit log tamper evidence', () => {
  let app: TestApp;
  let base: string;
  before(async () => {
    app = await makeApp();
    const token = await app.token(ALL_SCOPES, { name: 'billing' });
    for (const user of ['alice', 'bob', 'carol']) {
      await app.api('POST', 'api=accounts', { token, body: { user, domain: `${user}.example` } });
    }
    await app.api('POST', 'api=account&action=suspend&user=bob', { token });
    await app.rt.close();
    base = mkdtempSync(join(tmpdir(), 'vanta-audit-'));
  });
  after(async () => {
    rmSync(base, { recursive: true, force: true });
    await app.panel.close();
    rmSync(app.dir, { recursive: true, force: true });
  });

  function copy(name: string): string {
    const dir = join(base, name);
    mkdirSync(dir, { recursive: true });
    for (const suffix of ['', '-wal']) {
      const from = join(app.dir, `vanta.db${suffix}`);
      if (existsSync(from)) copyFileSync(from, join(dir, `vanta.db${suffix}`));
    }
    return dir;
  }

  it('verify passes on the untouched log', async () => {
    const r = await runVanta(copy('intact'), ['audit', 'verify', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { ok: true, entries: 4 });
  });

  it('the store refuses updates and deletes of audit rows', () => {
    const db = new BetterSqlite3(join(copy('triggers'), 'vanta.db'));
    try {
      assert.throws(() => db.prepare("update audit_log set outcome = 'x' where id = 2").run(), /append-only/);
      assert.throws(() => db.prepare('delete from audit_log where id = 2').run(), /append-only/);
      assert.throws(() => db.prepare('delete from audit_head').run(), /cannot be removed/);
      assert.throws(() => db.prepare('update audit_head set last_id = 2').run(), /only moves/);
    } finally {
      db.close();
    }
  });

  const tampers: Array<[string, string[], RegExp]> = [
    ['an edited entry', ["update audit_log set target = 'mallory' where id = 2"], /entry 2 was changed/],
    [
      'an edited entry with a recomputed-looking hash',
      ["update audit_log set outcome = 'ok', hash = prev_hash where id = 3"],
      /entry 3/,
    ],
    ['a deleted entry in the middle', ['delete from audit_log where id = 2'], /entry 2 is missing/],
    ['the newest entry deleted', ['delete from audit_log where id = 4'], /ends at entry 3/],
    ['the whole log emptied', ['delete from audit_log'], /ends at entry 0/],
  ];
  for (const [name, statements, reason] of tampers) {
    it(`verify fails on ${name}`, async () => {
      const dir = copy(name.replace(/\W+/g, '-'));
      const db = new BetterSqlite3(join(dir, 'vanta.db'));
      // An attacker with the file can drop the triggers; the chain must still tell.
      db.exec('drop trigger audit_log_no_update; drop trigger audit_log_no_delete;');
      for (const s of statements) db.exec(s);
      db.close();
      const r = await runVanta(dir, ['audit', 'verify']);
      assert.equal(r.code, 7, r.stdout + r.stderr);
      assert.match(r.stdout, /BROKEN/);
      assert.match(r.stdout, reason);
    });
  }
});
