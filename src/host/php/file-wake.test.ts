import assert from 'node:assert/strict';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { wakeOnChange } from './file-wake.js';

let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vanta-wake-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** HOUR is a sleep that only a change can end within a test's lifetime. */
const HOUR = 3_600_000;

test('a sleep ends when the file is replaced, as php-fpm replaces its pid file', async () => {
  const path = join(dir, 'master.pid');
  await writeFile(path, '100\n');
  const wake = wakeOnChange(path);
  try {
    const slept = wake.sleep(HOUR);
    await writeFile(`${path}.new`, '100\n');
    await rename(`${path}.new`, path);
    await slept;
  } finally {
    wake.close();
  }
});

test('a change made before the sleep ends the next sleep at once; the one after waits again', async () => {
  const path = join(dir, 'early.pid');
  const wake = wakeOnChange(path);
  try {
    await writeFile(path, '1\n');
    // The events (a create, then a write) arrive on later ticks: let them land before sleeping.
    await sleep(100);
    await wake.sleep(HOUR);
    const next = await Promise.race([wake.sleep(HOUR).then(() => 'woke'), sleep(100).then(() => 'still asleep')]);
    assert.equal(next, 'still asleep');
  } finally {
    wake.close();
  }
});

test('another file of the directory does not end the sleep', async () => {
  const path = join(dir, 'quiet.pid');
  const wake = wakeOnChange(path);
  try {
    const slept = wake.sleep(HOUR).then(() => 'woke');
    await writeFile(join(dir, 'other.sock'), '');
    assert.equal(await Promise.race([slept, sleep(100).then(() => 'still asleep')]), 'still asleep');
  } finally {
    wake.close();
  }
});

test('with a directory that cannot be watched, the sleep is a plain timer', async () => {
  const wake = wakeOnChange(join(dir, 'missing-dir', 'master.pid'));
  try {
    await wake.sleep(10);
  } finally {
    wake.close();
  }
});
