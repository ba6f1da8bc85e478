import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '../exec.js';
import { writeFileAtomic } from '../files.js';
import { Coalesced } from '../php/coalesce.js';
import type { SiteSpec, WebServer } from '../ports.js';
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
}

/** PendingSite is a server block waiting for the next batch's `nginx -t`. */
interface PendingSite {
  user: string;
  text: string;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** StagedSite is a block put in place, with the text it replaced (null: there was none). */
interface StagedSite {
  write: PendingSite;
  path: string;
  previous: string | null;
}

function refusedBlock(user: string, err: unknown): Error {
  return new Error(`nginx -t refused the server block of ${user}`, { cause: err });
}

/**
 * NginxWebServer writes one server block per account, checks it with `nginx -t`, and coalesces reloads. The blocks
 * written while a check runs are put in place together and share the next check, as PHP-FPM's pools are.
 */
export class NginxWebServer implements WebServer {
  private writing: Promise<unknown> = Promise.resolve();
  private batch: PendingSite[] = [];
  /** checks counts the `nginx -t` runs, for tests of the coalescing. */
  checks = 0;
  private readonly reloading: Coalesced;
  private readonly reopening: Coalesced;

  constructor(private readonly opts: NginxOptions) {
    this.reloading = new Coalesced(() =>
      this.signal(this.opts.reloadCommand ?? [this.opts.bin, ...this.opts.args, '-s', 'reload']),
    );
    this.reopening = new Coalesced(() =>
      this.signal(this.opts.reopenCommand ?? [this.opts.bin, ...this.opts.args, '-s', 'reopen']),
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
    await this.opts.logs.prepare(site.user);
    return new Promise((resolve, reject) => {
      this.batch.push({ user: site.user, text, resolve, reject });
      // The first write of a batch queues its flush; the writes that arrive before it runs share its `nginx -t`.
      if (this.batch.length === 1) void this.exclusive(() => this.flushWrites());
    });
  }

  /**
   * flushWrites puts every block of the batch in place and checks them with one `nginx -t`. When nginx refuses the
   * batch, every file is restored and each block is tried again alone, so that only the blocks nginx refuses are
   * refused (each naming its account) and nothing nginx refuses is left in the sites directory.
   */
  private async flushWrites(): Promise<void> {
    const writes = this.batch;
    this.batch = [];
    const staged: StagedSite[] = [];
    for (const write of writes) {
      try {
        staged.push(await this.stage(write));
      } catch (err) {
        write.reject(err);
      }
    }
    if (staged.length === 0) return;
    try {
      await this.check();
      for (const s of staged) s.write.resolve();
      return;
    } catch (err) {
      for (const s of [...staged].reverse()) await this.restore(s);
      if (staged.length === 1 && staged[0]) {
        staged[0].write.reject(refusedBlock(staged[0].write.user, err));
        return;
      }
    }
    for (const s of staged) {
      try {
        await writeFileAtomic(s.path, s.write.text);
        await this.check();
        s.write.resolve();
      } catch (err) {
        await this.restore(s).catch(() => {});
        s.write.reject(refusedBlock(s.write.user, err));
      }
    }
  }

  private async stage(write: PendingSite): Promise<StagedSite> {
    const path = this.sitePath(write.user);
    const previous = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    });
    await mkdir(this.opts.sitesDir, { recursive: true });
    await writeFileAtomic(path, write.text);
    return { write, path, previous };
  }

  /** restore puts a block's previous text back; never leave a block nginx refuses, the next reload (anyone's) would fail on it. */
  private async restore(s: StagedSite): Promise<void> {
    if (s.previous === null) await rm(s.path, { force: true });
    else await writeFileAtomic(s.path, s.previous);
  }

  async removeSite(user: string): Promise<void> {
    await this.exclusive(() => rm(this.sitePath(user), { force: true }));
    await this.opts.logs.remove(user);
  }

  /**
   * reload signals nginx. With no reload running it starts one at once; calls made while one runs
   * share a single follow-up reload, so a burst of operations costs two reloads, not one each.
   */
  reload(): Promise<void> {
    return this.reloading.run();
  }

  /** reopenLogs makes nginx reopen its logs after a rotation, coalesced as reloads are. */
  reopenLogs(): Promise<void> {
    return this.reopening.run();
  }

  /** check runs `nginx -t` on the whole configuration. */
  async check(): Promise<void> {
    this.checks++;
    await this.nginx(['-t']);
  }

  /** dump returns `nginx -T`: the whole configuration as nginx reads it. */
  async dump(): Promise<string> {
    return (await this.nginx(['-T'])).stdout;
  }

  private async signal(argv: readonly string[]): Promise<void> {
    const [file, ...args] = argv;
    await runCommand(file ?? this.opts.bin, args, { timeoutMs: this.opts.timeoutMs });
  }

  private nginx(args: string[]) {
    return runCommand(this.opts.bin, [...this.opts.args, ...args], { timeoutMs: this.opts.timeoutMs });
  }

  /** exclusive serialises writes and checks: one account's `nginx -t` must not see another's half-made block. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.writing.then(fn, fn);
    this.writing = next.catch(() => {});
    return next;
  }

  private sitePath(user: string): string {
    return join(this.opts.sitesDir, `${user}.conf`);
  }
}
