import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout } from 'node:timers/promises';
import { PhpFpmPools, parsePid, poolWorkerPids } from './php-fpm-pools.js';

let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vanta-pools-'));
  await mkdir(join(dir, 'pool.d'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function pools(pidFile: string, reloadCommand: string[] | null = null): PhpFpmPools {
  return new PhpFpmPools({
    poolDir: join(dir, 'pool.d'),
    runDir: join(dir, 'run'),
    bin: 'true',
    args: [],
    reloadCommand,
    pidFile,
    webGroup: 'www-data',
    timeoutMs: 10_000,
    reloadWaitMs: 10_000,
  });
}

const asRoot = process.getuid?.() === 0;
/** ACCOUNT_UID is the uid the sleepers stand in for an account with: nobody as root (root's processes never count). */
const ACCOUNT_UID = asRoot ? 65534 : (process.getuid?.() ?? 0);

/** sleeper starts `sleep` under a process title, as `uid` (as root), by default the account's. */
function sleeper(title: string, uid = ACCOUNT_UID) {
  const child = spawn('bash', ['-c', `exec -a "${title}" sleep 600`], {
    stdio: 'ignore',
    ...(asRoot ? { uid, gid: uid } : {}),
  });
  const ended = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_c, signal) => resolve(signal)));
  return { child, ended };
}

test('a stale pid file never gets another process signalled: the reload fails with php_reload_failed', async () => {
  const bystander = sleeper('sleep');
  try {
    const pidFile = join(dir, 'stale.pid');
    await writeFile(pidFile, `${bystander.child.pid}\n`);
    await assert.rejects(pools(pidFile).reload(), { code: 'php_reload_failed' });
    await assert.rejects(pools(join(dir, 'missing.pid')).reload(), { code: 'php_reload_failed' });
    assert.equal(bystander.child.exitCode, null, 'the process named in the pid file still runs');
    assert.equal(bystander.child.signalCode, null);
  } finally {
    bystander.child.kill('SIGKILL');
    await bystander.ended;
  }
});

/** accountHome makes a home owned by the sleepers' account, as endWorkers finds the account's uid from it. */
async function accountHome(name: string): Promise<string> {
  const home = join(dir, name);
  await mkdir(home);
  if (asRoot) await chown(home, ACCOUNT_UID, ACCOUNT_UID);
  return home;
}

/** titled waits until a pool's title shows (bash takes it only once it has execed sleep) and returns its pids. */
async function titled(pool: string, uid: number | null, count: number): Promise<number[]> {
  for (let i = 0; i < 200 && (await poolWorkerPids(pool, uid)).length < count; i++) await setTimeout(10);
  return poolWorkerPids(pool, uid);
}

test('endWorkers kills the processes titled as the pool, and only those', async () => {
  const home = await accountHome('home-zzpool');
  const worker = sleeper('php-fpm: pool zzpool');
  const other = sleeper('php-fpm: pool zzpoolx');
  try {
    assert.deepEqual(await titled('zzpoolx', null, 1), [other.child.pid]);
    assert.deepEqual(await titled('zzpool', null, 1), [worker.child.pid]);
    await pools(join(dir, 'none.pid')).endWorkers('zzpool', home);
    assert.equal(await worker.ended, 'SIGKILL');
    assert.deepEqual(await poolWorkerPids('zzpool', null), []);
    assert.deepEqual(
      await poolWorkerPids('zzpoolx', null),
      [other.child.pid],
      'a pool whose name only starts the same stays',
    );
  } finally {
    worker.child.kill('SIGKILL');
    other.child.kill('SIGKILL');
    await other.ended;
  }
});

test("another account's process under this pool's title is neither killed nor blocks the end of the pool's workers", {
  skip: asRoot ? false : 'needs root to run a process as another uid',
}, async () => {
  const home = await accountHome('home-zzvictim');
  const worker = sleeper('php-fpm: pool zzvictim');
  const impostor = sleeper('php-fpm: pool zzvictim', ACCOUNT_UID - 1);
  try {
    assert.equal((await titled('zzvictim', null, 2)).length, 2);
    await pools(join(dir, 'none.pid')).endWorkers('zzvictim', home);
    assert.equal(await worker.ended, 'SIGKILL');
    assert.deepEqual(await poolWorkerPids('zzvictim', null), [impostor.child.pid], 'the other uid runs on');
  } finally {
    worker.child.kill('SIGKILL');
    impostor.child.kill('SIGKILL');
    await impostor.ended;
  }
});

test('removing a pool also removes the temporary file a panel killed mid-write left', async () => {
  const leftover = join(dir, 'pool.d', 'vanta-crashed.conf.tmp-0a1b2c3d4e5f');
  const other = join(dir, 'pool.d', 'vanta-crashedtoo.conf.tmp-0a1b2c3d4e5f');
  await writeFile(leftover, '[crashed]\n');
  await writeFile(other, '[crashedtoo]\n');
  await pools(join(dir, 'none.pid')).removePool('crashed');
  await assert.rejects(readFile(leftover), { code: 'ENOENT' });
  assert.equal(await readFile(other, 'utf8'), '[crashedtoo]\n', "another account's file stays");
  await rm(other);
});

test('removing and disabling a pool that was never written does nothing; enabling it is pool_not_found', async () => {
  const p = pools(join(dir, 'none.pid'));
  await p.removePool('nobodyhere');
  await p.disablePool('nobodyhere');
  await assert.rejects(p.enablePool('nobodyhere'), { code: 'pool_not_found' });
  await assert.rejects(readFile(join(dir, 'pool.d', 'vanta-nobodyhere.conf')), { code: 'ENOENT' });
});

test('parsePid reads digits only and never 0 or 1: `kill -USR2 0` would signal the whole process group', () => {
  const cases: [string, number | null][] = [
    ['1234\n', 1234],
    [' 77 ', 77],
    ['', null],
    ['\n', null],
    ['0', null],
    ['1', null],
    ['-5', null],
    ['0x1A', null],
    ['1e3', null],
    ['12 34', null],
  ];
  for (const [text, want] of cases) assert.equal(parsePid(text), want, JSON.stringify(text));
});

test('a reload waits until the pid file holds a pid again, not only until it changed (it is truncated first)', async () => {
  const pidFile = join(dir, 'rewritten.pid');
  await writeFile(pidFile, '4321\n');
  // As the master does on a reload: truncate the pid file at once, write the pid a moment later.
  const script = `: > "$1"; (sleep 0.3; echo 4321 > "$1") </dev/null >/dev/null 2>&1 &`;
  await pools(pidFile, ['bash', '-c', script, 'reload', pidFile]).reload();
  assert.equal(await readFile(pidFile, 'utf8'), '4321\n');
});
