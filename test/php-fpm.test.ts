import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, lstat, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { ensureAccountTmp } from '../src/host/php/account-tmp.js';
import { includesPoolDir, mainConfigPath, parseFpmDump } from '../src/host/php/fpm-checks.js';
import { type PhpFpmOptions, PhpFpmPools } from '../src/host/php/php-fpm-pools.js';
import { renderServerBlock } from '../src/host/nginx/server-block.js';
import { poolFileName, poolSocketPath, renderPool } from '../src/host/php/pool-config.js';
import type { PhpPoolSpec } from '../src/host/ports.js';
import { NGINX_BIN, PrivateNginx, freePort, get } from './support/nginx.js';
import {
  BrokenPoolFor,
  PHPFPM_BIN,
  PrivatePhpFpm,
  type TestAccount,
  makeAccount,
  phpFpmSkip,
  pidsOfUid,
  processTitle,
  writeAs,
} from './support/php-fpm.js';
import { makePrivateEtc } from './support/private-etc.js';
import { until } from './support/wait.js';

const run = promisify(execFile);
const skip = phpFpmSkip() ?? (existsSync(NGINX_BIN) ? null : 'php-fpm tests need nginx');
const PHP_CLI = '/usr/bin/php8.2';
const WWW_DATA = 33;

/** PROBE is the PHP page every account serves: who runs it, what it may read and reach. */
const PROBE = `<?php
header('Content-Type: application/json');
$out = [
  'euid' => posix_geteuid(),
  'open_basedir' => ini_get('open_basedir'),
  'upload_tmp_dir' => ini_get('upload_tmp_dir'),
  'session_save_path' => ini_get('session.save_path'),
  'memory_limit' => ini_get('memory_limit'),
  'exec' => function_exists('exec'),
  'shell_exec' => function_exists('shell_exec'),
  'proc_open' => function_exists('proc_open'),
  'putenv' => function_exists('putenv'),
  'read' => [],
];
foreach ((array) ($_GET['read'] ?? []) as $path) {
  $why = [];
  set_error_handler(function ($no, $msg) use (&$why) { $why[] = $msg; return true; });
  $text = file_get_contents($path);
  restore_error_handler();
  $out['read'][$path] = $text === false ? implode(' | ', $why) : 'READ';
}
if (isset($_GET['connect'])) {
  $s = @stream_socket_client('unix://' . $_GET['connect'], $no, $why, 2);
  $out['connect'] = $s === false ? "refused: $why" : 'connected';
}
$t = tempnam(sys_get_temp_dir(), 'probe');
$out['tempnam'] = $t;
if ($t !== false) unlink($t);
echo json_encode($out);
`;

/** SOURCE_MARKER is in every .php file: seeing it in a response means PHP source was sent. */
const SOURCE_MARKER = 'vanta-source-marker';

interface Probe {
  euid: number;
  open_basedir: string;
  upload_tmp_dir: string;
  session_save_path: string;
  memory_limit: string;
  exec: boolean;
  shell_exec: boolean;
  proc_open: boolean;
  putenv: boolean;
  read: Record<string, string>;
  connect?: string;
  tempnam: string | false;
}

function randomTag(): string {
  return Math.random().toString(36).slice(2, 7).replace(/[0-9]/g, 'q');
}

/** connectAs tries the socket as another uid with the PHP command line (no open_basedir there: the kernel decides). */
async function connectAs(uid: number, gid: number, socket: string): Promise<string> {
  const code =
    '$s = @stream_socket_client("unix://" . $argv[1], $n, $w, 2); echo $s === false ? "refused: $w" : "connected";';
  return new Promise((resolve, reject) => {
    const child = spawn(PHP_CLI, ['-r', code, '--', socket], { uid, gid, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.once('error', reject);
    child.once('exit', () => resolve(out.trim()));
  });
}

/** spawnAs starts a long-running process as the account, optionally under another process title. */
function spawnAs(account: TestAccount, title: string | null) {
  const script = title ? `exec -a "${title}" sleep 600` : 'exec sleep 600';
  const child = spawn('bash', ['-c', script], { uid: account.uid, gid: account.gid, stdio: 'ignore' });
  const ended = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_c, signal) => resolve(signal)));
  return { child, ended };
}

describe('php-fpm pools: a private master and nginx, real accounts in a private /etc', { skip: skip ?? false }, () => {
  let dir: string;
  let etc: string;
  let fpm: PrivatePhpFpm;
  let nginx: PrivateNginx;
  let sites: string;
  let opts: PhpFpmOptions;
  let pools: PhpFpmPools;
  let a: TestAccount;
  let b: TestAccount;
  let off: TestAccount;
  const domain = (acc: TestAccount) => `${acc.user}.php.test`;
  const spec = (acc: TestAccount): PhpPoolSpec => ({ user: acc.user, home: acc.home, maxChildren: 3, memoryMb: 128 });

  /** page requests a path of an account's site through nginx. */
  const page = (acc: TestAccount, path: string) => get(nginx.port, domain(acc), path);

  /** probe requests the probe page and parses it; it waits past a reload's retiring connections. */
  async function probe(acc: TestAccount, query = ''): Promise<Probe> {
    let last = '';
    for (let i = 0; i < 100; i++) {
      const r = await page(acc, `/probe.php${query}`).catch((err: Error) => ({ status: 0, body: err.message }));
      if (r.status === 200) return JSON.parse(r.body) as Probe;
      last = `${r.status} ${r.body}`;
      await new Promise((res) => setTimeout(res, 50));
    }
    throw new Error(`the probe of ${acc.user} does not answer: ${last}\n${await fpm.errorText()}`);
  }

  /** writeServerBlock writes the account's server block as the panel renders it, with PHP on or off. */
  async function writeServerBlock(acc: TestAccount, php: boolean): Promise<void> {
    const block = renderServerBlock({
      user: acc.user,
      domain: domain(acc),
      listen: `127.0.0.1:${nginx.port}`,
      tlsListen: '443',
      challengeDir: join(dir, 'acme-challenge'),
      tls: null,
      root: acc.web,
      suspended: false,
      suspendedRoot: acc.web,
      phpSocket: php ? poolSocketPath(fpm.runDir, acc.user) : null,
    });
    await writeFile(join(sites, `${acc.user}.conf`), block);
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vanta-php-'));
    // nginx workers and the pools' users must pass through to the homes.
    await chmod(dir, 0o711);
    etc = await makePrivateEtc(dir);
    fpm = new PrivatePhpFpm(join(dir, 'fpm'), etc);
    await fpm.start();
    const homes = join(dir, 'homes');
    await mkdir(homes, { mode: 0o711 });
    const tag = randomTag();
    a = await makeAccount(fpm, etc, homes, `pa${tag}`);
    b = await makeAccount(fpm, etc, homes, `pb${tag}`);
    off = await makeAccount(fpm, etc, homes, `pc${tag}`);
    for (const acc of [a, b, off]) {
      await writeAs(acc, join(acc.web, 'probe.php'), `${PROBE}// ${SOURCE_MARKER}\n`);
      await writeAs(acc, join(acc.web, 'upper.PHP'), `<?php echo 'upper'; // ${SOURCE_MARKER}\n`);
      await writeAs(acc, join(acc.web, 'index.html'), `home of ${acc.user}\n`);
      await writeAs(acc, join(acc.home, 'secret.txt'), `secret of ${acc.user}\n`, 0o600);
    }
    opts = fpm.poolOptions();
    pools = new PhpFpmPools(opts);
    await pools.writePool(spec(a));
    await pools.writePool(spec(b));
    await pools.reload();
    sites = join(dir, 'sites');
    await mkdir(sites);
    nginx = new PrivateNginx(join(dir, 'nginx'), await freePort(), sites);
    await writeServerBlock(a, true);
    await writeServerBlock(b, true);
    await writeServerBlock(off, false);
    await nginx.start();
  });

  after(async () => {
    try {
      await nginx?.stop().catch(() => {});
      await fpm?.stop();
    } finally {
      if (dir) await rm(dir, { recursive: true, force: true });
    }
  });

  test("a PHP page runs as its account, confined to its home and its tmp dir; others' files and /etc/shadow stay out of reach", async () => {
    const otherSecret = join(b.home, 'secret.txt');
    // B's page is world-readable on disk (0644 in a 0755 public_html): only open_basedir keeps A out.
    const otherPage = join(b.web, 'probe.php');
    const own = join(a.home, 'secret.txt');
    const query = [own, otherSecret, otherPage, '/etc/shadow'].map((p) => `read[]=${encodeURIComponent(p)}`).join('&');
    const r = await probe(a, `?${query}`);
    assert.equal(r.euid, a.uid, 'the worker runs as the account');
    assert.equal(r.open_basedir, `${a.home}/:${a.home}/tmp/`);
    assert.equal(r.upload_tmp_dir, `${a.home}/tmp`);
    assert.equal(r.session_save_path, `${a.home}/tmp`);
    assert.equal(r.memory_limit, '128M');
    assert.equal(r.read[own], 'READ', 'the account reads its own files');
    for (const path of [otherSecret, otherPage, '/etc/shadow'])
      assert.match(r.read[path] ?? '', /open_basedir restriction in effect/, path);
    assert.ok(typeof r.tempnam === 'string' && r.tempnam.startsWith(`${a.home}/tmp/`), `tempnam: ${r.tempnam}`);
    assert.deepEqual(
      [r.exec, r.shell_exec, r.proc_open, r.putenv],
      [false, false, false, false],
      'no function that starts a program is callable',
    );
    const tmp = await lstat(join(a.home, 'tmp'));
    assert.ok(tmp.isDirectory());
    assert.equal(tmp.mode & 0o777, 0o700);
    assert.equal(tmp.uid, a.uid);
    assert.equal(tmp.gid, a.gid);
    assert.equal((await probe(b)).euid, b.uid, 'and the other account runs as itself');
  });

  test("the start-up checks' readers understand the real master: its include, its pid file, its pools", async () => {
    assert.equal(includesPoolDir(await readFile(fpm.conf, 'utf8'), fpm.poolDir), true);
    assert.equal(mainConfigPath(opts.args), fpm.conf);
    const [bin, ...args] = [...fpm.inside(), PHPFPM_BIN, ...fpm.args, '-tt'];
    const { stderr } = await run(bin ?? PHPFPM_BIN, args);
    const dump = parseFpmDump(stderr);
    assert.equal(dump.pidFile, fpm.pidFile);
    assert.equal(dump.processControlTimeoutSec, 10);
    assert.deepEqual([...dump.pools].sort(), [a.user, b.user, 'www'].sort());
  });

  test('the pool file is the rendered text, owned by root, mode 0644, never written through a symlink', async () => {
    const path = join(fpm.poolDir, poolFileName(a.user));
    const decoy = join(dir, 'decoy.conf');
    await writeFile(decoy, 'decoy\n', { mode: 0o600 });
    await rm(path);
    await symlink(decoy, path);
    await pools.writePool(spec(a));
    assert.equal(await readFile(decoy, 'utf8'), 'decoy\n', 'the link target is untouched');
    assert.equal((await stat(decoy)).mode & 0o777, 0o600);
    const st = await lstat(path);
    assert.ok(st.isFile());
    assert.equal(st.uid, 0);
    assert.equal(st.mode & 0o777, 0o644);
    assert.equal(await readFile(path, 'utf8'), renderPool({ ...spec(a), runDir: fpm.runDir, webGroup: 'www-data' }));
  });

  test("no other account can talk to an account's socket; nginx's group can", async () => {
    const socket = poolSocketPath(fpm.runDir, a.user);
    const st = await lstat(socket);
    assert.ok(st.isSocket());
    assert.equal(st.mode & 0o777, 0o660);
    assert.equal(st.uid, a.uid, 'the account owns its socket');
    assert.equal(st.gid, WWW_DATA, "nginx's worker group is the socket's group");
    assert.match(await connectAs(b.uid, b.gid, socket), /^refused: .*Permission denied/, 'the other uid is refused');
    assert.equal(await connectAs(WWW_DATA, WWW_DATA, socket), 'connected', 'www-data (nginx) gets in');
    assert.equal(await connectAs(a.uid, a.gid, socket), 'connected');
    const fromB = await probe(b, `?connect=${encodeURIComponent(socket)}`);
    assert.match(fromB.connect ?? '', /^refused/, "the other account's PHP cannot connect either");
  });

  test('taking a pool out of service ends its workers; putting it back serves the page again', async () => {
    assert.equal((await probe(a)).euid, a.uid);
    const workers = (await pidsOfUid(a.uid)).length;
    assert.ok(workers > 0, 'the request left an idle worker of the account');
    // A straggler under the pool's title (as a worker left behind would be) and an unrelated process of
    // the account (a cron job): the first must go, the second is the system-user lock's business.
    const straggler = spawnAs(a, `php-fpm: pool ${a.user}`);
    const bystander = spawnAs(a, null);
    try {
      await pools.disablePool(a.user);
      await pools.disablePool(a.user);
      await pools.reload();
      await pools.endWorkers(a.user, a.home);
      assert.ok(await isDead(straggler.child.pid ?? 0), 'the straggler was killed');
      assert.equal(await straggler.ended, 'SIGKILL');
      assert.deepEqual(await pidsOfUid(a.uid), [bystander.child.pid], 'no worker of the account remains');
      assert.equal(existsSync(poolSocketPath(fpm.runDir, a.user)), false, 'the socket is gone');
      assert.equal(existsSync(join(fpm.poolDir, poolFileName(a.user))), false);
      assert.ok(existsSync(join(fpm.poolDir, `${poolFileName(a.user)}.disabled`)), 'the pool rests aside');
      const down = await page(a, '/probe.php');
      assert.equal(down.status, 502, 'nginx finds no pool (the suspended server block answers 503 before this)');
      assert.equal((await probe(b)).euid, b.uid, 'the other account is served throughout');

      await pools.enablePool(a.user);
      await pools.enablePool(a.user);
      await pools.reload();
      assert.equal((await probe(a)).euid, a.uid, 'the page answers again');
      assert.equal(await processTitle(bystander.child.pid ?? 0), 'sleep', 'the unrelated process was left alone');
    } finally {
      straggler.child.kill('SIGKILL');
      bystander.child.kill('SIGKILL');
      await bystander.ended;
    }
  });

  test('a pool php-fpm -t refuses is not kept: the previous file is back and the other sites keep answering', async () => {
    const path = join(fpm.poolDir, poolFileName(a.user));
    const previous = await readFile(path, 'utf8');
    const broken = new BrokenPoolFor(a.user, opts);
    await assert.rejects(broken.writePool({ ...spec(a), maxChildren: 7 }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'php_check_failed');
      assert.match(err.message, /vanta_test_invalid_directive/, 'the reason names php-fpm complaint');
      return true;
    });
    assert.equal(await readFile(path, 'utf8'), previous, 'the previous pool file is restored');
    assert.equal((await probe(b)).euid, b.uid, 'the other site answers');
    await pools.reload();
    assert.equal((await probe(b)).euid, b.uid, 'and keeps answering after a reload');
    assert.equal((await probe(a)).euid, a.uid, 'the refused account keeps its previous pool');

    // In one burst, a refused pool does not take a good one down with it.
    const checks = broken.checks;
    const [bad, good] = await Promise.allSettled([broken.writePool(spec(a)), broken.writePool(spec(b))]);
    assert.equal(bad?.status, 'rejected');
    assert.equal(good?.status, 'fulfilled');
    assert.equal(broken.checks - checks, 3, 'one check for the burst, then one for each pool to find the bad one');
    assert.equal(await readFile(path, 'utf8'), previous);

    // Finding: two refused writes of one account in one burst left the first one's refused text behind,
    // put back as "what the file held" by the second, and every later reload failed on it.
    const twice = await Promise.allSettled([
      broken.writePool(spec(a)),
      broken.writePool({ ...spec(a), maxChildren: 6 }),
      broken.writePool(spec(b)),
    ]);
    assert.deepEqual(
      twice.map((r) => r.status),
      ['rejected', 'rejected', 'fulfilled'],
    );
    assert.equal(await readFile(path, 'utf8'), previous, 'the file as it was before the burst');
    await pools.reload();
    assert.equal((await probe(a)).euid, a.uid, 'a reload still passes, and the account keeps its pool');

    // A refused new pool leaves no file at all.
    const fresh = await makeAccount(fpm, etc, join(dir, 'homes'), `pn${randomTag()}`);
    const refusesFresh = new BrokenPoolFor(fresh.user, opts);
    await assert.rejects(refusesFresh.writePool(spec(fresh)), { code: 'php_check_failed' });
    assert.deepEqual(
      (await readdir(fpm.poolDir)).filter((f) => f.includes(fresh.user)),
      [],
      'no file and no temporary file is left',
    );
  });

  test('a reload is refused while the configuration is broken, and the master keeps serving', async () => {
    const stray = join(fpm.poolDir, 'zz-stray.conf');
    await writeFile(stray, '[stray]\nlisten = \nthis is not a directive\n');
    try {
      const master = await fpm.masterPid();
      await assert.rejects(pools.reload(), { code: 'php_reload_failed' });
      assert.equal(await processTitle(master), `php-fpm: master process (${fpm.conf})`, 'the master still runs');
      assert.equal((await probe(b)).euid, b.uid);
    } finally {
      await rm(stray, { force: true });
    }
    await pools.reload();
  });

  test('a burst of writes shares one php-fpm -t, a burst of reloads made before the reload begins shares it, checked; a reload command works too', async () => {
    // No check stands for a reload here (checkReuseMs 0): the writes' check is not reused.
    const burst = new PhpFpmPools({ ...opts, checkReuseMs: 0 });
    await Promise.all([
      burst.writePool(spec(a)),
      burst.writePool(spec(b)),
      burst.writePool({ ...spec(a), memoryMb: 192 }),
      burst.writePool(spec(a)),
    ]);
    assert.equal(burst.checks, 1);
    await Promise.all(Array.from({ length: 5 }, () => burst.reload()));
    assert.equal(burst.reloads, 1, 'the calls made before the reload began share it');
    assert.equal(burst.checks, 2, 'every reload runs php-fpm -t first, even right after a passing one');
    const running = burst.reload();
    await until(() => burst.checks === 3);
    await Promise.all([running, ...Array.from({ length: 5 }, () => burst.reload())]);
    assert.equal(burst.reloads, 3, 'the calls made while a reload runs share one follow-up');

    const byCommand = new PhpFpmPools({ ...opts, reloadCommand: ['kill', '-USR2', String(await fpm.masterPid())] });
    const before = (await stat(fpm.pidFile, { bigint: true })).mtimeNs;
    await byCommand.reload();
    assert.notEqual((await stat(fpm.pidFile, { bigint: true })).mtimeNs, before, 'the master re-read its files');
    assert.equal((await probe(a)).euid, a.uid);
  });

  test("a new pool's own php-fpm -t gates the reload that follows it: one check, and the master serves the pool", async () => {
    const fresh = await makeAccount(fpm, etc, join(dir, 'homes'), `pk${randomTag()}`);
    const once = new PhpFpmPools({ ...opts, checkReuseMs: 60_000 });
    const before = (await stat(fpm.pidFile, { bigint: true })).mtimeNs;
    await once.writePool(spec(fresh));
    await once.reload();
    assert.equal(once.checks, 1);
    assert.notEqual((await stat(fpm.pidFile, { bigint: true })).mtimeNs, before, 'the master re-read its files');
    assert.ok((await lstat(poolSocketPath(fpm.runDir, fresh.user))).isSocket(), 'the new pool listens');
    await once.removePool(fresh.user);
    await once.reload();
    assert.equal(once.checks, 2, 'a removal is checked before its reload');
    await once.endWorkers(fresh.user, fresh.home);
  });

  test('a pool file broken behind the panel after its pass still stops the reload, and the master keeps serving', async () => {
    const fresh = await makeAccount(fpm, etc, join(dir, 'homes'), `pj${randomTag()}`);
    const once = new PhpFpmPools({ ...opts, checkReuseMs: 60_000 });
    await once.writePool(spec(fresh));
    // Directory times move in clock ticks: a file written within the tick of the panel's own write would not show.
    await new Promise((res) => setTimeout(res, 50));
    const stray = join(fpm.poolDir, 'zz-stray.conf');
    await writeFile(stray, '[stray]\nlisten = \nthis is not a directive\n');
    try {
      const master = await fpm.masterPid();
      await assert.rejects(once.reload(), { code: 'php_reload_failed' });
      assert.equal(once.checks, 2);
      assert.equal(await processTitle(master), `php-fpm: master process (${fpm.conf})`, 'the master still runs');
      assert.equal((await probe(b)).euid, b.uid);
    } finally {
      await rm(stray, { force: true });
    }
    await once.removePool(fresh.user);
    await once.reload();
  });

  test('with PHP off a .php file is never sent as its source; with PHP on, no odd path sends it either', async () => {
    // PHP under extensions php-fpm does not run, and the copies editors and people leave beside a script.
    const copies = [
      'old.php5',
      'page.phtml',
      'tool.phar',
      'probe.php~',
      'probe.php.bak',
      '.probe.php.swp',
      '#probe.php#',
    ];
    for (const acc of [a, off])
      for (const name of copies) await writeAs(acc, join(acc.web, name), `<?php // ${SOURCE_MARKER}\n`);
    const copyPaths = copies.map((name) => `/${encodeURIComponent(name)}`);
    for (const path of ['/probe.php', '/upper.PHP', '/probe.php?x=1', '/PROBE.php', ...copyPaths]) {
      const r = await page(off, path);
      assert.equal(r.status, 404, `${path} with PHP off`);
      assert.ok(!r.body.includes(SOURCE_MARKER), `${path} sent source`);
    }
    assert.equal((await page(off, '/')).body, `home of ${off.user}\n`, 'the rest of the site is served');
    const odd: [string, number][] = [
      ['/upper.PHP', 403],
      ['/probe.php/extra', 404],
      ['/missing.php', 404],
      ['/index.html/x.php', 404],
      ...copyPaths.map((path): [string, number] => [path, 404]),
    ];
    for (const [path, status] of odd) {
      const r = await page(a, path);
      assert.equal(r.status, status, `${path} with PHP on: ${r.body}`);
      assert.ok(!r.body.includes(SOURCE_MARKER), `${path} sent source`);
    }
  });

  test("root never follows a tmp symlink the account planted, nor takes over another account's directory", async () => {
    const tmp = join(a.home, 'tmp');
    // The link points at a root-owned directory, as `/etc` would be; the private copy of /etc stands
    // in for it, so a regression would damage the copy, not the machine.
    const target = etc;
    const before = await stat(target);
    await rm(tmp, { recursive: true, force: true });
    await run('ln', ['-s', target, tmp], { uid: a.uid, gid: a.gid } as object);
    assert.ok((await lstat(tmp)).isSymbolicLink(), 'the account planted the link');
    await pools.writePool(spec(a));
    const after = await stat(target);
    assert.deepEqual(
      [after.uid, after.gid, after.mode],
      [before.uid, before.gid, before.mode],
      'the target is untouched',
    );
    const made = await lstat(tmp);
    assert.ok(made.isDirectory() && !made.isSymbolicLink(), 'tmp is a real directory again');
    assert.deepEqual([made.uid, made.mode & 0o777], [a.uid, 0o700]);

    // A directory of another account put in place of tmp is not chowned to this one.
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp, { mode: 0o755 });
    await chown(tmp, b.uid, b.gid);
    const pool = await readFile(join(fpm.poolDir, poolFileName(a.user)), 'utf8');
    await assert.rejects(pools.writePool({ ...spec(a), memoryMb: 64 }), { code: 'unsafe_home' });
    assert.equal((await lstat(tmp)).uid, b.uid, "the other account's directory keeps its owner");
    assert.equal(await readFile(join(fpm.poolDir, poolFileName(a.user)), 'utf8'), pool, 'the pool is unchanged');
    await rm(tmp, { recursive: true, force: true });

    // A home that is a symlink is refused outright.
    const linkedHome = join(dir, 'homes', 'linked');
    await run('ln', ['-s', a.home, linkedHome]);
    await assert.rejects(ensureAccountTmp(linkedHome), { code: 'unsafe_home' });
    await pools.writePool(spec(a));
    assert.deepEqual([(await lstat(tmp)).uid, (await lstat(tmp)).mode & 0o777], [a.uid, 0o700]);
  });

  test('removing a pool removes its file, and after the reload its socket; again, nothing happens', async () => {
    const gone = await makeAccount(fpm, etc, join(dir, 'homes'), `pr${randomTag()}`);
    await pools.writePool(spec(gone));
    await pools.reload();
    const socket = poolSocketPath(fpm.runDir, gone.user);
    assert.ok((await lstat(socket)).isSocket(), 'the new pool listens');
    await pools.removePool(gone.user);
    await pools.reload();
    await pools.endWorkers(gone.user, gone.home);
    assert.equal(existsSync(socket), false);
    assert.equal(existsSync(join(fpm.poolDir, poolFileName(gone.user))), false);
    await pools.removePool(gone.user);
    await pools.reload();
    await pools.endWorkers(gone.user, gone.home);
    await assert.rejects(pools.enablePool(gone.user), { code: 'pool_not_found' });
    assert.equal((await probe(a)).euid, a.uid, 'the other pools are served');
  });
});

/** isDead tells whether a process has ended (gone, or a zombie its parent has not reaped yet). */
async function isDead(pid: number): Promise<boolean> {
  const st = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  return st === null || /^\d+ \(.*\) Z/.test(st);
}
