import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FakeProc } from '../../../test/support/fake-proc.js';
import { NginxTrafficLogs } from '../traffic/nginx-traffic-logs.js';
import { ProcessLock } from '../process-lock.js';
import { type NginxOptions, NginxWebServer } from './nginx-web-server.js';

function options(reloadCommand: string[], reopenCommand: string[] | null = null): NginxOptions {
  return {
    sitesDir: '/nonexistent',
    bin: 'nginx',
    args: [],
    reloadCommand,
    pidFile: null,
    reloadWaitMs: 1000,
    listen: '80',
    tlsListen: '443',
    challengeDir: '/srv/acme-challenge',
    suspendedRoot: '/srv/suspended',
    timeoutMs: 10_000,
    reopenCommand,
    logs: new NginxTrafficLogs({ dir: '/nonexistent/traffic', buffer: null, reopen: async () => {} }),
  };
}

function server(reloadCommand: string[], reopenCommand: string[] | null = null): NginxWebServer {
  return new NginxWebServer(options(reloadCommand, reopenCommand));
}

test('a failed reload is reported to every caller that shared it, and the next one runs again', async () => {
  const web = server(['false']);
  const results = await Promise.allSettled([web.reload(), web.reload(), web.reload()]);
  assert.ok(results.every((r) => r.status === 'rejected'));
  await assert.rejects(web.reload());
});

/** Recorded is one nginx command the recording runner was asked to run, and what the sites directory held meanwhile. */
interface Recorded {
  argv: string[];
  /** busy is how many other commands were running when this one started. */
  busy: number;
  before: string[];
  after: string[] | null;
}

/**
 * recordingRunner stands in for runCommand: each command waits until the test releases it, and is
 * recorded with the sites directory's listing at its start and at its end.
 */
function recordingRunner(sitesDir: string) {
  const recorded: Recorded[] = [];
  const waiting: (() => void)[] = [];
  let running = 0;
  const list = () => readdirSync(sitesDir).sort();
  const run = (file: string, args: readonly string[]) => {
    const entry: Recorded = { argv: [file, ...args], busy: running, before: list(), after: null };
    recorded.push(entry);
    running++;
    // Like nginx -t, the check refuses a configuration that holds a bad block.
    const refuses = args.includes('-t') && entry.before.includes('bad.conf');
    return new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
      waiting.push(() => {
        entry.after = list();
        running--;
        if (refuses) reject(new Error('nginx: [emerg] the bad block'));
        else resolve({ code: 0, stdout: '', stderr: '' });
      });
    });
  };
  return { run, recorded, waiting };
}

/** recordedServer is a web server over a fresh sites directory whose nginx commands go to a recording runner. */
function recordedServer(dir: string) {
  const sitesDir = join(dir, 'sites');
  mkdirSync(sitesDir);
  const runner = recordingRunner(sitesDir);
  const web = new NginxWebServer({
    ...options(['nginx', '-s', 'reload'], ['nginx', '-s', 'reopen']),
    sitesDir,
    logs: new NginxTrafficLogs({ dir: join(dir, 'traffic'), buffer: null, reopen: async () => {} }),
    run: runner.run,
  });
  /** drive releases the commands one at a time, in the order they started, until every operation has settled. */
  const drive = async <T>(ops: Promise<T>[]): Promise<PromiseSettledResult<T>[]> => {
    let settled = false;
    const all = Promise.allSettled(ops).finally(() => {
      settled = true;
    });
    while (!settled) {
      await until(() => settled || runner.waiting.length > 0);
      runner.waiting.shift()?.();
    }
    return all;
  };
  const commands = () => runner.recorded.map((r) => r.argv.slice(1).join(' '));
  return { sitesDir, runner, web, drive, commands };
}

const siteOf = (user: string) => ({
  user,
  domain: `${user}.example`,
  root: `/srv/${user}`,
  suspended: false,
  phpSocket: null,
  tls: null,
});

/** withDir runs a test body with a temporary directory it removes afterwards. */
async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vanta-nginx-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** until lets the event loop turn (I/O included) until `done` holds. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 100_000 && !done(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(done(), 'the awaited state never came');
}

test('a reload failed when a concurrent removal took a block while nginx read the sites directory: every nginx command now takes its turn with block writes, checks and removals', () =>
  withDir(async (dir) => {
    const { sitesDir, runner, web, drive, commands } = recordedServer(dir);
    writeFileSync(join(sitesDir, 'old.conf'), '# an account about to be terminated\n');
    const ops: Promise<void>[] = [web.writeSite(siteOf('new'))];
    await until(() => runner.recorded.length === 1);
    // While the new block's `nginx -t` runs: a reload, a terminate's removal and its reload, a reopen.
    ops.push(
      web.reload(),
      web.removeSite('old').then(() => web.reload()),
      web.reopenLogs(),
    );
    assert.deepEqual(
      (await drive(ops)).map((r) => r.status),
      ['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled'],
    );
    assert.deepEqual(
      commands(),
      ['-t', '-s reload', '-s reopen', '-s reload'],
      "the write's check, the reload asked meanwhile, the reopen (after the removal), then the terminate's own reload",
    );
    for (const r of runner.recorded) {
      assert.equal(r.busy, 0, `${r.argv.join(' ')} started while another nginx command ran`);
      assert.deepEqual(r.after, r.before, `the sites directory changed while ${r.argv.join(' ')} read it`);
    }
    assert.deepEqual(runner.recorded.at(-1)?.before, ['new.conf'], 'the last reload reads the removal');
  }));

test('reload calls made before the reload begins share it, calls made while it runs share one follow-up', () =>
  withDir(async (dir) => {
    const { runner, web, drive, commands } = recordedServer(dir);
    const early = Array.from({ length: 5 }, () => web.reload());
    await until(() => runner.recorded.length === 1);
    const late = Array.from({ length: 5 }, () => web.reload());
    const results = await drive([...early, ...late]);
    assert.ok(results.every((r) => r.status === 'fulfilled'));
    assert.deepEqual(commands(), ['-s reload', '-s reload']);
    assert.equal(web.reloads, 2);
    await drive([web.reload()]);
    assert.equal(web.reloads, 3, 'an idle server reloads again');
  }));

test('reopens after rotations are coalesced like reloads, and are no reload', () =>
  withDir(async (dir) => {
    const { web, drive, commands } = recordedServer(dir);
    await drive(Array.from({ length: 5 }, () => web.reopenLogs()));
    assert.deepEqual(commands(), ['-s reopen']);
    assert.equal(web.reloads, 0);
  }));

test('blocks written while a check runs are written together and share the next nginx -t', () =>
  withDir(async (dir) => {
    const { sitesDir, runner, web, drive, commands } = recordedServer(dir);
    const first = web.writeSite(siteOf('first'));
    await until(() => runner.recorded.length === 1);
    const group = ['a', 'b', 'c', 'd'].map((user) => web.writeSite(siteOf(user)));
    const results = await drive([first, ...group]);
    assert.ok(results.every((r) => r.status === 'fulfilled'));
    assert.deepEqual(commands(), ['-t', '-t'], "the first block's check, then one for the group");
    assert.equal(web.checks, 2);
    assert.deepEqual(runner.recorded[1]?.before, ['a.conf', 'b.conf', 'c.conf', 'd.conf', 'first.conf']);
    assert.deepEqual(readdirSync(sitesDir).sort(), ['a.conf', 'b.conf', 'c.conf', 'd.conf', 'first.conf']);
  }));

test('a group nginx -t refuses is put back whole, then each block is checked alone: only the bad one fails and nothing of it is left', () =>
  withDir(async (dir) => {
    const { sitesDir, runner, web, drive, commands } = recordedServer(dir);
    writeFileSync(join(sitesDir, 'c.conf'), '# c before\n');
    writeFileSync(join(sitesDir, 'bad.conf.keep'), '');
    const first = web.writeSite(siteOf('first'));
    await until(() => runner.recorded.length === 1);
    const [a, bad, c] = await drive([first, ...['a', 'bad', 'c'].map((user) => web.writeSite(siteOf(user)))]).then(
      (r) => r.slice(1),
    );
    assert.equal(a?.status, 'fulfilled');
    assert.equal(c?.status, 'fulfilled');
    assert.equal(bad?.status, 'rejected');
    const reason = bad?.status === 'rejected' ? (bad.reason as Error) : null;
    assert.equal(reason?.message, 'nginx -t refused the server block of bad', "the error is today's");
    assert.match(
      String((reason?.cause as Error | undefined)?.message),
      /the bad block/,
      "with nginx's complaint as cause",
    );
    assert.deepEqual(commands(), ['-t', '-t', '-t', '-t', '-t'], 'the first, the group, then a, bad and c alone');
    const before = runner.recorded.map((r) => r.before);
    assert.deepEqual(before[2], ['a.conf', 'bad.conf.keep', 'c.conf', 'first.conf'], 'the group was put back first');
    assert.equal(readFileSync(join(sitesDir, 'c.conf'), 'utf8').includes('c.example'), true, 'c is written');
    assert.deepEqual(readdirSync(sitesDir).sort(), ['a.conf', 'bad.conf.keep', 'c.conf', 'first.conf']);
  }));

test('a single refused block is put back as it was, with one check', () =>
  withDir(async (dir) => {
    const { sitesDir, web, drive, commands } = recordedServer(dir);
    writeFileSync(join(sitesDir, 'bad.conf'), '# bad before\n');
    const [r] = await drive([web.writeSite(siteOf('bad'))]);
    assert.equal(r?.status, 'rejected');
    assert.deepEqual(commands(), ['-t']);
    assert.equal(readFileSync(join(sitesDir, 'bad.conf'), 'utf8'), '# bad before\n');
  }));

/**
 * confirmingServer is a web server whose reloads are confirmed against a fake /proc: its runner and its
 * SIGHUP play nginx, and `onReload` says what the master does with each reload (nothing: a failed re-read).
 */
function confirmingServer(
  dir: string,
  onReload: (attempt: number) => void,
  reloadCommand: string[] | null = null,
  reloadWaitMs = 50,
  masterPauseMs = 0,
) {
  const proc = new FakeProc(join(dir, 'proc'));
  const pidFile = join(dir, 'nginx.pid');
  proc.spawn(100, 1, 'nginx: master process nginx');
  proc.spawn(101, 100, 'nginx: worker process');
  writeFileSync(pidFile, '100\n');
  const commands: string[] = [];
  const warnings: string[] = [];
  const web = new NginxWebServer({
    ...options(reloadCommand ?? []),
    reloadCommand,
    pidFile,
    reloadWaitMs,
    masterPauseMs,
    procDir: proc.dir,
    warn: (message) => warnings.push(message),
    hangUp: (pid) => {
      commands.push(`SIGHUP ${pid}`);
      onReload(commands.length);
    },
    // The fake /proc's pids are made up: a real process may bear one.
    quit: (pid) => commands.push(`SIGQUIT ${pid}`),
    run: async (file, args) => {
      commands.push([file, ...args].join(' '));
      if (args.includes('reload')) onReload(commands.length);
      return { code: 0, stdout: '', stderr: '' };
    },
  });
  return { web, proc, pidFile, commands, warnings };
}

test('a reload answered before nginx took the new configuration: it now ends once new workers serve, with one signal', () =>
  withDir(async (dir) => {
    let master: FakeProc | null = null;
    let served = false;
    // The master re-reads after the command has exited, as nginx's does.
    const { web, proc, commands, warnings } = confirmingServer(dir, () => {
      setTimeout(() => {
        master?.reload(100, 201);
        served = true;
      }, 30);
    });
    master = proc;
    await Promise.all([web.reload(), web.reload(), web.reload()]);
    assert.equal(served, true, 'the reload ended before the new workers were there');
    assert.deepEqual(commands, ['SIGHUP 100']);
    assert.deepEqual(warnings, []);
  }));

test('a re-read nginx refuses (no new worker) is given one more reload, then the reload fails', () =>
  withDir(async (dir) => {
    const { web, commands, warnings } = confirmingServer(dir, () => {});
    await assert.rejects(web.reload(), {
      name: 'NginxReloadError',
      message:
        'nginx did not take the new configuration after two reloads: no new worker of its master (pid 100) within 50 ms',
    });
    assert.deepEqual(commands, ['SIGHUP 100', 'SIGHUP 100']);
    assert.deepEqual(warnings, [
      'nginx did not take a reload (no new worker of its master (pid 100) within 50 ms); reloading once more',
    ]);
  }));

test('after a failed reload, requestReload signals the master once more and waits for no new worker', () =>
  withDir(async (dir) => {
    // The master takes no reload: a reload fails after two signals, while a request must end at its signal.
    const { web, commands } = confirmingServer(dir, () => {});
    await assert.rejects(web.reload(), { name: 'NginxReloadError' });
    await web.requestReload();
    assert.deepEqual(commands, ['SIGHUP 100', 'SIGHUP 100', 'SIGHUP 100']);
  }));

test('requestReload takes its turn with the other nginx commands: no signal while a check runs', () =>
  withDir(async (dir) => {
    const proc = new FakeProc(join(dir, 'proc'));
    const pidFile = join(dir, 'nginx.pid');
    proc.spawn(100, 1, 'nginx: master process nginx');
    writeFileSync(pidFile, '100\n');
    const events: string[] = [];
    let release: () => void = () => {};
    const checking = new Promise<void>((resolve) => {
      release = resolve;
    });
    const web = new NginxWebServer({
      ...options([]),
      reloadCommand: null,
      pidFile,
      procDir: proc.dir,
      hangUp: (pid) => {
        events.push(`SIGHUP ${pid}`);
      },
      quit: () => {},
      run: async () => {
        events.push('check starts');
        await checking;
        events.push('check ends');
        return { code: 0, stdout: '', stderr: '' };
      },
    });
    const check = web.check();
    const request = web.requestReload();
    await until(() => events.length > 0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    await Promise.all([check, request]);
    assert.deepEqual(events, ['check starts', 'check ends', 'SIGHUP 100']);
  }));

test('a reload not taken the first time but taken the second succeeds', () =>
  withDir(async (dir) => {
    let master: FakeProc | null = null;
    const { web, proc, commands } = confirmingServer(dir, (attempt) => {
      if (attempt === 2) master?.reload(100, 201);
    });
    master = proc;
    await web.reload();
    assert.deepEqual(commands, ['SIGHUP 100', 'SIGHUP 100']);
  }));

test('a master gone at the reload fails it after one more try', () =>
  withDir(async (dir) => {
    let master: FakeProc | null = null;
    const { web, proc, commands } = confirmingServer(dir, () => master?.kill(100));
    master = proc;
    await assert.rejects(web.reload(), /after two reloads: no process runs with the pid 100 of /);
    // With no master to send it to, the second try is nginx's own, which reports what it finds.
    assert.deepEqual(commands, ['SIGHUP 100', 'nginx -s reload']);
  }));

test('with a reload command and no readable pid file, a reload ends with its command, and the log says why once', () =>
  withDir(async (dir) => {
    const { web, pidFile, commands, warnings } = confirmingServer(dir, () => {}, ['systemctl', 'reload', 'nginx']);
    rmSync(pidFile);
    await web.reload();
    await web.reload();
    assert.deepEqual(commands, ['systemctl reload nginx', 'systemctl reload nginx']);
    assert.deepEqual(warnings, [
      `nginx reloads are not confirmed (there is no ${pidFile}): each ends when its command does`,
    ]);
  }));

test('nginx -s reload read and checked the whole configuration, every block and certificate, only to find the pid it signals: the master found through the same pid file gets the SIGHUP itself', () =>
  withDir(async (dir) => {
    let master: FakeProc | null = null;
    const { web, proc, commands } = confirmingServer(dir, () => master?.reload(100, 201));
    master = proc;
    await web.reload();
    assert.deepEqual(commands, ['SIGHUP 100'], 'no nginx process is started for a reload');
  }));

test('with an operator reload command and a known master, the command runs and the reload is confirmed', () =>
  withDir(async (dir) => {
    let master: FakeProc | null = null;
    const { web, proc, commands } = confirmingServer(dir, () => master?.reload(100, 201), [
      'systemctl',
      'reload',
      'nginx',
    ]);
    master = proc;
    await web.reload();
    assert.deepEqual(commands, ['systemctl reload nginx']);
  }));

test("a reload held every block write and check of other accounts while nginx's old workers retired (about 100 ms): it gives up its turn once the new workers are there", () =>
  withDir(async (dir) => {
    let master: FakeProc | null = null;
    const { web, proc, commands } = confirmingServer(
      dir,
      () => master?.spawn(201, 100, 'nginx: worker process'),
      null,
      60_000,
    );
    master = proc;
    let reloaded = false;
    const reload = web.reload().then(() => {
      reloaded = true;
    });
    await web.check();
    assert.deepEqual(
      commands.filter((c) => !c.startsWith('SIGQUIT')),
      ['SIGHUP 100', 'nginx -t'],
      'the check ran once the new worker was there',
    );
    // The new worker is ready: the old one is told to quit (this fake takes its time to).
    for (let i = 0; i < 400 && !commands.includes('SIGQUIT 101'); i++) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(
      commands.filter((c) => c.startsWith('SIGQUIT')),
      ['SIGQUIT 101'],
    );
    assert.equal(reloaded, false, 'the reload itself still waits: the old worker takes connections');
    proc.retitle(101, 'nginx: worker process is shutting down');
    await reload;
    assert.equal(reloaded, true);
  }));

test('a web server on a fake /proc refuses to start without its own signals: its pids are made up', () => {
  assert.throws(
    () => new NginxWebServer({ ...options([]), procDir: '/nonexistent/proc' }),
    /needs its own hangUp and quit/,
  );
});

test("a reload asked while nginx's master still paused after the last one was signalled at once and held every block write through the pause: it now waits the pause out before its turn, and the reloads asked meanwhile join it", () =>
  withDir(async (dir) => {
    let master: FakeProc | null = null;
    let next = 201;
    const { web, proc, commands } = confirmingServer(dir, () => master?.reload(100, next++), null, 60_000, 1000);
    master = proc;
    await web.reload();
    // The master pauses now: a reload asked for waits, and a check runs meanwhile.
    const first = web.reload();
    await new Promise((r) => setTimeout(r, 50));
    await web.check();
    const second = web.reload();
    assert.deepEqual(commands, ['SIGHUP 100', 'nginx -t'], 'nothing is signalled during the pause');
    await Promise.all([first, second]);
    assert.deepEqual(commands, ['SIGHUP 100', 'nginx -t', 'SIGHUP 100'], 'one reload for both');
  }));

test('reopening the logs waits for no worker', () =>
  withDir(async (dir) => {
    const { web, commands } = confirmingServer(dir, () => {});
    await web.reopenLogs();
    assert.deepEqual(commands, ['nginx -s reopen']);
  }));

test('a master that ended between its reading and the SIGHUP (ESRCH) failed the reload at once: it is a master gone, watched and retried as one', () =>
  withDir(async (dir) => {
    let master: FakeProc | null = null;
    const { web, proc, pidFile, commands } = confirmingServer(dir, (attempt) => {
      if (attempt !== 1) return;
      // nginx restarted meanwhile (a service manager's restart): the new master reads the new configuration.
      master?.kill(101);
      master?.kill(100);
      master?.spawn(300, 1, 'nginx: master process nginx');
      master?.spawn(301, 300, 'nginx: worker process');
      writeFileSync(pidFile, '300\n');
      throw Object.assign(new Error('kill ESRCH'), { code: 'ESRCH', errno: -3, syscall: 'kill' });
    });
    master = proc;
    await web.reload();
    assert.deepEqual(commands, ['SIGHUP 100']);
  }));

test("two panel processes (serve and the CLI) ran nginx commands over each other's block writes: each now holds the machine-wide turn", () =>
  withDir(async (dir) => {
    const sitesDir = join(dir, 'sites');
    mkdirSync(sitesDir);
    writeFileSync(join(sitesDir, 'old.conf'), '# an account the CLI terminates\n');
    const runner = recordingRunner(sitesDir);
    const locks = [new ProcessLock(join(dir, 'nginx.lock')), new ProcessLock(join(dir, 'nginx.lock'))];
    const [serve, cli] = locks.map(
      (lock) =>
        new NginxWebServer({
          ...options(['nginx', '-s', 'reload']),
          sitesDir,
          logs: new NginxTrafficLogs({ dir: join(dir, 'traffic'), buffer: null, reopen: async () => {} }),
          run: runner.run,
          lock,
        }),
    );
    if (!serve || !cli) throw new Error('two servers');
    try {
      let settled = false;
      const all = Promise.allSettled([
        serve.writeSite(siteOf('alice')).then(() => serve.reload()),
        cli.removeSite('old').then(() => cli.reload()),
        cli.writeSite(siteOf('bob')).then(() => cli.reload()),
      ]).finally(() => {
        settled = true;
      });
      while (!settled) {
        await until(() => settled || runner.waiting.length > 0);
        // Let the other process's turn come if it can, then release the oldest command.
        await new Promise((resolve) => setTimeout(resolve, 5));
        runner.waiting.shift()?.();
      }
      assert.ok((await all).every((r) => r.status === 'fulfilled'));
      assert.deepEqual(
        runner.recorded.map((r) => r.busy),
        runner.recorded.map(() => 0),
        `a command started while another ran: ${JSON.stringify(runner.recorded.map((r) => [r.argv.join(' '), r.busy]))}`,
      );
      assert.deepEqual(readdirSync(sitesDir).sort(), ['alice.conf', 'bob.conf']);
    } finally {
      for (const lock of locks) lock.close();
    }
  }));

test('a block write whose machine-wide turn could not be taken left its writers waiting forever (and serve with an unhandled rejection): they now fail, and the next write is not stuck behind them', () =>
  withDir(async (dir) => {
    const sitesDir = join(dir, 'sites');
    mkdirSync(sitesDir);
    const lockPath = join(dir, 'nginx.lock');
    const lock = new ProcessLock(lockPath);
    const web = new NginxWebServer({
      ...options(['nginx', '-s', 'reload']),
      sitesDir,
      logs: new NginxTrafficLogs({ dir: join(dir, 'traffic'), buffer: null, reopen: async () => {} }),
      run: async () => ({ code: 0, stdout: '', stderr: '' }),
      lock,
    });
    try {
      // A lock file SQLite cannot take (as a full disk refuses the journal of the first turn): every BEGIN fails.
      writeFileSync(lockPath, 'not a database\n'.repeat(512));
      let outcome: unknown = 'waiting';
      const writes = [web.writeSite(siteOf('alice')), web.writeSite(siteOf('bob'))];
      for (const write of writes) write.catch(() => {});
      const told = Promise.allSettled(writes).then((all) => {
        outcome = all.map((r) => (r.status === 'rejected' ? (r.reason as { code?: string }).code : r.status));
      });
      await until(() => outcome !== 'waiting');
      await told;
      assert.deepEqual(outcome, ['SQLITE_NOTADB', 'SQLITE_NOTADB']);
      assert.deepEqual(readdirSync(sitesDir), [], 'no block was written without the turn');
      // The lock file usable again, the next block is written: no group is left for it to join.
      writeFileSync(lockPath, '');
      await web.writeSite(siteOf('carol'));
      assert.deepEqual(readdirSync(sitesDir), ['carol.conf']);
    } finally {
      lock.close();
    }
  }));
