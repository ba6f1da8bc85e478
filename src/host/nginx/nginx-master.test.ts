import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FakeProc } from '../../../test/support/fake-proc.js';
import {
  type MasterState,
  childPids,
  confirmReload,
  parseStat,
  pidDirective,
  pidFileOf,
  readMaster,
  reloadProgress,
  waitForNewWorkers,
  waitForRetirement,
} from './nginx-master.js';

/** withRig runs a test body with a fake /proc and a pid file beside it, in a directory removed afterwards. */
async function withRig(
  fn: (rig: { proc: FakeProc; pidFile: string; dir: string }) => Promise<void>,
  withChildrenFiles = true,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vanta-nginx-master-'));
  try {
    await fn({ proc: new FakeProc(join(dir, 'proc'), withChildrenFiles), pidFile: join(dir, 'nginx.pid'), dir });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** nginxWith starts a fake master (pid 100) with two workers and writes its pid file. */
function nginxWith(proc: FakeProc, pidFile: string): void {
  proc.spawn(100, 1, 'nginx: master process /usr/sbin/nginx -g daemon on; master_process on;');
  proc.spawn(101, 100, 'nginx: worker process');
  proc.spawn(102, 100, 'nginx: worker process');
  writeFileSync(pidFile, '100\n');
}

test('pidDirective reads the main context of an nginx -T dump, file by file', () => {
  const file = (name: string, body: string) => `# configuration file ${name}:\n${body}\n`;
  const cases: [string, string | null][] = [
    [file('/etc/nginx/nginx.conf', 'user www-data;\npid /run/nginx.pid;\nevents {}\n'), '/run/nginx.pid'],
    [file('/etc/nginx/nginx.conf', '  pid   "/run/my nginx.pid" ;'), '/run/my nginx.pid'],
    [file('/etc/nginx/nginx.conf', "pid 'logs/n.pid';"), 'logs/n.pid'],
    [file('/etc/nginx/nginx.conf', '# pid /run/old.pid;\nevents {}'), null],
    // A map's key named pid is no directive; the file a block includes starts at its own top level.
    [file('/etc/nginx/nginx.conf', 'http {\n  map $a $b {\n    pid 1;\n  }\n}'), null],
    [
      file('/etc/nginx/nginx.conf', 'include /etc/nginx/main.d/*.conf;\nhttp { server { listen 80; } }') +
        file('/etc/nginx/main.d/pid.conf', 'pid /run/elsewhere.pid;'),
      '/run/elsewhere.pid',
    ],
    [file('/etc/nginx/nginx.conf', 'http { return 200 "}"; }\npid /run/after-quote.pid;'), '/run/after-quote.pid'],
  ];
  for (const [dump, want] of cases) assert.equal(pidDirective(dump), want, dump);
});

test('pidFileOf is where nginx -s reload looks: the pid directive, else --pid-path, under the prefix when relative', () => {
  const debian =
    'configure arguments: --prefix=/usr/share/nginx --conf-path=/etc/nginx/nginx.conf --pid-path=/run/nginx.pid';
  const cases: [string, string, string[], string][] = [
    ['pid /srv/n/nginx.pid;', debian, [], '/srv/n/nginx.pid'],
    ['', debian, [], '/run/nginx.pid'],
    ['pid logs/nginx.pid;', debian, ['-p', '/srv/n', '-c', '/srv/n/nginx.conf'], '/srv/n/logs/nginx.pid'],
    ['pid logs/nginx.pid;', debian, ['-p/srv/m/'], '/srv/m/logs/nginx.pid'],
    ['pid n.pid;', debian, ['-c', '-p'], '/usr/share/nginx/n.pid'],
    ['', 'configure arguments: --with-debug', [], '/usr/local/nginx/logs/nginx.pid'],
  ];
  for (const [dump, version, args, want] of cases) assert.equal(pidFileOf(dump, version, args), want);
});

test('parseStat reads the fields after a command name holding spaces and parentheses', () => {
  const fields = ['S', '42', ...Array(17).fill('0'), '987654', '0'];
  assert.deepEqual(parseStat(`7 (a) b) (c) ${fields.join(' ')}`), { state: 'S', ppid: 42, start: '987654' });
  assert.equal(parseStat('7 (short) S'), null);
});

test('readMaster says why no master is there: no file, no pid, no process, not an nginx master', () =>
  withRig(async ({ proc, pidFile, dir }) => {
    const why = async () => {
      const master = await readMaster(pidFile, proc.dir);
      return 'missing' in master ? master.missing : 'a master';
    };
    assert.match(await why(), /there is no /);
    writeFileSync(pidFile, '\n');
    assert.match(await why(), /holds no pid/);
    writeFileSync(pidFile, '100\n');
    assert.match(await why(), /no process runs with the pid 100/);
    proc.spawn(100, 1, 'sleep 1000');
    assert.match(await why(), /not an nginx master's/);
    proc.zombie(100);
    assert.match(await why(), /no process runs/);
    const unreadable = await readMaster(dir, proc.dir);
    assert.match('missing' in unreadable ? unreadable.missing : '', /^cannot read .* \(EISDIR\)$/);
  }));

for (const withChildrenFiles of [true, false])
  test(`readMaster lists the master's live children and which still accept (${withChildrenFiles ? 'task/PID/children' : 'a scan of /proc, without task/PID/children'})`, () =>
    withRig(async ({ proc, pidFile }) => {
      nginxWith(proc, pidFile);
      proc.spawn(103, 100, 'nginx: cache manager process');
      proc.spawn(104, 100, 'nginx: worker process is shutting down');
      proc.spawn(105, 100, 'nginx: worker process');
      proc.zombie(105);
      proc.spawn(200, 1, 'nginx: worker process');
      assert.deepEqual((await childPids(100, proc.dir)).sort(), [101, 102, 103, 104, 105]);
      const master = await readMaster(pidFile, proc.dir);
      assert.ok(!('missing' in master));
      assert.deepEqual(master.children.map((c) => [c.pid, c.accepting]).sort(), [
        [101, true],
        [102, true],
        [103, false],
        [104, false],
      ]);
    }, withChildrenFiles));

test('reloadProgress: waiting until a new child, switching while an old worker accepts, taken after; a new master is taken', () => {
  const child = (pid: number, accepting = true) => ({ pid, start: String(pid * 10), accepting });
  const before: MasterState = { pid: 100, start: '1', children: [child(101), child(102), child(103, false)] };
  const now = (children: MasterState['children'], pid = 100, start = '1'): MasterState => ({ pid, start, children });
  const cases: [string, ReturnType<typeof reloadProgress>, Parameters<typeof reloadProgress>[1]][] = [
    ['nothing changed', 'waiting', before],
    ['an old worker died', 'waiting', now([child(101)])],
    ['a pid reused by a new process', 'switching', now([{ pid: 101, start: '5', accepting: true }, child(102)])],
    ['a new worker beside old ones still accepting', 'switching', now([child(101), child(102), child(201)])],
    ['a new worker, one old still accepting', 'switching', now([child(101, false), child(102), child(201)])],
    ['a new worker, the old retiring or gone', 'taken', now([child(101, false), child(201)])],
    ['a new worker, the old cache manager still there', 'taken', now([child(103, false), child(201)])],
    ['another master, with a worker', 'taken', now([child(301)], 300, '9')],
    ['the same pid, another start time: another master', 'taken', now([child(301)], 100, '9')],
    ['another master, no worker yet', 'waiting', now([], 300, '9')],
    ['no master', 'master_gone', { missing: 'no process' }],
  ];
  for (const [what, want, current] of cases) assert.equal(reloadProgress(before, current), want, what);
});

test('waitForNewWorkers: taken once a new worker is there; not taken when none comes; master gone', () =>
  withRig(async ({ proc, pidFile }) => {
    nginxWith(proc, pidFile);
    const before = await readMaster(pidFile, proc.dir);
    assert.ok(!('missing' in before));
    assert.equal(await waitForNewWorkers(pidFile, before, 30, proc.dir), 'not_taken');
    proc.spawn(201, 100, 'nginx: worker process');
    assert.equal(
      await waitForNewWorkers(pidFile, before, 60_000, proc.dir),
      'taken',
      'new worker, old ones still there',
    );
    proc.kill(100);
    assert.equal(await waitForNewWorkers(pidFile, before, 60_000, proc.dir), 'master_gone');
  }));

/** noQuit is a Quit that tells nobody: the fake /proc's pids are made up, and real processes may bear them. */
const noQuit = () => {};

test('waitForRetirement: settles once no old worker accepts, or the master is gone; an old worker slow to retire is no failure', () =>
  withRig(async ({ proc, pidFile }) => {
    nginxWith(proc, pidFile);
    const before = await readMaster(pidFile, proc.dir);
    assert.ok(!('missing' in before));
    proc.spawn(201, 100, 'nginx: worker process');
    const slow = performance.now();
    await waitForRetirement(pidFile, before, 30, proc.dir, noQuit);
    assert.ok(performance.now() - slow >= 30, 'the old workers never retired: it waited until the deadline');
    let settled = false;
    const retired = waitForRetirement(pidFile, before, 60_000, proc.dir, noQuit).then(() => {
      settled = true;
    });
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(settled, false, 'old workers still accept');
    proc.retitle(101, 'nginx: worker process is shutting down');
    proc.kill(102);
    await retired;
    proc.kill(100);
    await waitForRetirement(pidFile, before, 60_000, proc.dir, noQuit);
  }));

test("a reload waited nginx's fixed 100 ms before its old workers were told to quit: once a new worker bears its title (ready), the old ones still accepting are told to quit, once each", () =>
  withRig(async ({ proc, pidFile }) => {
    nginxWith(proc, pidFile);
    proc.spawn(103, 100, 'nginx: cache manager process');
    const before = await readMaster(pidFile, proc.dir);
    assert.ok(!('missing' in before));
    const told: number[] = [];
    const quit = (pid: number) => {
      told.push(pid);
      if (told.filter((p) => p === pid).length === 1) proc.retitle(pid, 'nginx: worker process is shutting down');
    };
    // A new child still bearing the master's title is not set up yet: nobody is told.
    proc.spawn(201, 100, 'nginx: master process nginx');
    const retired = waitForRetirement(pidFile, before, 60_000, proc.dir, quit);
    await new Promise((r) => setTimeout(r, 30));
    assert.deepEqual(told, []);
    proc.retitle(201, 'nginx: worker process');
    await retired;
    assert.deepEqual(told.sort(), [101, 102], 'the old workers, once each; not the cache manager');
  }));

test('confirmReload watches from before the signal; without a master it signals all the same and says why', () =>
  withRig(async ({ proc, pidFile }) => {
    let signals = 0;
    assert.deepEqual(await confirmReload(pidFile, async () => signals++, 60_000, proc.dir, noQuit), {
      outcome: 'unconfirmed',
      why: `there is no ${pidFile}`,
    });
    nginxWith(proc, pidFile);
    const taken = await confirmReload(pidFile, async () => proc.reload(100, 201 + signals++), 60_000, proc.dir, noQuit);
    assert.ok(taken.outcome === 'taken');
    await taken.retired;
    assert.deepEqual([taken.master, signals], [100, 2]);
  }));

test('a worker of the previous reload not yet titled at the snapshot was left out of the retirement wait: it still serves the older configuration', () =>
  withRig(async ({ proc, pidFile }) => {
    nginxWith(proc, pidFile);
    // The previous reload's new worker, forked but not set up yet: it still bears the master's title.
    proc.spawn(150, 100, 'nginx: master process nginx');
    const before = await readMaster(pidFile, proc.dir);
    assert.ok(!('missing' in before));
    // This reload's worker starts; the oldest workers retire; the previous reload's is set up and accepts.
    proc.spawn(201, 100, 'nginx: worker process');
    proc.retitle(101, 'nginx: worker process is shutting down');
    proc.retitle(102, 'nginx: worker process is shutting down');
    proc.retitle(150, 'nginx: worker process');
    assert.equal(reloadProgress(before, await readMaster(pidFile, proc.dir)), 'switching');
    const told: number[] = [];
    let settled = false;
    const retired = waitForRetirement(pidFile, before, 60_000, proc.dir, (pid) => told.push(pid)).then(() => {
      settled = true;
    });
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(settled, false, 'a worker on an older configuration still accepts');
    assert.deepEqual(told, [150], 'it is told to quit as the other old ones were');
    proc.retitle(150, 'nginx: worker process is shutting down');
    await retired;
  }));

test("a worker the previous reload forked after this reload noted the master's children was taken for this reload's: the master had not even re-read", () =>
  withRig(async ({ proc, pidFile }) => {
    nginxWith(proc, pidFile);
    // The previous reload gave up its turn at its first new worker; its master still forks the next one,
    // then sleeps its 100 ms with signals blocked: this reload's SIGHUP waits until then.
    proc.spawn(201, 100, 'nginx: worker process');
    proc.busy(100, true);
    const done = confirmReload(
      pidFile,
      async () => {
        // This master refuses the re-read this signal asks for: no worker of this reload ever comes.
      },
      1_000,
      proc.dir,
      noQuit,
    );
    setTimeout(() => {
      proc.spawn(202, 100, 'nginx: worker process');
      proc.busy(100, false);
    }, 20);
    assert.deepEqual(await done, { outcome: 'not_taken', master: 100 });
  }));

test('a pid directive given with -g, which nginx -T does not show, was missed: the panel watched another pid file than nginx -s reload signals', () => {
  const debian = 'configure arguments: --prefix=/usr/share/nginx --pid-path=/run/nginx.pid';
  const cases: [string[], string][] = [
    [['-g', 'daemon on; pid /run/g.pid;'], '/run/g.pid'],
    [['-c', '/etc/nginx/nginx.conf', '-g', "pid '/run/q.pid'; master_process on;"], '/run/q.pid'],
    [['-p', '/srv/n', '-gpid logs/g.pid;'], '/srv/n/logs/g.pid'],
    [['-g', 'daemon on;'], '/run/nginx.pid'],
  ];
  for (const [args, want] of cases) assert.equal(pidFileOf('', debian, args), want, args.join(' '));
});

test("a stale pid file whose pid php-fpm's master now bears was taken for nginx's master: its title also says master process", () =>
  withRig(async ({ proc, pidFile }) => {
    proc.spawn(100, 1, 'php-fpm: master process (/etc/php/8.2/fpm/php-fpm.conf)');
    proc.spawn(101, 100, 'php-fpm: pool www');
    writeFileSync(pidFile, '100\n');
    const master = await readMaster(pidFile, proc.dir);
    assert.match('missing' in master ? master.missing : 'taken for nginx', /is not an nginx master's/);
  }));
