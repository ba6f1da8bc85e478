import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout } from 'node:timers/promises';
import { ProcessLock } from '../process-lock.js';
import { PhpFpmPools, poolWorkerPids } from './php-fpm-pools.js';

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

test('a reload waits until the pid file holds a pid again, not only until it changed (it is truncated first)', async () => {
  const pidFile = join(dir, 'rewritten.pid');
  await writeFile(pidFile, '4321\n');
  // As the master does on a reload: truncate the pid file at once, write the pid a moment later.
  const script = `: > "$1"; (sleep 0.3; echo 4321 > "$1") </dev/null >/dev/null 2>&1 &`;
  await pools(pidFile, ['bash', '-c', script, 'reload', pidFile]).reload();
  assert.equal(await readFile(pidFile, 'utf8'), '4321\n');
});

/**
 * gated is a pools driver whose `php-fpm -t` is a stand-in that refuses while `<dir>/refuse` exists,
 * and whose reload command appends a line to `<dir>/reloads` (no pid file, so no wait).
 */
async function gated(name: string, checkReuseMs = 3_600_000) {
  const root = join(dir, name);
  await mkdir(join(root, 'pool.d'), { recursive: true });
  const conf = join(root, 'php-fpm.conf');
  await writeFile(conf, `[global]\ninclude = ${join(root, 'pool.d')}/*.conf\n`);
  const refuse = join(root, 'refuse');
  const reloads = join(root, 'reloads');
  const p = new PhpFpmPools({
    poolDir: join(root, 'pool.d'),
    runDir: join(root, 'run'),
    // bash -c SCRIPT $0 $1 -y CONF -t: the arguments after the flag are php-fpm's, as the panel passes them.
    bin: 'bash',
    args: ['-c', '[ ! -e "$1" ] || { echo "ERROR: refused by the test" >&2; exit 78; }', 'check', refuse, '-y', conf],
    reloadCommand: ['bash', '-c', 'echo reload >> "$0"', reloads],
    pidFile: join(root, 'no.pid'),
    webGroup: 'www-data',
    timeoutMs: 10_000,
    reloadWaitMs: 10_000,
    checkReuseMs,
  });
  const home = await accountHome(`home-${name}`);
  const spec = { user: name, home, maxChildren: 2, memoryMb: 64 };
  const reloadCount = async () => (await readFile(reloads, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
  return { p, root, conf, refuse, spec, reloadCount };
}

test('a reload right after a passing php-fpm -t of the very same files is gated by it, not by a second run', async () => {
  const g = await gated('zzreuse');
  await g.p.writePool(g.spec);
  assert.equal(g.p.checks, 1);
  await g.p.reload();
  await g.p.reload();
  assert.equal(g.p.checks, 1, 'the pool was checked once, for its write and both reloads');
  assert.equal(await g.reloadCount(), 2);
});

test('any change of the panel to the pool directory since the pass makes the reload run php-fpm -t again', async () => {
  const g = await gated('zzchange');
  await g.p.writePool(g.spec);
  await g.p.disablePool(g.spec.user);
  await g.p.reload();
  assert.equal(g.p.checks, 2, 'disable');
  await g.p.enablePool(g.spec.user);
  assert.equal(g.p.checks, 3, 'enable checks the pool it puts back');
  await g.p.reload();
  assert.equal(g.p.checks, 3, 'and that check gates the reload');
  await g.p.removePool(g.spec.user);
  await g.p.reload();
  assert.equal(g.p.checks, 4, 'remove');
});

test('a reload whose pass is older than checkReuseMs runs php-fpm -t again', async () => {
  const g = await gated('zzstale', 0);
  await g.p.writePool(g.spec);
  await setTimeout(5);
  await g.p.reload();
  assert.equal(g.p.checks, 2);
});

test('a pool file written behind the panel after its pass is checked before the reload, and a refusal stops the reload', async () => {
  const g = await gated('zzbehind');
  await g.p.writePool(g.spec);
  // Directory times move in clock ticks: a file written within the same tick as the panel's own would not show.
  await setTimeout(50);
  await writeFile(join(g.root, 'pool.d', 'zz-stray.conf'), '[stray]\nnot a directive\n');
  await writeFile(g.refuse, '');
  await assert.rejects(g.p.reload(), { code: 'php_reload_failed' });
  assert.equal(g.p.checks, 2);
  assert.equal(await g.reloadCount(), 0, 'php-fpm was not reloaded');
});

test('a change of the main configuration after the pass is checked before the reload', async () => {
  const g = await gated('zzmain');
  await g.p.writePool(g.spec);
  await setTimeout(50);
  await writeFile(g.conf, `${await readFile(g.conf, 'utf8')}; edited\n`);
  await writeFile(g.refuse, '');
  await assert.rejects(g.p.reload(), { code: 'php_reload_failed' });
  assert.equal(await g.reloadCount(), 0, 'php-fpm was not reloaded');
  await rm(g.refuse);
  await g.p.reload();
  assert.equal(g.p.checks, 3);
  assert.equal(await g.reloadCount(), 1);
});

test('a refused write leaves no pass behind: the next reload checks on its own', async () => {
  const g = await gated('zzrefused');
  await g.p.writePool(g.spec);
  await writeFile(g.refuse, '');
  await assert.rejects(g.p.writePool({ ...g.spec, maxChildren: 3 }), { code: 'php_check_failed' });
  await rm(g.refuse);
  await g.p.reload();
  assert.equal(g.p.checks, 3);
  assert.equal(await g.reloadCount(), 1);
});

test('a refused burst whose files cannot be put back still settles every write of it, with the error', async () => {
  const g = await gated('zzstuck');
  const poolFile = join(g.root, 'pool.d', 'vanta-zzstuck.conf');
  class Stuck extends PhpFpmPools {
    override async check(): Promise<void> {
      // What an I/O error would do to the restore: the file can neither be removed nor replaced.
      await rm(poolFile, { force: true });
      await mkdir(join(poolFile, 'stuck'), { recursive: true });
      throw new Error('php-fpm -t refused');
    }
  }
  const p = new Stuck(g.p.opts);
  let outcome = 'pending';
  const write = p.writePool(g.spec).then(
    () => {
      outcome = 'written';
    },
    () => {
      outcome = 'refused';
    },
  );
  // Queued after the burst's flush: once it has run, the flush has ended, and so must every write of it.
  await p.disablePool('zzstuck-other');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(outcome, 'refused');
  await write;
  await rm(poolFile, { recursive: true, force: true });
});

test('a pool written aside goes straight out of service, replacing a live file an earlier run left', async () => {
  const g = await gated('zzaside');
  const live = join(g.root, 'pool.d', 'vanta-zzaside.conf');
  await writeFile(live, '[zzaside]\n; left by an earlier run\n');
  await g.p.writePool({ ...g.spec, aside: true });
  await assert.rejects(readFile(live), { code: 'ENOENT' });
  assert.match(await readFile(`${live}.disabled`, 'utf8'), /pm.max_children = 2/);
  assert.equal(g.p.checks, 0, 'php-fpm does not read it, so -t cannot judge it');
});

test('two panel processes (serve and the CLI) checked and reloaded php-fpm over each other: each now holds the machine-wide turn', async () => {
  // A php-fpm (and reload command) that notes when each run starts and ends, and takes a while.
  const bin = join(dir, 'php-fpm-noting');
  const notes = join(dir, 'checks');
  await writeFile(notes, '');
  await writeFile(bin, `#!/bin/sh\necho start >> '${notes}'\nsleep 0.2\necho end >> '${notes}'\n`, { mode: 0o755 });
  const locks = [new ProcessLock(join(dir, 'php-fpm.lock')), new ProcessLock(join(dir, 'php-fpm.lock'))];
  try {
    const [serve, cli] = locks.map(
      (lock) =>
        new PhpFpmPools({
          poolDir: join(dir, 'pool.d'),
          runDir: join(dir, 'run'),
          bin,
          args: [],
          reloadCommand: [bin],
          pidFile: join(dir, 'unused.pid'),
          webGroup: 'www-data',
          timeoutMs: 10_000,
          reloadWaitMs: 10_000,
          lock,
        }),
    );
    await Promise.all([serve?.reload(), cli?.reload()]);
    // Each reload is its check and its command: four runs, none started before the one before it ended.
    assert.equal(await readFile(notes, 'utf8'), 'start\nend\n'.repeat(4));
  } finally {
    for (const lock of locks) lock.close();
  }
});

test('a pool write whose machine-wide turn could not be taken left its writers waiting forever (and serve with an unhandled rejection): they now fail, and the next write is not stuck behind them', async () => {
  const g = await gated('zzlockless');
  const lockPath = join(g.root, 'php-fpm.lock');
  const lock = new ProcessLock(lockPath);
  try {
    const p = new PhpFpmPools({ ...g.p.opts, lock });
    // A lock file SQLite cannot take (as a full disk refuses the journal of the first turn): every BEGIN fails.
    await writeFile(lockPath, 'not a database\n'.repeat(512));
    let outcome: unknown = 'waiting';
    const writes = [p.writePool(g.spec), p.writePool({ ...g.spec, maxChildren: 3 })];
    const told = Promise.allSettled(writes).then((all) => {
      outcome = all.map((r) => (r.status === 'rejected' ? (r.reason as { code?: string }).code : r.status));
    });
    // Queued after the batch's flush: once it has run (or failed to begin), so has that flush.
    await assert.rejects(p.disablePool('zzlockless-other'), { code: 'SQLITE_NOTADB' });
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(outcome, ['SQLITE_NOTADB', 'SQLITE_NOTADB']);
    await told;
    const poolFile = join(g.root, 'pool.d', 'vanta-zzlockless.conf');
    await assert.rejects(readFile(poolFile), { code: 'ENOENT' }, 'no pool was written without the turn');
    // The lock file usable again, the next pool is written: no batch is left for it to join.
    await writeFile(lockPath, '');
    await p.writePool(g.spec);
    assert.match(await readFile(poolFile, 'utf8'), /pm.max_children = 2/);
  } finally {
    lock.close();
  }
});

test('a reload whose machine-wide turn could not be taken once failed every later reload with the same error: the next one now runs', async () => {
  const lockPath = join(dir, 'reload-once.lock');
  const lock = new ProcessLock(lockPath);
  try {
    const p = new PhpFpmPools({ ...pools(join(dir, 'reload-once.pid'), ['true']).opts, lock });
    // A lock file SQLite cannot take (as a full disk refuses the journal of the first turn): the BEGIN fails.
    await writeFile(lockPath, 'not a database\n'.repeat(512));
    await assert.rejects(p.reload(), { code: 'SQLITE_NOTADB' });
    await writeFile(lockPath, '');
    await p.reload();
    assert.equal(p.reloads, 1);
  } finally {
    lock.close();
  }
});
