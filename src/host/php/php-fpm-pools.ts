import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { CommandError, runCommand } from '../exec.js';
import { parsePid } from '../pid-file.js';
import { readProcFile, scanProcesses } from '../proc-scan.js';
import { ensureAccountTmp, homeOwner } from './account-tmp.js';
import { Coalesced, Serial } from './coalesce.js';
import { PhpFpmError } from './errors.js';
import { type FileWake, wakeOnChange } from './file-wake.js';
import { mainConfigPath } from './fpm-checks.js';
import { DISABLED_POOL_SUFFIX, poolFileName, poolSocketPath, renderPool } from './pool-config.js';
import type { PhpPoolSpec, PhpPools } from '../ports.js';
import type { ProcessLock } from '../process-lock.js';

/** PhpFpmOptions say where pools and sockets go and how php-fpm is checked and reloaded. */
export interface PhpFpmOptions {
  /** poolDir is included by php-fpm as `<poolDir>/*.conf` (VANTA_PHP_POOL_DIR). */
  poolDir: string;
  /** runDir holds the sockets (VANTA_PHP_RUN_DIR). */
  runDir: string;
  /** bin is the php-fpm binary used for `-t` (VANTA_PHPFPM_BIN). */
  bin: string;
  /** args go before every php-fpm call, e.g. `-y CONF -c PHP_INI` (VANTA_PHPFPM_ARGS). */
  args: readonly string[];
  /** reloadCommand replaces the SIGUSR2 to the master when set (VANTA_PHPFPM_RELOAD). */
  reloadCommand: readonly string[] | null;
  /** pidFile is the master's pid file: whom SIGUSR2 goes to, and whose rewrite says the reload is done. */
  pidFile: string;
  /** webGroup is nginx's worker group, given the socket. */
  webGroup: string;
  timeoutMs: number;
  /** reloadWaitMs bounds the wait for the master to re-read its configuration (its process_control_timeout and more). */
  reloadWaitMs: number;
  /** checkReuseMs is how long a passing `php-fpm -t` may gate a reload in place of its own (0: never); CHECK_REUSE_MS when omitted. */
  checkReuseMs?: number;
  /**
   * lock is the turn every panel process on the machine takes for its pool writes, checks and reloads
   * (`vanta serve`, the CLI and `vanta recover` side by side); only this process's are kept apart without it.
   */
  lock?: ProcessLock;
}

/**
 * CHECK_REUSE_MS is how long a passing `php-fpm -t` stands for the reload that follows it, when the
 * panel has changed nothing since and the pool directory and main configuration look the same: a
 * create checks its new pool, then reloads, a few milliseconds apart. A reload's own check has never
 * been the moment the master reads its files: it re-reads them once its workers have finished their
 * requests, up to process_control_timeout later (10 s as the README sets it up), so a check half a
 * second older opens no window that was not open already. What another process changes meanwhile is
 * seen only as far as the directory's and the main configuration's times show it (they move in clock
 * ticks); php.ini and the users are not looked at.
 */
export const CHECK_REUSE_MS = 500;

/** PassedCheck is a `php-fpm -t` that passed, and what it read. */
interface PassedCheck {
  /** generation is the panel's count of its changes to the pool directory when the check started. */
  generation: number;
  /** seen is what the panel saw of the configuration when the check started (see `seen()`). */
  seen: string;
  /** at is when the check ended, in performance.now() milliseconds. */
  at: number;
}

interface PendingWrite {
  spec: PhpPoolSpec;
  text: string;
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface StagedWrite {
  write: PendingWrite;
  path: string;
  previous: string | null;
  /** live is false for a disabled pool: php-fpm does not read it, so `-t` cannot judge it. */
  live: boolean;
}

const POLL_MS = 10;

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code;
}

/** readOptional reads a file of the panel's, or null when there is none; a symlink in its place counts as none. */
async function readOptional(path: string): Promise<string | null> {
  return readFile(path, { encoding: 'utf8', flag: constants.O_RDONLY | constants.O_NOFOLLOW }).catch((err) => {
    if (errno(err) === 'ENOENT' || errno(err) === 'ELOOP') return null;
    throw err;
  });
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    (err) => {
      if (errno(err) === 'ENOENT') return false;
      throw err;
    },
  );
}

/**
 * writeRootFile writes a root-owned file atomically: a fresh temporary file (O_EXCL, so a planted
 * link there is refused), mode 0644 whatever the umask, flushed to disk, then renamed over the old
 * one (a rename replaces a symlink at the target instead of following it).
 */
async function writeRootFile(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
    try {
      await fh.writeFile(text);
      await fh.chmod(0o644);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** restoreFile puts back what a path held before a write: the old text, or nothing. */
async function restoreFile(path: string, previous: string | null): Promise<void> {
  if (previous === null) await rm(path, { force: true });
  else await writeRootFile(path, previous);
}

/**
 * poolWorkerPids lists the processes titled `php-fpm: pool <user>`: the pool's workers, of any
 * master generation. Any process may take any title, so only those running as `uid` (the
 * account's) count when it is known; root's never do.
 */
export async function poolWorkerPids(user: string, uid: number | null): Promise<number[]> {
  const title = `php-fpm: pool ${user}`;
  return scanProcesses((pid, read) => {
    if ((read('cmdline').split('\0')[0] ?? '').trimEnd() !== title) return null;
    const real = /^Uid:\s+(\d+)/m.exec(read('status'))?.[1];
    if (real === undefined || real === '0' || (uid !== null && Number(real) !== uid)) return null;
    return pid;
  });
}

/** checkReason is the first complaint of a failed `php-fpm -t` (its later lines only say that it failed). */
function checkReason(err: unknown): string {
  if (!(err instanceof CommandError)) return err instanceof Error ? err.message : String(err);
  const first = /ERROR: (.*)/.exec(err.stderr)?.[1];
  return first?.trim() ?? err.message;
}

/** isFpmMaster tells whether a pid is a running php-fpm master, so a stale pid file never gets another process signalled. */
async function isFpmMaster(pid: number): Promise<boolean> {
  const cmdline = readProcFile(pid, 'cmdline');
  return cmdline.startsWith('php-fpm: master process') && (await isLiveFpm(pid));
}

/** masterRuns tells whether the pid file names a running php-fpm master. */
export async function masterRuns(pidFile: string): Promise<boolean> {
  const pid = parsePid((await readOptional(pidFile)) ?? '');
  return pid !== null && (await isFpmMaster(pid));
}

/**
 * isLiveFpm tells whether a pid still runs the php-fpm program (its title is not checked: while it
 * re-executes itself on a reload it has none), not a zombie.
 */
async function isLiveFpm(pid: number): Promise<boolean> {
  const stat = readProcFile(pid, 'stat');
  const m = /^\d+ \((.*)\) (\S)/.exec(stat);
  return m !== null && (m[1] ?? '').startsWith('php-fpm') && m[2] !== 'Z';
}

/**
 * PhpFpmPools writes one php-fpm pool per account, checks the whole configuration with `php-fpm -t`
 * before keeping a pool, and reloads the master, coalesced. A reload with a configuration php-fpm
 * refuses makes the master exit (every PHP site down), so nothing unchecked is ever left in the pool
 * directory, a reload is checked first, and no write starts until the master has re-read its files.
 */
export class PhpFpmPools implements PhpPools {
  private readonly serial: Serial;
  // A reload waits for its turn after the writes queued before it; the calls made meanwhile share it.
  private readonly reloader = new Coalesced(
    () => this.reloadNow(),
    (fn) => this.serial.run(fn),
  );
  private batch: PendingWrite[] = [];
  /** generation moves on with every change the panel makes to the pool directory. */
  private generation = 0;
  /** passed is the last `php-fpm -t` that passed, while nothing the panel knows of has changed since it started. */
  private passed: PassedCheck | null = null;
  /** checks counts the `php-fpm -t` runs, for tests of the coalescing. */
  checks = 0;

  constructor(readonly opts: PhpFpmOptions) {
    this.serial = new Serial(opts.lock ?? null);
  }

  /** reloads counts the reloads actually made (not requested). */
  get reloads(): number {
    return this.reloader.runs;
  }

  socketPath(user: string): string {
    return poolSocketPath(this.opts.runDir, user);
  }

  writePool(spec: PhpPoolSpec): Promise<void> {
    const text = this.render(spec);
    return new Promise((resolve, reject) => {
      this.batch.push({ spec, text, resolve, reject });
      // The first write of a batch queues its flush; the writes that arrive before it runs share its `-t`.
      if (this.batch.length === 1) this.queueFlush();
    });
  }

  /**
   * queueFlush queues the flush of the batch `batch` holds now. A turn that never began (the machine's
   * lock could not be taken: a full disk, an unreadable lock file) fails the writes that waited for it,
   * which no one else would ever settle, and leaves no batch behind for the next write to join.
   */
  private queueFlush(): void {
    const batch = this.batch;
    this.serial
      .run(() => this.flushWrites())
      .catch((err: unknown) => {
        if (this.batch === batch) this.batch = [];
        for (const write of batch) write.reject(err);
      });
  }

  /** render is the text of the account's pool file. */
  protected render(spec: PhpPoolSpec): string {
    return renderPool({ ...spec, runDir: this.opts.runDir, webGroup: this.opts.webGroup });
  }

  async removePool(user: string): Promise<boolean> {
    const live = this.poolPath(user);
    // The socket stays: the master still listens on it, and unlinking it now would leave a pool
    // written again before the reload on a socket no one can reach. The reload removes it.
    return this.serial.run(async () => {
      this.changing();
      const found = (await exists(live)) || (await exists(live + DISABLED_POOL_SUFFIX));
      await rm(live, { force: true });
      await rm(live + DISABLED_POOL_SUFFIX, { force: true });
      // A panel killed mid-write leaves its temporary file (never loaded: it does not end in .conf).
      const prefix = `${poolFileName(user)}.tmp-`;
      for (const name of await readdir(this.opts.poolDir).catch(() => [] as string[]))
        if (name.startsWith(prefix)) await rm(join(this.opts.poolDir, name), { force: true });
      return found;
    });
  }

  async disablePool(user: string): Promise<void> {
    const live = this.poolPath(user);
    await this.serial.run(async () => {
      this.changing();
      if (await exists(live)) await rename(live, live + DISABLED_POOL_SUFFIX);
    });
  }

  async enablePool(user: string): Promise<void> {
    const live = this.poolPath(user);
    const disabled = live + DISABLED_POOL_SUFFIX;
    await this.serial.run(async () => {
      if (!(await exists(disabled))) {
        if (await exists(live)) return;
        throw new PhpFpmError('pool_not_found', `there is no pool of ${user} to put back into service`);
      }
      this.changing();
      await rename(disabled, live);
      try {
        await this.check();
      } catch (err) {
        this.changing();
        await rename(live, disabled);
        throw this.refused(user, err);
      }
    });
  }

  /**
   * reload checks the whole configuration, signals the master and waits until it has re-read its
   * files. Calls made before a reload begins share it; calls made while one runs share one follow-up.
   */
  reload(): Promise<void> {
    return this.reloader.run();
  }

  async endWorkers(user: string, home: string): Promise<void> {
    const socket = poolSocketPath(this.opts.runDir, user);
    // The home's owner is the account; with the home gone (a terminate finished by recovery), the title alone.
    const uid = await homeOwner(home).then(
      (ids) => ids.uid,
      () => null,
    );
    // A killed worker is gone from the list once it has died (a zombie has no title): look again
    // soon, for up to about 250 ms in all.
    for (let round = 0; round < 25; round++) {
      const pids = await poolWorkerPids(user, uid);
      if (pids.length === 0) break;
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Gone already.
        }
      }
      await sleep(10);
    }
    const left = await poolWorkerPids(user, uid);
    if (left.length > 0)
      throw new PhpFpmError('php_workers_remain', `workers of the pool ${user} still run: ${left.join(' ')}`);
    // A master that was down when the pool went leaves its socket behind; once the pool is out of the
    // configuration and reloaded, no master listens there.
    await this.serial.run(async () => {
      if (!(await exists(this.poolPath(user)))) await rm(socket, { force: true });
    });
  }

  /** check runs `php-fpm -t` on the whole configuration; a pass is kept for the reload that may follow. */
  async check(): Promise<void> {
    this.checks++;
    this.passed = null;
    const generation = this.generation;
    const seen = await this.seen();
    await runCommand(this.opts.bin, [...this.opts.args, '-t'], { timeoutMs: this.opts.timeoutMs });
    if (seen !== null && generation === this.generation) this.passed = { generation, seen, at: performance.now() };
  }

  /** changing marks a change of the panel's to the pool directory: no check made before it gates a reload. */
  private changing(): void {
    this.generation++;
    this.passed = null;
  }

  /**
   * seen is what the panel can see of the configuration cheaply: the pool directory (a file written,
   * renamed or removed there, by this process or another, moves its mtime) and the main configuration
   * file; null when either cannot be read, so that no check is reused.
   */
  private async seen(): Promise<string | null> {
    const ids = async (path: string) => {
      const st = await stat(path, { bigint: true });
      return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
    };
    try {
      return `${await ids(this.opts.poolDir)}|${await ids(mainConfigPath(this.opts.args))}`;
    } catch {
      return null;
    }
  }

  /**
   * reusablePass tells whether the last passing check may gate a reload now: younger than
   * checkReuseMs, with no change of the panel's since it started, and the pool directory and the main
   * configuration still as it saw them.
   */
  private async reusablePass(): Promise<boolean> {
    const pass = this.passed;
    if (pass === null || pass.generation !== this.generation) return false;
    if (performance.now() - pass.at >= (this.opts.checkReuseMs ?? CHECK_REUSE_MS)) return false;
    return (await this.seen()) === pass.seen && this.passed === pass;
  }

  private async flushWrites(): Promise<void> {
    const writes = this.batch;
    this.batch = [];
    const staged: StagedWrite[] = [];
    for (const write of writes) {
      try {
        staged.push(await this.stage(write));
      } catch (err) {
        write.reject(err);
      }
    }
    if (!staged.some((s) => s.live)) {
      for (const s of staged) s.write.resolve();
      return;
    }
    try {
      await this.check();
      for (const s of staged) s.write.resolve();
      return;
    } catch (err) {
      this.changing();
      let unrestored: unknown = null;
      for (const s of [...staged].reverse())
        await restoreFile(s.path, s.previous).catch((e: unknown) => {
          unrestored ??= e;
        });
      if (unrestored !== null) {
        // What php-fpm refused may still be there: no write of the burst is kept, each is told why.
        for (const s of staged) s.write.reject(unrestored);
        return;
      }
      if (staged.length === 1 && staged[0]) {
        staged[0].write.reject(this.refused(staged[0].write.spec.user, err));
        return;
      }
    }
    // The batch was refused as a whole: find which pools php-fpm refuses, one check each. What a file
    // holds is read again first: two writes of one account in a batch would otherwise put back the
    // first one's text, refused, in place of the file as it was.
    for (const s of staged) {
      let previous: string | null;
      try {
        previous = await readOptional(s.path);
      } catch (err) {
        s.write.reject(err);
        continue;
      }
      try {
        this.changing();
        await writeRootFile(s.path, s.write.text);
        if (s.live) await this.check();
        s.write.resolve();
      } catch (err) {
        this.changing();
        await restoreFile(s.path, previous).catch(() => {});
        s.write.reject(this.refused(s.write.spec.user, err));
      }
    }
  }

  /** stage makes the account's tmp dir and puts its pool file in place: live, or disabled when it rests disabled. */
  private async stage(write: PendingWrite): Promise<StagedWrite> {
    await ensureAccountTmp(write.spec.home);
    await mkdir(this.opts.poolDir, { recursive: true });
    const live = this.poolPath(write.spec.user);
    const disabled = live + DISABLED_POOL_SUFFIX;
    const resting = write.spec.aside === true || (!(await exists(live)) && (await exists(disabled)));
    const path = resting ? disabled : live;
    const previous = await readOptional(path);
    this.changing();
    await writeRootFile(path, write.text);
    // A live file left by an earlier run would be loaded, and later put aside over this one.
    if (write.spec.aside === true) await rm(live, { force: true });
    return { write, path, previous, live: !resting };
  }

  private async reloadNow(): Promise<void> {
    // A master reloaded on a configuration it refuses exits, taking every PHP site down, and php-fpm -t
    // also reads what the panel does not write (php.ini, the users and groups): so a check of the
    // whole configuration, the reload's own unless one has just passed on the very same files.
    if (!(await this.reusablePass()))
      await this.check().catch((err) => {
        const why = `php-fpm -t refuses the configuration, so the master was not reloaded: ${checkReason(err)}`;
        throw new PhpFpmError('php_reload_failed', why, { cause: err });
      });
    const before = (await this.pidFileState())?.mtimeNs ?? null;
    // Watched from before the signal, so the master's rewrite of its pid file cannot slip past.
    const wake = wakeOnChange(this.opts.pidFile);
    try {
      let pid: number | null = null;
      if (this.opts.reloadCommand) {
        const [file, ...args] = this.opts.reloadCommand;
        if (file) await runCommand(file, args, { timeoutMs: this.opts.timeoutMs });
        if (before === null) return;
      } else {
        pid = await this.masterPid();
        process.kill(pid, 'SIGUSR2');
      }
      await this.waitForReread(before, pid, wake);
    } finally {
      wake.close();
    }
  }

  /**
   * waitForReread waits until the master has rewritten its pid file, which it does once its new
   * configuration is read. The rewrite is a truncate then a write, so a changed mtime alone may show
   * an empty file: the pid must be back in it (the master's own, when the panel signalled it).
   */
  private async waitForReread(before: bigint | null, pid: number | null, wake: FileWake): Promise<void> {
    // The monotonic clock: a step of the wall clock neither stretches nor cuts the wait.
    const deadline = performance.now() + this.opts.reloadWaitMs;
    while (performance.now() < deadline) {
      const now = await this.pidFileState();
      if (now !== null && now.mtimeNs !== before && now.pid !== null && (pid === null || now.pid === pid)) return;
      if (pid !== null && !(await isLiveFpm(pid)))
        throw new PhpFpmError('php_reload_failed', `the php-fpm master (pid ${pid}) ended during the reload`);
      // The pid file's change ends the sleep at once; the poll stays for a master that dies without one.
      await wake.sleep(POLL_MS);
    }
    throw new PhpFpmError('php_reload_failed', `the php-fpm master did not reload within ${this.opts.reloadWaitMs} ms`);
  }

  private async masterPid(): Promise<number> {
    const pid = (await this.pidFileState())?.pid ?? null;
    if (pid === null || !(await isFpmMaster(pid)))
      throw new PhpFpmError('php_reload_failed', `no php-fpm master runs with the pid in ${this.opts.pidFile}`);
    return pid;
  }

  /** pidFileState reads the pid file's mtime and the pid in it (null while it is empty or not a pid); null when there is no file. */
  private async pidFileState(): Promise<{ mtimeNs: bigint; pid: number | null } | null> {
    const st = await stat(this.opts.pidFile, { bigint: true }).catch((err) => {
      if (errno(err) === 'ENOENT') return null;
      throw err;
    });
    if (!st) return null;
    return { mtimeNs: st.mtimeNs, pid: parsePid((await readOptional(this.opts.pidFile)) ?? '') };
  }

  /** refused turns a failed `php-fpm -t` into `php_check_failed`; other failures (a write, the tmp dir) pass as they are. */
  private refused(user: string, err: unknown): unknown {
    if (!(err instanceof CommandError)) return err;
    return new PhpFpmError('php_check_failed', `php-fpm -t refused the pool of ${user}: ${checkReason(err)}`, {
      cause: err,
    });
  }

  private poolPath(user: string): string {
    return join(this.opts.poolDir, poolFileName(user));
  }
}
