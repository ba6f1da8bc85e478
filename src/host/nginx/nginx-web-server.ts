import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type ExecOptions, type ExecResult, runCommand } from '../exec.js';
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
  /** run starts the nginx commands; runCommand when omitted (tests record the commands through it). */
  run?: CommandRunner;
}

/** CommandRunner is the shape of runCommand, the way the web server starts nginx. */
export type CommandRunner = (file: string, args: readonly string[], opts?: ExecOptions) => Promise<ExecResult>;

/**
 * NginxWebServer writes one server block per account, checks it with `nginx -t`, and coalesces reloads.
 * Every nginx command reads the whole configuration, sites directory included (`-s reload` and
 * `-s reopen` too, before they signal), so each takes its turn with the writes and removals of
 * blocks: a block removed between nginx's listing of the directory and its opening of the file
 * fails the command.
 */
export class NginxWebServer implements WebServer {
  private writing: Promise<unknown> = Promise.resolve();
  private readonly reloading: Coalesced;
  private readonly reopening: Coalesced;

  constructor(private readonly opts: NginxOptions) {
    this.reloading = new Coalesced(() =>
      this.exclusive(() => this.signal(this.opts.reloadCommand ?? [this.opts.bin, ...this.opts.args, '-s', 'reload'])),
    );
    this.reopening = new Coalesced(() =>
      this.exclusive(() => this.signal(this.opts.reopenCommand ?? [this.opts.bin, ...this.opts.args, '-s', 'reopen'])),
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
    await this.exclusive(async () => {
      const path = this.sitePath(site.user);
      const previous = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return null;
        throw err;
      });
      await mkdir(this.opts.sitesDir, { recursive: true });
      await writeFileAtomic(path, text);
      try {
        await this.nginx(['-t']);
      } catch (err) {
        // Never leave a block nginx refuses: the next reload (anyone's) would fail on it.
        if (previous === null) await rm(path, { force: true });
        else await writeFileAtomic(path, previous);
        throw new Error(`nginx -t refused the server block of ${site.user}`, { cause: err });
      }
    });
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
    await this.exclusive(() => this.nginx(['-t']));
  }

  /** dump returns `nginx -T`: the whole configuration as nginx reads it. */
  async dump(): Promise<string> {
    return (await this.exclusive(() => this.nginx(['-T']))).stdout;
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
    const next = this.writing.then(fn, fn);
    this.writing = next.catch(() => {});
    return next;
  }

  private sitePath(user: string): string {
    return join(this.opts.sitesDir, `${user}.conf`);
  }
}
