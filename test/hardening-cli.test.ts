import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { recordAudit } from '../src/app/audit.js';
import { apiSuite } from './support/app.js';
import { VANTA_BIN, runVanta } from './support/cli.js';

// Regression tests of issue 16 (hardening) for the `vanta` command line.

const HAS_JQ = spawnSync('jq', ['--version']).status === 0;

describe('16.12: `vanta audit list --json` prints JSON that jq reads', () => {
  const t = apiSuite();

  it('even for an entry an older version stored with a lone surrogate in its params', async () => {
    // The store keeps what it is given; an older panel gave it text like this.
    await t.app.rt.ctx.store.audit.append({
      at: new Date().toISOString(),
      requestId: null,
      actor: { type: 'anonymous', id: null, name: 'anonymous' },
      ip: '127.0.0.1',
      action: 'account.create',
      target: 'x',
      outcome: 'invalid_token',
      status: 401,
      params: { user: 'a\ud800b', list: ['\udfff'] },
    });
    await recordAudit(
      t.app.rt.ctx,
      { actor: { type: 'cli', id: null, name: 'cli' }, action: 'x.y', target: '😀', params: {} },
      'ok',
      null,
    );
    const r = await runVanta(t.app.dir, ['audit', 'list', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 2);
    for (const line of lines) {
      assert.doesNotMatch(line, /\\ud[89a-f][0-9a-f]{2}/i, 'no escaped lone surrogate');
      JSON.parse(line);
    }
    assert.match(r.stdout, /"user":"a\ufffdb"/);
    if (HAS_JQ) {
      const jq = spawnSync('jq', ['-c', '.id'], { input: r.stdout });
      assert.equal(jq.status, 0, String(jq.stderr));
      assert.deepEqual(String(jq.stdout).trim().split('\n'), ['2', '1']);
    }
  });
});

describe('16.12: the CLI ends quietly when its reader goes away (EPIPE)', () => {
  const t = apiSuite();

  for (const args of [
    ['audit', 'list', '--limit', '3000'],
    ['audit', 'list', '--limit', '3000', '--json'],
  ]) {
    it(`vanta ${args.join(' ')} | head -1`, async () => {
      if ((await t.app.rt.ctx.store.audit.list({ limit: 1 })).length === 0) {
        for (let i = 0; i < 3000; i++) {
          await recordAudit(
            t.app.rt.ctx,
            { actor: { type: 'cli', id: null, name: 'cli' }, action: 'x.fill', target: `t${i}`, params: { i } },
            'ok',
            null,
          );
        }
      }
      // As in a shell: vanta writes straight into head's stdin, and head exits after one line.
      const head = spawn('head', ['-1'], { stdio: ['pipe', 'pipe', 'ignore'] });
      const vanta = spawn(process.execPath, [VANTA_BIN, ...args], {
        env: { PATH: process.env.PATH ?? '', VANTA_DATA_DIR: t.app.dir, VANTA_ACME_DIRECTORY: 'off' },
        stdio: ['ignore', head.stdin, 'pipe'],
      });
      head.stdin.destroy();
      let stderr = '';
      vanta.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      let first = '';
      head.stdout.on('data', (d: Buffer) => {
        first += d.toString();
      });
      const code = await new Promise<number | null>((resolve) => vanta.on('close', (c) => resolve(c)));
      assert.equal(stderr, '', 'nothing on stderr');
      assert.equal(code, 0);
      assert.equal(first.split('\n').length, 2, 'head printed its one line');
    });
  }
});
