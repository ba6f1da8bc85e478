import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { ownerAlive, ownerOf, processOwner } from '../src/host/process-owner.js';
import { loadConfig } from '../src/config.js';
import { type Serving, serve } from '../src/main.js';
import { processState } from './support/host-mode.js';
import { until } from './support/wait.js';
import { fastHasher } from './support/app.js';
import { buildAccount } from './support/builders.js';

// Regression tests of issue 16, finding 5: a zombie or a reused pid is dead, and `vanta serve`
// recovers what a dead process left without being restarted.

const BOOT = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim().slice(0, 8);

const SLEEPER_PARENT = fileURLToPath(new URL('./support/sleeper-parent.mjs', import.meta.url));

/**
 * zombie makes a process that has died but whose parent has not reaped it: the parent is stopped
 * before its child is killed. `release` ends the parent, which reaps the child first.
 */
async function zombie(): Promise<{ pid: number; owner: string; release(): Promise<void> }> {
  const parent: ChildProcess = spawn(process.execPath, [SLEEPER_PARENT], { stdio: ['ignore', 'pipe', 'ignore'] });
  const pid = await new Promise<number>((resolve) =>
    parent.stdout?.once('data', (d: Buffer) => resolve(Number(String(d).trim()))),
  );
  const owner = ownerOf(pid);
  parent.kill('SIGSTOP');
  process.kill(pid, 'SIGKILL');
  await until(() => processState(pid) === 'Z');
  return {
    pid,
    owner,
    release: async () => {
      const ended = new Promise((r) => parent.once('exit', r));
      parent.kill('SIGKILL');
      parent.kill('SIGCONT');
      await ended;
    },
  };
}

describe('16.5: liveness of a lock or journal owner', () => {
  it('this process is alive; so is an owner string of the older form (boot:pid-random)', () => {
    assert.equal(ownerAlive(processOwner()), true);
    assert.equal(ownerAlive(`${BOOT}:${process.pid}-0a1b2c3d`), true);
  });

  it('a zombie is dead, although kill(pid, 0) still succeeds on it', async () => {
    const z = await zombie();
    try {
      assert.equal(processState(z.pid), 'Z');
      process.kill(z.pid, 0);
      assert.equal(ownerAlive(z.owner), false);
      assert.equal(ownerAlive(`${BOOT}:${z.pid}-0a1b2c3d`), false, 'also in the older form');
    } finally {
      await z.release();
    }
  });

  it('a pid now used by another process (another start time) is dead', () => {
    const mine = processOwner();
    const reused = mine.replace(/@(\d+)-/, (_m, start: string) => `@${Number(start) + 1}-`);
    assert.notEqual(reused, mine);
    assert.equal(ownerAlive(reused), false);
  });

  it('another boot, a gone pid, or a malformed owner is dead', () => {
    assert.equal(ownerAlive(`other000:${process.pid}-0a1b2c3d`), false);
    assert.equal(ownerAlive(`${BOOT}:4194304@1-0a1b2c3d`), false);
    assert.equal(ownerAlive('gone'), false);
  });
});

describe('16.5: vanta serve recovers, every sweep interval, what dead processes left, and never its own work', () => {
  let dir: string;
  let serving: Serving;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vanta-sweep-'));
    const config = loadConfig({
      VANTA_DATA_DIR: dir,
      VANTA_ACME_DIRECTORY: 'off',
      VANTA_PANEL_PORT: '0',
      VANTA_WHM_PORT: '0',
      VANTA_RECOVERY_INTERVAL: '1',
    });
    serving = await serve(config, () => {}, { logger: pino({ level: 'silent' }), hasher: fastHasher() });
  });
  after(async () => {
    await serving.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('a create left by a zombie CLI process is undone while the server runs; its own operation is left alone', async () => {
    const ctx = serving.ctx;
    const z = await zombie();
    try {
      // What a CLI create killed in its quota step leaves: the row, the journal, the lock.
      await buildAccount(ctx, 'zack');
      await ctx.store.accounts.update('zack', { status: 'provisioning' });
      const dead = await ctx.store.operations.begin({
        op: 'account.create',
        account: 'zack',
        params: { domain: 'zack.example', shell: false, diskMb: null },
        owner: z.owner,
        startedAt: new Date().toISOString(),
      });
      await ctx.store.operations.setStep(dead, 'quota');
      assert.ok(await ctx.store.locks.acquire('account:zack', z.owner, Date.now(), 600_000));
      // The server's own operation in flight, on another account.
      await buildAccount(ctx, 'olga');
      await ctx.store.accounts.update('olga', { status: 'terminating' });
      const own = await ctx.store.operations.begin({
        op: 'account.terminate',
        account: 'olga',
        params: { previousStatus: 'active' },
        owner: ctx.lockOwner,
        startedAt: new Date().toISOString(),
      });
      assert.ok(await ctx.store.locks.acquire('account:olga', ctx.lockOwner, Date.now(), 600_000));

      await until(async () => (await ctx.store.accounts.get('zack')) === undefined);
      assert.deepEqual(
        (await ctx.store.operations.list()).map((o: { id: number }) => o.id),
        [own],
      );
      assert.equal((await ctx.store.accounts.get('olga'))?.status, 'terminating', 'its own work is not touched');
      assert.deepEqual(await ctx.store.locks.list(), [{ key: 'account:olga', owner: ctx.lockOwner }]);
      await ctx.store.operations.finish(own);
      await ctx.store.locks.release('account:olga', ctx.lockOwner);
    } finally {
      await z.release();
    }
  });
});
