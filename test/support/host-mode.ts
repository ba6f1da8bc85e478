import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, readdir, rename, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TRAFFIC_LOG_FORMAT_FILE } from '../../src/host/nginx/traffic-log.js';
import { runVanta } from './cli.js';
import { MYSQL_URL } from './mariadb.js';
import { NGINX_BIN, PrivateNginx, freePort, get } from './nginx.js';
import { PHPFPM_BIN, PrivatePhpFpm } from './php-fpm.js';
import { makePrivateEtc, unshareArgs } from './private-etc.js';
import { processState } from './procs.js';

export { childrenOf, processState } from './procs.js';

const VANTA_BIN = fileURLToPath(new URL('../../bin/vanta.js', import.meta.url));
const SERVE_WITH_HOOKS = fileURLToPath(new URL('./serve-with-hooks.ts', import.meta.url));

/** Hooks are the test switches of serve-with-hooks.ts: a crash right after a step, a site nginx refuses. */
export interface Hooks {
  /** crashAfter (`op:step`) kills the panel right after that step of that operation. */
  crashAfter?: string;
  /** breakSite makes writing that account's site leave nginx's configuration invalid. */
  breakSite?: string;
  /** breakPool writes that account's PHP pool with a directive php-fpm refuses. */
  breakPool?: string;
}

/** hostModeSkip says why host-mode tests cannot run here, or null when they can (root, unshare, nginx, php-fpm). */
export function hostModeSkip(): string | null {
  if (process.getuid?.() !== 0) return 'host-mode tests need root';
  if (!existsSync('/usr/bin/unshare') || !existsSync('/usr/bin/nsenter'))
    return 'host-mode tests need unshare and nsenter (util-linux)';
  if (!existsSync(NGINX_BIN)) return 'host-mode tests need nginx (scripts/test-deps.sh installs it)';
  if (!existsSync(PHPFPM_BIN)) return 'host-mode tests need php8.2-fpm (scripts/test-deps.sh installs it)';
  return null;
}

/** ApiReply is a parsed answer of the account API. */
export interface ApiReply {
  status: number;
  body: Record<string, unknown>;
}

/**
 * HostRig is one throwaway host: a copy of /etc (users are made there, in a private mount
 * namespace), homes and a sites directory under a temp dir, a private nginx on a loopback port, a
 * private php-fpm master that sees the copy of /etc, and the real panel (`vanta serve` in host
 * mode) started and killed as a separate process.
 */
export class HostRig {
  readonly etc: string;
  readonly homes: string;
  readonly sites: string;
  readonly data: string;
  token = '';
  panelPort = 0;
  private panel: ChildProcess | null = null;
  private exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | null = null;
  output = '';

  private constructor(
    readonly dir: string,
    readonly nginx: PrivateNginx,
    readonly fpm: PrivatePhpFpm,
  ) {
    this.etc = join(dir, 'etc');
    this.homes = join(dir, 'homes');
    this.sites = join(dir, 'sites');
    this.data = join(dir, 'data');
  }

  /** create copies /etc, gives the copy a uid range of its own, and starts the private nginx and php-fpm. */
  static async create(): Promise<HostRig> {
    const dir = await mkdtemp(join(tmpdir(), 'vanta-host-'));
    // Accounts (and their PHP workers) pass through to their homes below it, as they do through /home.
    await chmod(dir, 0o711);
    const etc = await makePrivateEtc(dir);
    for (const d of ['homes', 'sites', 'data']) await mkdir(join(dir, d), { recursive: true });
    // Workers run as www-data, as a provider's do: what the panel makes must be readable by them alone.
    const nginx = new PrivateNginx(join(dir, 'nginx'), await freePort(), join(dir, 'sites'), 'www-data');
    await nginx.start();
    const fpm = new PrivatePhpFpm(join(dir, 'fpm'), etc);
    try {
      await fpm.start();
    } catch (err) {
      await nginx.stop();
      throw err;
    }
    const rig = new HostRig(dir, nginx, fpm);
    const out = await runVanta(rig.data, [
      'token',
      'create',
      '--name',
      'billing',
      '--scopes',
      'accounts:read,accounts:write,accounts:delete',
    ]);
    if (out.code !== 0) throw new Error(`token create failed: ${out.stderr}`);
    rig.token = /vp_[A-Za-z0-9]+/.exec(out.stdout)?.[0] ?? '';
    return rig;
  }

  /** env is what `vanta serve` gets: host mode pointed at this rig. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
      VANTA_MODE: 'host',
      VANTA_DATA_DIR: this.data,
      VANTA_ACME_DIRECTORY: 'off',
      VANTA_HOME_BASE: this.homes,
      VANTA_NGINX_SITES_DIR: this.sites,
      VANTA_NGINX_BIN: NGINX_BIN,
      VANTA_NGINX_ARGS: this.nginx.args.join(' '),
      VANTA_NGINX_LISTEN: `127.0.0.1:${this.nginx.port}`,
      VANTA_PANEL_PORT: String(this.panelPort),
      VANTA_WHM_PORT: '0',
      VANTA_AUTH_FAIL_LIMIT: '100000',
      VANTA_LOG_LEVEL: 'info',
      VANTA_MYSQL_URL: MYSQL_URL,
      // The panel runs in a namespace of its own over the same copy of /etc, so its php-fpm -t
      // resolves the accounts as the master does.
      VANTA_PHP_POOL_DIR: this.fpm.poolDir,
      VANTA_PHP_RUN_DIR: this.fpm.runDir,
      VANTA_PHPFPM_BIN: PHPFPM_BIN,
      VANTA_PHPFPM_ARGS: this.fpm.args.join(' '),
      VANTA_PHPFPM_PID: this.fpm.pidFile,
      ...extra,
    };
  }

  /** start runs the real `vanta serve` in host mode inside a private mount namespace and waits until it listens. */
  async start(extra: Record<string, string> = {}): Promise<void> {
    await this.spawnPanel([VANTA_BIN, 'serve'], extra);
  }

  /** startWithHooks is start with test hooks: the panel runs from test/support/serve-with-hooks.ts. */
  async startWithHooks(hooks: Hooks, extra: Record<string, string> = {}): Promise<void> {
    const env: Record<string, string> = { ...extra };
    if (hooks.crashAfter) env.VANTA_TEST_CRASH_AFTER = hooks.crashAfter;
    if (hooks.breakSite) env.VANTA_TEST_BREAK_SITE = hooks.breakSite;
    if (hooks.breakPool) env.VANTA_TEST_BREAK_POOL = hooks.breakPool;
    await this.spawnPanel(['--import', import.meta.resolve('tsx'), SERVE_WITH_HOOKS], env);
  }

  /**
   * inPrivateEtc starts node with `nodeArgs` in a private mount namespace with the rig's /etc. The
   * process returned is the helper that bound /etc and waits for node; node is its child.
   */
  private inPrivateEtc(nodeArgs: string[], extra: Record<string, string>): ChildProcess {
    return spawn('unshare', unshareArgs(this.etc, [process.execPath, ...nodeArgs]), {
      env: this.env(extra),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  /** cli starts a `vanta` command in host mode against the rig (its helper process; see inPrivateEtc). */
  cli(args: string[], extra: Record<string, string> = {}): ChildProcess {
    return this.inPrivateEtc([VANTA_BIN, ...args], extra);
  }

  /** panelPid is the pid of the running `vanta serve`, as its startup log line says. */
  panelPid(): number {
    const line = this.output.split('\n').find((l) => l.includes('Vanta Panel started'));
    const pid = Number(/"pid":(\d+)/.exec(line ?? '')?.[1]);
    if (!pid) throw new Error(`no pid in the startup line: ${line}`);
    return pid;
  }

  /**
   * crash kills the panel with SIGKILL while its parent (the helper) is stopped, so that the panel
   * stays a zombie: the next panel starts while the killed one still has its pid. `release` lets
   * the helper run again, reap it and end.
   */
  async crash(): Promise<() => Promise<void>> {
    const helper = this.panel;
    if (!helper?.pid) throw new Error('no panel to crash');
    const pid = this.panelPid();
    const ended = new Promise((resolve) => helper.once('exit', resolve));
    helper.kill('SIGSTOP');
    process.kill(pid, 'SIGKILL');
    await waitForState(pid, 'Z');
    this.panel = null;
    this.exited = null;
    return async () => {
      helper.kill('SIGCONT');
      await ended;
    };
  }

  private async spawnPanel(nodeArgs: string[], extra: Record<string, string>): Promise<void> {
    if (this.panel) throw new Error('panel already running');
    this.panelPort = await freePort();
    this.output = '';
    const child = this.inPrivateEtc(nodeArgs, extra);
    this.panel = child;
    child.stdout?.on('data', (d: Buffer) => {
      this.output += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      this.output += d.toString();
    });
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const gone = this.exited.then(() => 'exited' as const);
    for (let i = 0; i < 200; i++) {
      if (this.output.includes('Vanta Panel started')) return;
      const state = await Promise.race([gone, new Promise((r) => setTimeout(r, 50)).then(() => 'waiting' as const)]);
      if (state === 'exited') {
        this.panel = null;
        throw new Error(`vanta serve exited at start: ${this.output}`);
      }
    }
    throw new Error(`vanta serve did not start: ${this.output}`);
  }

  /** waitForExit waits for the panel process to end on its own (the crash hook kills it). */
  async waitForExit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const r = await (this.exited ?? Promise.resolve({ code: null, signal: null }));
    this.panel = null;
    return r;
  }

  /** stop ends the panel cleanly. */
  async stop(): Promise<void> {
    if (!this.panel) return;
    this.panel.kill('SIGTERM');
    await this.waitForExit();
  }

  /** api calls the account API of the running panel with the rig's token. */
  api(method: string, query: string, body?: unknown): Promise<ApiReply> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
      if (payload !== undefined) headers['content-type'] = 'application/json';
      const req = request(
        { host: '127.0.0.1', port: this.panelPort, method, path: `/?${query}`, headers, agent: false },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            text += c;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : {} }));
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** passwdEntry returns the user's line of the private passwd file as fields, or null. */
  async passwdEntry(user: string): Promise<string[] | null> {
    return findLine(join(this.etc, 'passwd'), user);
  }

  /** shadowEntry returns the user's line of the private shadow file as fields, or null. */
  async shadowEntry(user: string): Promise<string[] | null> {
    return findLine(join(this.etc, 'shadow'), user);
  }

  /** groupEntry returns the group's line of the private group file, or null. */
  async groupEntry(user: string): Promise<string[] | null> {
    return findLine(join(this.etc, 'group'), user);
  }

  /** passwordWorks checks a password against the user's shadow hash with the system's crypt(3). */
  async passwordWorks(user: string, password: string): Promise<boolean> {
    const hash = (await this.shadowEntry(user))?.[1]?.replace(/^!/, '');
    if (!hash) return false;
    const script = 'chomp(my $h = <STDIN>); chomp(my $p = <STDIN>); exit(crypt($p, $h) eq $h ? 0 : 1);';
    return new Promise((resolve) => {
      const child = spawn('perl', ['-e', script], { stdio: ['pipe', 'ignore', 'ignore'] });
      child.on('exit', (code) => resolve(code === 0));
      child.stdin.end(`${hash}\n${password}\n`);
    });
  }

  /** site requests a path (`/` by default) of a domain from the private nginx. */
  site(domain: string, path = '/'): Promise<{ status: number; body: string }> {
    return get(this.nginx.port, domain, path);
  }

  /**
   * settled waits until the domain's `path` answers as `ok` says three times in a row: just after a
   * reload, a retiring worker may still take a connection and answer from the old configuration.
   */
  async settled(domain: string, ok: (r: { status: number; body: string }) => boolean, path = '/'): Promise<boolean> {
    let streak = 0;
    for (let i = 0; i < 200 && streak < 3; i++) {
      const r = await this.site(domain, path).catch(() => null);
      streak = r && ok(r) ? streak + 1 : 0;
      if (streak < 3) await new Promise((res) => setTimeout(res, 25));
    }
    return streak >= 3;
  }

  /** siteFiles lists the server blocks in the sites directory (not the file of the traffic log format beside them). */
  async siteFiles(): Promise<string[]> {
    return (await readdir(this.sites)).filter((f) => f.endsWith('.conf') && f !== TRAFFIC_LOG_FORMAT_FILE).sort();
  }

  /**
   * replaceSkel gives useradd (in the private /etc) a skeleton made by `fill`, and returns the way
   * to put the original back.
   */
  async replaceSkel(fill: (skel: string) => Promise<unknown>): Promise<() => Promise<void>> {
    const skel = join(this.etc, 'skel');
    const saved = join(this.etc, 'skel.vanta-test-saved');
    await rename(skel, saved);
    await mkdir(skel, { mode: 0o755 });
    await fill(skel);
    return async () => {
      await rm(skel, { recursive: true, force: true });
      await rename(saved, skel);
    };
  }

  /** home tells whether the account's home directory exists. */
  homeExists(user: string): boolean {
    return existsSync(join(this.homes, user));
  }

  /** poolFiles lists the pool directory of the private php-fpm (pools in service and kept aside). */
  async poolFiles(): Promise<string[]> {
    return (await readdir(this.fpm.poolDir)).sort();
  }

  /** socketExists tells whether the account's PHP-FPM socket is there. */
  socketExists(user: string): boolean {
    return existsSync(join(this.fpm.runDir, `vanta-${user}.sock`));
  }

  async close(): Promise<void> {
    await this.stop().catch(() => {});
    await this.nginx.stop().catch(() => {});
    await this.fpm.stop().catch(() => {});
    await rm(this.dir, { recursive: true, force: true });
  }
}

async function findLine(path: string, name: string): Promise<string[] | null> {
  const text = await readFile(path, 'utf8');
  const line = text.split('\n').find((l) => l.startsWith(`${name}:`));
  return line ? line.split(':') : null;
}

/** RigSuite holds the HostRig of one describe block, filled in by its before hook. */
export interface RigSuite {
  rig: HostRig;
}

/** hostRigSuite registers before/after hooks that make a HostRig, start its panel (with `extra` variables), and close it all. */
export function hostRigSuite(extra: Record<string, string> = {}): RigSuite {
  const suite = {} as RigSuite;
  before(async () => {
    suite.rig = await HostRig.create();
    await suite.rig.start(extra);
  });
  after(async () => {
    await suite.rig?.close();
  });
  return suite;
}

/** waitForState waits until a process is in `state` (Z: a zombie). */
async function waitForState(pid: number, state: string): Promise<void> {
  for (let i = 0; i < 1000 && processState(pid) !== state; i++) await new Promise((r) => setTimeout(r, 10));
  if (processState(pid) !== state) throw new Error(`process ${pid} never reached state ${state}`);
}
