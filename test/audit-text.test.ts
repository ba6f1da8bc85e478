import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { verifyAudit } from '../src/app/audit.js';
import { main } from '../src/cli/index.js';
import type { CliIo } from '../src/cli/io.js';
import { apiSuite } from './support/app.js';
import { auditMark } from './support/audit.js';
import { runVanta } from './support/cli.js';
import { whmClient } from './support/whm.js';

// Regression tests of issue 16, finding 1: whatever text reaches the audit log, the chain verifies.

const LONG_NAME = `${'a'.repeat(255)}😀`;
const isWellFormed = (s: string) => s.isWellFormed();

/** captureIo runs the CLI in this process, with its output collected. */
function captureIo(): CliIo & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out: (s: string) => {
      io.stdout += s;
    },
    err: (s: string) => {
      io.stderr += s;
    },
    stdin: process.stdin,
  };
  return io;
}

describe('16.1: no input can break the audit chain', () => {
  const t = apiSuite();
  const json = { 'content-type': 'application/json' };

  const newestEntries = async (since: number) =>
    (await t.app.rt.ctx.store.audit.list({ limit: 20 })).filter((e) => e.id > since);

  const assertChainIntact = async () => {
    const check = await verifyAudit(t.app.rt.ctx);
    assert.equal(check.ok, true, JSON.stringify(check));
  };

  it('an unauthenticated call with a lone surrogate in its JSON body: 401, and the entry is stored as hashed', async () => {
    const mark = await auditMark(t.app);
    const res = await t.app.api('POST', 'api=accounts', { rawBody: '{"user":"\\ud800"}', headers: json });
    assert.equal(res.statusCode, 401);
    const [entry] = await newestEntries(mark);
    assert.ok(entry);
    assert.equal(entry.target, '\ufffd', 'the lone surrogate is stored as U+FFFD, as it is hashed');
    await assertChainIntact();
  });

  it('an authenticated call with a lone surrogate in a field is refused as invalid_parameter', async () => {
    const mark = await auditMark(t.app);
    for (const body of [
      '{"user":"\\ud800","domain":"x.example"}',
      '{"user":"carol","domain":"x\\udfff.example"}',
      '{"user":"carol","domain":"carol.example","email":"a\\ud83d@carol.example"}',
    ]) {
      const res = await t.app.api('POST', 'api=accounts', { token: t.token, rawBody: body, headers: json });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().error, 'invalid_parameter');
    }
    assert.equal(await t.app.rt.ctx.store.accounts.get('carol'), undefined);
    for (const e of await newestEntries(mark)) {
      assert.ok(isWellFormed(JSON.stringify(e.params)) && isWellFormed(e.target ?? ''));
    }
    await assertChainIntact();
  });

  it('a 255-character name and an emoji: cut by code point, so no pair is split', async () => {
    const mark = await auditMark(t.app);
    const long = `${'b'.repeat(300)}😀`;
    const res = await t.app.api('POST', 'api=accounts', {
      token: t.token,
      body: { user: LONG_NAME, domain: `${'d'.repeat(255)}😀.example`, reason: long },
    });
    assert.equal(res.statusCode, 400);
    const [entry] = await newestEntries(mark);
    assert.ok(entry);
    assert.equal(entry.target, LONG_NAME, 'exactly 256 code points are kept whole');
    assert.equal([...String(entry.params.reason)].length, 257, '256 code points and the mark of the cut');
    assert.ok(String(entry.params.reason).endsWith('b…'));
    assert.equal(entry.params.domain, `${'d'.repeat(255)}😀…`);
    await assertChainIntact();
  });

  it('odd parameter names (a lone surrogate, __proto__, a very long name) are kept, bounded, and hashed as stored', async () => {
    const mark = await auditMark(t.app);
    const res = await t.app.api('POST', 'api=nothing', {
      rawBody: `{"\\udc00":"x","__proto__":"p","${'k'.repeat(1000)}":"v"}`,
      headers: json,
    });
    assert.equal(res.statusCode, 401);
    const [entry] = await newestEntries(mark);
    assert.ok(entry);
    assert.equal(entry.params['\ufffd'], 'x');
    assert.ok(Object.hasOwn(entry.params, '__proto__'), JSON.stringify(entry.params));
    assert.ok(Object.keys(entry.params).every((k) => [...k].length <= 257));
    await assertChainIntact();
  });

  it('the CLI refuses a lone surrogate in an argument as invalid_parameter', async () => {
    const previous = process.env.VANTA_DATA_DIR;
    process.env.VANTA_DATA_DIR = t.app.dir;
    try {
      await t.app.api('POST', 'api=accounts', { token: t.token, body: { user: 'dora', domain: 'dora.example' } });
      const io = captureIo();
      const code = await main(['node', 'vanta', 'account', 'suspend', 'dora', '--reason', 'late\ud800'], io);
      assert.equal(code, 5, io.stderr);
      assert.match(io.stderr, /invalid_parameter/);
      assert.equal((await t.app.rt.ctx.store.accounts.get('dora'))?.status, 'active');
    } finally {
      process.env.VANTA_DATA_DIR = previous;
    }
    await assertChainIntact();
  });

  it('the vWHM create form with a 255-character name and an emoji', async () => {
    const whm = await whmClient(t.app);
    const res = await whm.post('/accounts', { user: LONG_NAME, domain: 'e.example' }, { from: '/accounts/new' });
    assert.equal(res.statusCode, 400);
    await assertChainIntact();
  });

  it('after all of that, `vanta audit verify` exits 0 and vWHM says the chain is intact', async () => {
    const r = await runVanta(t.app.dir, ['audit', 'verify']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^Audit log intact: \d+ entries\.\n$/);
    const whm = await whmClient(t.app, 'vera');
    const page = await whm.get('/audit');
    assert.match(page.body, /Intact: all \d+ entries link up/);
  });
});

describe('16.1: verify reports every break, not only the first', () => {
  const t = apiSuite();
  before(async () => {
    for (let i = 0; i < 6; i++) await t.app.api('POST', 'api=nothing');
    const db = new BetterSqlite3(join(t.app.dir, 'vanta.db'));
    db.exec('drop trigger audit_log_no_update; drop trigger audit_log_no_delete;');
    db.exec("update audit_log set target = 'mallory' where id = 2");
    db.exec("update audit_log set outcome = 'ok' where id = 5");
    db.close();
  });
  it('the CLI names each broken entry, in text and in JSON', async () => {
    const r = await runVanta(t.app.dir, ['audit', 'verify']);
    assert.equal(r.code, 7, r.stdout + r.stderr);
    assert.match(r.stdout, /entry 2 was changed after it was written/);
    assert.match(r.stdout, /entry 5 was changed after it was written/);
    const j = await runVanta(t.app.dir, ['audit', 'verify', '--json']);
    const check = JSON.parse(j.stdout) as { ok: boolean; brokenAt: number; breaks: { id: number; reason: string }[] };
    assert.equal(check.ok, false);
    assert.equal(check.brokenAt, 2);
    assert.deepEqual(
      check.breaks.map((b) => b.id),
      [2, 5],
    );
  });

  it('vWHM names each broken entry', async () => {
    const whm = await whmClient(t.app);
    const page = await whm.get('/audit');
    assert.match(page.body, /entry 2 was changed after it was written/);
    assert.match(page.body, /entry 5 was changed after it was written/);
  });
});
