import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { VANTA_BIN } from './support/cli.js';

// Finding (issue 9): on Node 20 better-sqlite3 13 crashes with a segmentation fault, and on Node
// 24.19+ better-sqlite3 12 aborts; the binary must name the problem before it loads the store.
describe('vanta refuses an unsupported Node with one line and exit 78', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vanta-guard-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const runAs = (version: string, args: string[], data = join(dir, 'data')) => {
    const preload = join(dir, `as-${version}.mjs`);
    writeFileSync(preload, `Object.defineProperty(process.versions, 'node', { value: ${JSON.stringify(version)} });\n`);
    return spawnSync(process.execPath, ['--import', preload, VANTA_BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', VANTA_DATA_DIR: data, VANTA_ACME_DIRECTORY: 'off' },
      encoding: 'utf8',
    });
  };

  for (const version of ['20.20.2', '18.20.8', '21.7.3']) {
    it(`on Node ${version}: vanta serve exits 78 naming the version found and the one needed, and opens no store`, () => {
      const run = runAs(version, ['serve']);
      assert.equal(run.status, 78);
      assert.equal(run.stdout, '');
      const lines = run.stderr.trim().split('\n');
      assert.equal(lines.length, 1, run.stderr);
      assert.match(
        lines[0] ?? '',
        new RegExp(`Node\\.js ${version.replaceAll('.', '\\.')} is not supported.*needs Node\\.js 22 or newer`),
      );
      assert.equal(existsSync(join(dir, 'data')), false, 'the data directory was touched');
    });
  }

  it('on a supported line the same binary runs', () => {
    const run = runAs('22.23.3', ['plan', 'list', '--json'], join(dir, 'supported'));
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), []);
  });

  it('the test suite itself runs on a supported line', () => {
    assert.ok(Number(process.versions.node.split('.')[0]) >= 22, process.version);
  });
});
