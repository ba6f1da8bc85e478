import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ExecOptions, type ExecResult, runCommand } from '../exec.js';
import { writeFileAtomic } from '../files.js';
import { Coalesced, Serial } from '../php/coalesce.js';
import type { SiteSpec, WebServer } from '../ports.js';
import type { ProcessLock } from '../process-lock.js';
import {
  type MasterState,
  type NoMaster,
  type Quit,
  type ReloadOutcome,
  confirmReload,
  quitProcess,
  readMaster,
} from './nginx-master.js';
import { renderServerBlock } from './server-block.js';
import type { SiteLogs } from './traffic-log.js';

/** NginxOptions say where the server blocks go and how nginx is checked and reloaded. */
export interface NginxOptions {
  sitesDir: string;
  bin: string;
  /** args go before every nginx call, e.g. `-p DIR -c DIR/nginx.conf`. */
  args: readonly string[];
  /** reloadCommand replaces `nginx ARGS -s reload` when set (e.g. `systemctl reload nginx`). */
  reloadCommand: readonly string[] | null;
  /**
   * pidFile is nginx's master's pid file (VANTA_NGINX_PID_FILE, or where `nginx -T`/`-V` say): a reload
   * is confirmed by new workers of that master. null: no confirmation, a reload ends when its command does.
   */
  pidFile: string | null;
  /** reloadWaitMs bounds the wait for the master to start workers on the new configuration, each attempt. */
  reloadWaitMs: number;
  /** warn tells the operator something once (a reload not confirmed, and why); nothing when omitted. */
  warn?: (message: string) => void;
  /** hangUp sends a master SIGHUP (tests with a fake /proc give their own); process.kill when omitted. */
  hangUp?: (pid: number) => void | Promise<void>;
  /** masterPauseMs is how long nginx's master pauses after it starts new workers (MASTER_PAUSE_MS when omitted). */
  masterPauseMs?: number;
  /** quit sends an old worker SIGQUIT once new workers are ready (see waitForRetirement); process.kill when omitted. */
  quit?: Quit;
  /** procDir is where /proc is (tests give a fake one); `/proc` when omitted. */
  procDir?: string;
  /**
   * lock is the turn every panel process on the machine takes for its nginx commands and block writes
   * (`vanta serve`, the CLI and `vanta recover` side by side); only this process's are kept apart without it.
   */
  lock?: ProcessLock;
  listen: string;
  /** tlsListen is what the TLS servers of accounts with a certificate listen on. */
  tlsListen: string;
  /** challengeDir is the panel's directory of ACME http-01 answers, served by every block. */
  challengeDir: string;
  suspendedRoot: string;
  timeoutMs: number;
  /** reopenCommand replaces `nginx ARGS -s reopen` when set (e.g. a service manager's way to send SIGUSR1). */
  reopenCommand: readonly string[] | null;
  /** logs give each server block its traffic log. */
  logs: SiteLogs;
  /** run starts the nginx commands; runCommand when omitted (tests record the commands through it). */
  run?: CommandRunner;
}

/** PendingBlock is a server block waiting for the next group write, and its writer's promise. */
interface PendingBlock {
  user: string;
  text: string;
  /** prepared is the block's traffic log being made, which the block must not be written before. */
  prepared: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** StagedBlock is a block written for a check, and what its file held before. */
interface StagedBlock {
  block: PendingBlock;
  path: string;
  previous: string | null;
}

/** CommandRunner is the shape of runCommand, the way the web server starts nginx. */
export type CommandRunner = (file: string, args: readonly string[], opts?: ExecOptions) => Promise<ExecResult>;

/** restore puts back what a block's file held before it was staged: the old text, or nothing. */
async function restore(s: StagedBlock): Promise<void> {
  if (s.previous === null) await rm(s.path, { force: true });
  else await writeFileAtomic(s.path, s.previous);
}

/** NginxReloadError is a reload nginx did not take: its master kept the old configuration, twice, or is gone. */
export class NginxReloadError extends Error {
  override readonly name = 'NginxReloadError';
}

/** describe says in a few words why a reload was not taken. */
function describe(done: { outcome: ReloadOutcome; master: number }, waitMs: number): string {
  if (done.outcome === 'master_gone') return `its master (pid ${done.master}) is gone`;
  return `no new worker of its master (pid ${done.master}) within ${waitMs} ms`;
}

/**
 * Reloaded is a reload whose configuration nginx's master has put in service with new workers; `retired`
 * settles once its old workers take no more connections (told to quit once a new one is ready),
 * awaited out of the turn.
 */
interface Reloaded {
  retired: Promise<void>;
}

const NOTHING_TO_RETIRE: Reloaded = { retired: Promise.resolve() };

/**
 * MASTER_PAUSE_MS is nginx's master's pause after it starts the workers of a new configuration (a fixed
 * 100 ms, signals blocked, before it tells the old ones to quit): a SIGHUP sent meanwhile waits for it.
 */
const MASTER_PAUSE_MS = 100;

/** hangUp asks nginx's master to re-read its configuration, as `nginx -s reload` does. */
function hangUp(pid: number): void {
  process.kill(pid, 'SIGHUP');
}

/** refused is the error of a block `nginx -t` refused. */
function refused(user: string, cause: unknown): Error {
  return new Error(`nginx -t refused the server block of ${user}`, { cause });
}

/**
 * NginxWebServer writes one server block per account, checks it with `nginx -t`, and coalesces reloads.
 * Every nginx command reads the whole configuration, sites directory included (`-s reopen` too,
 * before it signals, and the master's re-read after a reload), so each takes its turn with the
 * writes and removals of blocks: a block removed between nginx's listing of the directory and its
 * opening of the file fails the command. The master re-reads the configuration after the signal, so a reload keeps its
 * turn until the master has new workers on the new configuration (see `reloadNow`); the callers then
 * wait out of the turn until the old workers take no more connections.
 */
export class NginxWebServer implements WebServer {
  private readonly turns: Serial;
  private readonly reloading: Coalesced<Reloaded>;
  private readonly reopening: Coalesced;
  private batch: PendingBlock[] = [];
  /** masterAwakeAt is when nginx's master ends its pause after the last reload seen taken (performance.now()). */
  private masterAwakeAt = 0;
  /** unconfirmed is why the last reload could not be confirmed (told once), or null. */
  private unconfirmed: string | null = null;
  /** checks counts the `nginx -t` runs, for tests of the group writes. */
  checks = 0;

  constructor(private readonly opts: NginxOptions) {
    // A fake /proc has made-up pids, which real processes may bear: they must never be signalled.
    if (opts.procDir !== undefined && (!opts.quit || !opts.hangUp))
      throw new Error('a web server on another /proc needs its own hangUp and quit');
    this.turns = new Serial(opts.lock ?? null);
    const turn = <T>(fn: () => Promise<T>) => this.exclusive(fn);
    // A reload asked for while nginx's master still pauses after the last one waits out the pause
    // before its turn: the calls and block writes made meanwhile join it, and the turn is held only
    // while the master can act on the signal.
    this.reloading = new Coalesced(
      () => this.reloadNow(),
      (fn) => {
        const pause = this.masterAwakeAt - performance.now();
        return pause > 0 ? sleep(pause).then(() => turn(fn)) : turn(fn);
      },
    );
    this.reopening = new Coalesced(
      () => this.signal(this.opts.reopenCommand ?? [this.opts.bin, ...this.opts.args, '-s', 'reopen']),
      turn,
    );
  }

  /** reloads counts the reloads actually run (not requested), for the startup log and tests. */
  get reloads(): number {
    return this.reloading.runs;
  }

  /** writeLogFormat writes the traffic log format into the sites directory, before any `nginx -t` reads a block using it. */
  async writeLogFormat(): Promise<void> {
    await mkdir(this.opts.sitesDir, { recursive: true });
    await this.opts.logs.writeLogFormat(this.opts.sitesDir);
  }

  /**
   * writeSite writes the account's block and has nginx check it. The blocks written while a check
   * or another nginx command runs are written together and share the next `nginx -t`.
   */
  async writeSite(site: SiteSpec): Promise<void> {
    const text = renderServerBlock({
      ...site,
      listen: this.opts.listen,
      tlsListen: this.opts.tlsListen,
      challengeDir: this.opts.challengeDir,
      suspendedRoot: this.opts.suspendedRoot,
      accessLog: this.opts.logs.accessLog(site.user),
    });
    // Made by the panel (0600) before nginx, which would make it world-readable, opens it.
    const prepared = this.opts.logs.prepare(site.user);
    // A failure is the block's own, reported when its group is written.
    prepared.catch(() => {});
    await new Promise<void>((resolve, reject) => {
      this.batch.push({ user: site.user, text, prepared, resolve, reject });
      // The first block of a group queues its write; the blocks that arrive before it runs join it.
      if (this.batch.length === 1) this.queueGroup();
    });
  }

  async removeSite(user: string): Promise<void> {
    await this.exclusive(() => rm(this.sitePath(user), { force: true }));
    await this.opts.logs.remove(user);
  }

  /**
   * reload signals nginx in its turn with the block writes and returns once nginx serves the new
   * configuration. Calls made before a reload begins share it; calls made while one runs share a
   * single follow-up, so a burst of operations costs at most two reloads, not one each.
   */
  reload(): Promise<void> {
    return this.reloading.run().then((done) => done.retired);
  }

  /** reopenLogs makes nginx reopen its logs after a rotation, coalesced as reloads are. */
  reopenLogs(): Promise<void> {
    return this.reopening.run();
  }

  /** check runs `nginx -t` on the whole configuration. */
  async check(): Promise<void> {
    await this.exclusive(() => this.nginxCheck());
  }

  /** dump returns `nginx -T`: the whole configuration as nginx reads it. */
  async dump(): Promise<string> {
    return (await this.exclusive(() => this.nginx(['-T']))).stdout;
  }

  /**
   * reloadNow signals the master (a SIGHUP to it; the operator's command, or `nginx -s reload` when no
   * master is found) and waits until new workers serve the new configuration; what it returns settles
   * once the old workers take no more connections, which the callers wait for out of the turn. A master
   * that cannot re-read it (a block it cannot open at that moment, say) keeps the old one, logs an
   * error and starts no worker; it is given one more reload, and if that one is not taken either (or
   * finds no master), the reload fails. Without a master to watch at the first signal (no pid file
   * known, or none readable), a reload ends when its command does, as before reloads were confirmed.
   */
  private async reloadNow(): Promise<Reloaded> {
    const pidFile = this.opts.pidFile;
    if (pidFile === null) {
      await this.sendReload(null);
      return NOTHING_TO_RETIRE;
    }
    const send = (master: MasterState | NoMaster) => this.sendReload(master);
    const attempt = () =>
      confirmReload(pidFile, send, this.opts.reloadWaitMs, this.opts.procDir ?? '/proc', this.opts.quit ?? quitProcess);
    const first = await attempt();
    if (first.outcome === 'unconfirmed') {
      if (first.why !== this.unconfirmed)
        this.opts.warn?.(`nginx reloads are not confirmed (${first.why}): each ends when its command does`);
      this.unconfirmed = first.why;
      return NOTHING_TO_RETIRE;
    }
    this.unconfirmed = null;
    if (first.outcome === 'taken') return this.taken(first.retired);
    this.opts.warn?.(`nginx did not take a reload (${describe(first, this.opts.reloadWaitMs)}); reloading once more`);
    const second = await attempt();
    if (second.outcome === 'taken') return this.taken(second.retired);
    const why = second.outcome === 'unconfirmed' ? second.why : describe(second, this.opts.reloadWaitMs);
    throw new NginxReloadError(`nginx did not take the new configuration after two reloads: ${why}`);
  }

  /**
   * sendReload asks the master to re-read the configuration. `nginx -s reload` reads and checks the whole
   * configuration (every block, every certificate) only to find the pid it then sends SIGHUP to: the master
   * found through the same pid file gets the SIGHUP here. The operator's command, when set, runs as given;
   * `nginx -s reload` runs when no master is known (null: no pid file to find it by).
   */
  private async sendReload(master: MasterState | NoMaster | null): Promise<void> {
    if (this.opts.reloadCommand !== null || master === null || 'missing' in master)
      return this.signal(this.opts.reloadCommand ?? [this.opts.bin, ...this.opts.args, '-s', 'reload']);
    try {
      await (this.opts.hangUp ?? hangUp)(master.pid);
    } catch (err) {
      // Ended since it was read: the watch finds it gone (or its successor), as after any signal.
      if ((err as NodeJS.ErrnoException | null)?.code !== 'ESRCH') throw err;
    }
  }

  /**
   * requestReload signals the master in its turn with the block writes, as `reload` does, but waits for
   * no new worker: it follows a reload that failed, whose master may still be re-reading the configuration
   * (a master slower than the wait). The signal it sends is taken after that re-read, so the master ends
   * on the configuration the undos put back rather than on the one the failed operation wrote.
   */
  async requestReload(): Promise<void> {
    await this.exclusive(async () => {
      const pidFile = this.opts.pidFile;
      const master =
        pidFile === null || this.opts.reloadCommand !== null
          ? null
          : await readMaster(pidFile, this.opts.procDir ?? '/proc');
      await this.sendReload(master);
    });
  }

  /**
   * taken notes when a reload's new workers were seen: nginx's master then sleeps (MASTER_PAUSE_MS)
   * with its signals blocked, so a SIGHUP sent before it wakes would only wait in the kernel.
   */
  private taken(retired: Promise<void>): Reloaded {
    this.masterAwakeAt = performance.now() + (this.opts.masterPauseMs ?? MASTER_PAUSE_MS);
    return { retired };
  }

  private async signal(argv: readonly string[]): Promise<void> {
    const [file, ...args] = argv;
    await this.run(file ?? this.opts.bin, args, { timeoutMs: this.opts.timeoutMs });
  }

  private nginx(args: string[]) {
    return this.run(this.opts.bin, [...this.opts.args, ...args], { timeoutMs: this.opts.timeoutMs });
  }

  private run(file: string, args: readonly string[], opts: ExecOptions): Promise<ExecResult> {
    return (this.opts.run ?? runCommand)(file, args, opts);
  }

  /**
   * exclusive serialises writes, removals and every nginx command: one account's `nginx -t` must not
   * see another's half-made block, and no command may read the directory while a block goes.
   */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.turns.run(fn);
  }

  /**
   * queueGroup queues the write of the group `batch` holds now. A turn that never began (the machine's
   * lock could not be taken: a full disk, an unreadable lock file) fails the blocks that waited for it,
   * which no one else would ever settle, and leaves no group behind for the next block to join.
   */
  private queueGroup(): void {
    const group = this.batch;
    this.exclusive(() => this.writeGroup()).catch((err: unknown) => {
      if (this.batch === group) this.batch = [];
      for (const block of group) block.reject(err);
    });
  }

  /**
   * writeGroup writes the waiting blocks and checks them with one `nginx -t`. When nginx refuses the
   * group, every block of it is put back and each is written and checked alone, so that only a block
   * nginx refuses fails; a refused block is never left behind, or the next reload (anyone's) would fail on it.
   */
  private async writeGroup(): Promise<void> {
    const blocks = this.batch;
    this.batch = [];
    const staged: StagedBlock[] = [];
    for (const block of blocks) {
      try {
        staged.push(await this.stage(block));
      } catch (err) {
        block.reject(err);
      }
    }
    if (staged.length === 0) return;
    try {
      await this.nginxCheck();
      for (const s of staged) s.block.resolve();
      return;
    } catch (err) {
      try {
        for (const s of [...staged].reverse()) await restore(s);
      } catch (restoreErr) {
        for (const s of staged) s.block.reject(restoreErr);
        return;
      }
      const [only] = staged;
      if (staged.length === 1 && only) {
        only.block.reject(refused(only.block.user, err));
        return;
      }
    }
    for (const { block } of staged) {
      let alone: StagedBlock;
      try {
        alone = await this.stage(block);
      } catch (err) {
        block.reject(err);
        continue;
      }
      try {
        await this.nginxCheck();
        block.resolve();
      } catch (err) {
        await restore(alone).then(
          () => block.reject(refused(block.user, err)),
          (restoreErr) => block.reject(restoreErr),
        );
      }
    }
  }

  /** stage puts a block in place and says what its file held before. */
  private async stage(block: PendingBlock): Promise<StagedBlock> {
    await block.prepared;
    const path = this.sitePath(block.user);
    const previous = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    });
    await mkdir(this.opts.sitesDir, { recursive: true });
    await writeFileAtomic(path, block.text);
    return { block, path, previous };
  }

  private async nginxCheck(): Promise<void> {
    this.checks++;
    await this.nginx(['-t']);
  }

  private sitePath(user: string): string {
    return join(this.opts.sitesDir, `${user}.conf`);
  }
}
