import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { scanProcesses } from './proc-scan.js';

describe('scanProcesses', () => {
  let root = '';
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'vanta-proc-'));
    for (const pid of [11, 12, 13, 14, 15]) {
      await mkdir(join(root, String(pid)));
      if (pid !== 13) await writeFile(join(root, String(pid), 'status'), `Name:\tp${pid}\nUid:\t${1000 + pid}\n`);
    }
    // Not processes: /proc's other entries.
    await mkdir(join(root, 'self'));
    await writeFile(join(root, 'uptime'), '1.0 2.0\n');
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('visits every process, reads a vanished file as empty, and keeps what the visit returns', async () => {
    const seen: string[] = [];
    const found = await scanProcesses(
      (pid, read) => {
        const status = read('status');
        seen.push(`${pid}:${status === '' ? 'gone' : 'read'}`);
        return /Uid:\t(\d+)/.exec(status)?.[1] === '1012' ? pid : null;
      },
      { root },
    );
    assert.deepEqual(seen.sort(), ['11:read', '12:read', '13:gone', '14:read', '15:read']);
    assert.deepEqual(found, [12]);
  });

  it('lets the event loop turn between chunks, so a long scan does not hold every other request', async () => {
    const order: string[] = [];
    setImmediate(() => order.push('turn'));
    await scanProcesses(
      (pid) => {
        order.push(String(pid));
        return null;
      },
      { root, chunk: 2 },
    );
    const turn = order.indexOf('turn');
    assert.equal(turn, 2, `the turn came after the first chunk: ${order.join(' ')}`);
    assert.equal(order.length, 6);
  });

  it('finds a real process by its title in /proc', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      // The title is sleep's once exec has happened; until then the child is a copy of this process.
      let found: number[] = [];
      for (let i = 0; i < 100 && found.length === 0; i++) {
        found = await scanProcesses((pid, read) =>
          pid === child.pid && read('cmdline').split('\0')[0] === 'sleep' ? pid : null,
        );
        if (found.length === 0) await new Promise((r) => setTimeout(r, 10));
      }
      assert.deepEqual(found, [child.pid]);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
