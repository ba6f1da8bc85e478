import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  linkSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { walkDiskUsage } from './home-disk-usage.js';
import { duBytes } from '../../../test/support/du.js';

const root = mkdtempSync(join(tmpdir(), 'vanta-disk-'));
after(() => rmSync(root, { recursive: true, force: true }));
const FAR = Number.MAX_SAFE_INTEGER;

/** makeHome builds a home with files, hard links, a sparse file, a FIFO and symlinks to big things outside. */
function makeHome(name: string): string {
  const home = join(root, name);
  const outside = join(root, `${name}-outside`);
  mkdirSync(outside);
  writeFileSync(join(outside, 'huge.bin'), Buffer.alloc(3_000_000, 1));
  mkdirSync(join(home, 'public_html', 'img', 'deep', 'er', 'still'), { recursive: true });
  mkdirSync(join(home, 'empty'));
  writeFileSync(join(home, 'public_html', 'index.html'), '<h1>hi</h1>\n');
  writeFileSync(join(home, 'public_html', 'img', 'a.png'), Buffer.alloc(123_457, 2));
  writeFileSync(join(home, 'public_html', 'img', 'deep', 'er', 'still', 'b.bin'), Buffer.alloc(50_001, 3));
  for (let i = 0; i < 40; i++) writeFileSync(join(home, 'public_html', `small-${i}.txt`), 'x'.repeat(i * 97));
  writeFileSync(join(home, 'backup.tar'), Buffer.alloc(400_000, 4));
  linkSync(join(home, 'backup.tar'), join(home, 'public_html', 'backup-link.tar'));
  linkSync(join(home, 'backup.tar'), join(home, 'empty', 'third-link.tar'));
  writeFileSync(join(home, 'sparse.img'), '');
  truncateSync(join(home, 'sparse.img'), 50_000_000);
  execFileSync('mkfifo', [join(home, 'pipe')]);
  symlinkSync(join(outside, 'huge.bin'), join(home, 'public_html', 'huge-link.bin'));
  symlinkSync(outside, join(home, 'outside-dir'));
  symlinkSync('/', join(home, 'root'));
  return home;
}

it('sums what du -s --block-size=1 reports: allocated bytes, hard links once, symlinks not followed', async () => {
  const home = makeHome('alice');
  const walk = await walkDiskUsage(home, { deadline: FAR, entriesPerTick: 7 });
  assert.equal(walk.bytes, duBytes(home));
  assert.equal(walk.complete, true);
  assert.equal(walk.skipped, 0);
  assert.ok(walk.bytes < 3_000_000, 'nothing behind a symlink was counted');
  assert.ok(walk.apparentBytes > 50_000_000, 'the sparse file counts its size as apparent bytes only');
  assert.equal(walk.bytes, duBytes(home, '-x'));
});

it('skips a directory swapped for a symlink while the walk was under way', async () => {
  const home = makeHome('bob');
  const before = await walkDiskUsage(home, { deadline: FAR });
  const img = join(home, 'public_html', 'img');
  const walk = await walkDiskUsage(home, {
    deadline: FAR,
    beforeOpen: async (path) => {
      if (path !== img) return;
      renameSync(img, `${img}.moved`);
      symlinkSync(join(root, 'bob-outside'), img);
    },
  });
  assert.equal(walk.skipped, 1);
  assert.equal(walk.complete, true);
  assert.ok(walk.bytes < before.bytes, 'the directory behind the symlink was not counted');
  assert.ok(before.bytes - walk.bytes >= 123_457, "img's own files were not counted either");
});

it('skips a directory reached through a parent swapped for a symlink during the walk', async () => {
  const home = makeHome('erin');
  const decoy = join(root, 'erin-decoy');
  mkdirSync(join(decoy, 'deep'), { recursive: true });
  writeFileSync(join(decoy, 'deep', 'secret.bin'), Buffer.alloc(2_000_000, 5));
  const img = join(home, 'public_html', 'img');
  const walk = await walkDiskUsage(home, {
    deadline: FAR,
    beforeOpen: async (path) => {
      if (path !== join(img, 'deep')) return;
      // img was listed already; now img/deep would lead into the decoy through a symlinked parent.
      renameSync(img, `${img}.moved`);
      symlinkSync(decoy, img);
    },
  });
  assert.equal(walk.skipped, 1);
  assert.ok(walk.bytes < 2_000_000, 'nothing of the decoy was counted');
});

it('stops at its deadline and says the figure is incomplete', async () => {
  const home = makeHome('carol');
  const full = await walkDiskUsage(home, { deadline: FAR });
  let ticks = 0;
  const walk = await walkDiskUsage(home, { deadline: 3, now: () => ticks++, entriesPerTick: 5 });
  assert.equal(walk.complete, false);
  assert.ok(walk.bytes > 0 && walk.bytes < full.bytes);
});

it('refuses a home that is a symlink or not a directory', async () => {
  const home = makeHome('dave');
  symlinkSync(home, join(root, 'dave-link'));
  await assert.rejects(walkDiskUsage(join(root, 'dave-link'), { deadline: FAR }), /not a directory/);
  await assert.rejects(walkDiskUsage(join(home, 'backup.tar'), { deadline: FAR }), /not a directory/);
  await assert.rejects(walkDiskUsage(join(root, 'nobody-here'), { deadline: FAR }), { code: 'ENOENT' });
});
