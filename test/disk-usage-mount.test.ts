import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { it } from 'node:test';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./support/disk-walk-in-namespace.ts', import.meta.url));
const skip =
  process.getuid?.() !== 0
    ? 'mounting a filesystem inside a home needs root'
    : existsSync('/usr/bin/unshare')
      ? false
      : 'needs unshare (util-linux) for a private mount namespace';

it('leaves out a filesystem mounted inside the home, as du -x does', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vanta-disk-mount-'));
  try {
    const home = join(dir, 'home');
    mkdirSync(join(home, 'mnt'), { recursive: true });
    writeFileSync(join(home, 'site.html'), Buffer.alloc(20_000, 1));
    const { stdout } = await run('unshare', [
      '--mount',
      '--propagation',
      'private',
      process.execPath,
      '--import',
      'tsx',
      CHILD,
      home,
    ]);
    const { walk, du, duX } = JSON.parse(stdout) as {
      walk: { bytes: number; skipped: number };
      du: number;
      duX: number;
    };
    assert.equal(walk.bytes, duX);
    assert.ok(du - duX >= 700_000, 'the mounted filesystem holds the big file');
    assert.equal(walk.skipped, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
