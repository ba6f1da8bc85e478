import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProcessLock } from './process-lock.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'vanta-process-lock-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * holder starts another process that takes the lock on `path` and keeps it until its stdin ends
 * (or it is killed); it resolves once that process holds it.
 */
async function holder(path: string): Promise<ChildProcess> {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(${JSON.stringify(path)}, { timeout: 0 });
    db.exec('BEGIN EXCLUSIVE');
    process.stdout.write('held\\n');
    process.stdin.resume();
    process.stdin.on('end', () => { db.exec('COMMIT'); process.exit(0); });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`the holder exited with ${code}`)));
  });
  return child;
}

describe('the host turn shared by processes (serve, the CLI, recover)', () => {
  it('waits while another process holds it, and runs once that process lets it go', async () => {
    const path = join(dir, 'released.lock');
    const other = await holder(path);
    const lock = new ProcessLock(path);
    try {
      let ran = false;
      const held = lock.hold(async () => {
        ran = true;
      });
      await sleep(100);
      assert.equal(ran, false, 'it ran while the other process held the lock');
      other.stdin?.end();
      await held;
      assert.equal(ran, true);
    } finally {
      other.kill('SIGKILL');
      lock.close();
    }
  });

  it('is not left taken by a process killed while holding it', async () => {
    const path = join(dir, 'killed.lock');
    const other = await holder(path);
    const lock = new ProcessLock(path);
    try {
      const held = lock.hold(async () => 'ran');
      await sleep(50);
      other.kill('SIGKILL');
      assert.equal(await held, 'ran');
    } finally {
      lock.close();
    }
  });

  it('is let go when what it runs fails, and keeps two holders of one file apart', async () => {
    const path = join(dir, 'two.lock');
    const [a, b] = [new ProcessLock(path), new ProcessLock(path)];
    try {
      await assert.rejects(
        a.hold(async () => {
          throw new Error('nginx -t refused');
        }),
        /refused/,
      );
      const events: string[] = [];
      let release: () => void = () => {};
      const first = a.hold(async () => {
        events.push('a starts');
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        events.push('a ends');
      });
      await sleep(10);
      const second = b.hold(async () => {
        events.push('b runs');
      });
      await sleep(50);
      release();
      await Promise.all([first, second]);
      assert.deepEqual(events, ['a starts', 'a ends', 'b runs']);
    } finally {
      a.close();
      b.close();
    }
  });

  it('is a file its owner alone can open: a process that could open it could hold every host change up', async () => {
    const path = join(dir, 'mode.lock');
    writeFileSync(path, '', { mode: 0o644 });
    const lock = new ProcessLock(path);
    try {
      await lock.hold(async () => {});
      assert.equal(statSync(path).mode & 0o777, 0o600);
    } finally {
      lock.close();
    }
  });
});

describe('one lock shared by two queues of one process (the start-up check and the web server)', () => {
  it('runs their sections one after the other', async () => {
    const lock = new ProcessLock(join(dir, 'shared.lock'));
    const events: string[] = [];
    const section = (name: string) =>
      lock.hold(async () => {
        events.push(`${name} starts`);
        await sleep(20);
        events.push(`${name} ends`);
      });
    try {
      await Promise.all([section('a'), section('b')]);
      assert.deepEqual(events, ['a starts', 'a ends', 'b starts', 'b ends']);
    } finally {
      lock.close();
    }
  });
});
