import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCommand } from './exec.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vanta-exec-'));
});
after(() => rm(dir, { recursive: true, force: true }));

// The test's own timeout only keeps a regression from hanging the suite; the command's is what is tested.
test('the timeout ends a command whose child still holds its output open', { timeout: 20_000 }, async () => {
  const pidFile = join(dir, 'grandchild.pid');
  // The grandchild outlives the killed command, holding its stdout and stderr, until the test kills it (or 30 s pass).
  const script = 'sleep 30 & echo $! > "$0"; wait';
  try {
    await assert.rejects(runCommand('bash', ['-c', script, pidFile], { timeoutMs: 300 }), /timed out after 300 ms/);
  } finally {
    const pid = Number(await readFile(pidFile, 'utf8').catch(() => ''));
    if (pid > 1) process.kill(pid, 'SIGKILL');
  }
});
