import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../test/support/nginx.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** VANTA_BIN is the real `vanta` executable of this checkout; it runs the bundle in dist/. */
export const VANTA_BIN = `${ROOT}bin/vanta.js`;

/** PANEL_NODE is the Node the panel runs on: the Node 24 that `npm ci` puts in node_modules/.bin. */
export const PANEL_NODE = existsSync(`${ROOT}node_modules/.bin/node`)
  ? `${ROOT}node_modules/.bin/node`
  : process.execPath;

/** panelNodeVersion is the version of PANEL_NODE, for the table's heading. */
export function panelNodeVersion(): string {
  return execFileSync(PANEL_NODE, ['--version'], { encoding: 'utf8' }).trim();
}

/** PANEL_NODE_ARGS are the Node options `npm start` and the README's systemd unit give `vanta serve`. */
export const PANEL_NODE_ARGS: readonly string[] = ['--max-semi-space-size=8'];

/** CLOCK_TICKS is the unit of the CPU times in /proc: 100 a second on every architecture Node runs on. */
export const CLOCK_TICKS = 100;

/** Reply is one complete HTTP answer, with its raw header list for replaying it byte for byte. */
export interface Reply {
  status: number;
  rawHeaders: string[];
  body: Buffer;
}

/** httpCall makes one request on a fresh connection and reads the whole answer. */
export function httpCall(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const all = payload === undefined ? headers : { ...headers, 'content-type': 'application/json' };
    const req = request({ host: '127.0.0.1', port, method, path, headers: all, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** PanelStart says how to start one panel: its data directory, where its output goes, and extras. */
export interface PanelStart {
  dataDir: string;
  logFile: string;
  env?: Record<string, string>;
  nodeArgs?: string[];
}

/**
 * PanelProcess is the real `vanta serve` in a process of its own, on loopback ports the kernel
 * picks. Its log goes to a file, as under a service manager, so that reading it costs the
 * benchmark nothing while the load runs.
 */
export class PanelProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    private readonly exited: Promise<void>,
  ) {}

  static async start(opts: PanelStart): Promise<PanelProcess> {
    const port = await freePort();
    const fd = openSync(opts.logFile, 'a', 0o600);
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      VANTA_HOST: '127.0.0.1',
      VANTA_WHM_PORT: '0',
      ...(process.env.VANTA_LOG_LEVEL ? { VANTA_LOG_LEVEL: process.env.VANTA_LOG_LEVEL } : {}),
      ...opts.env,
      VANTA_DATA_DIR: opts.dataDir,
      VANTA_ACME_DIRECTORY: 'off',
      VANTA_PANEL_PORT: String(port),
    };
    const child = spawn(PANEL_NODE, [...PANEL_NODE_ARGS, ...(opts.nodeArgs ?? []), VANTA_BIN, 'serve'], {
      env,
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    let gone = false;
    const exited = new Promise<void>((resolve) =>
      child.once('exit', () => {
        gone = true;
        resolve();
      }),
    );
    // Ready when the listener answers: the startup line is not logged below VANTA_LOG_LEVEL=info.
    for (let i = 0; i < 400; i++) {
      if (gone) throw new Error(`vanta serve exited at start:\n${(await readFile(opts.logFile, 'utf8')).slice(-2000)}`);
      const up = await httpCall(port, 'GET', '/', {}).then(
        (r) => r.status === 200,
        () => false,
      );
      if (up) return new PanelProcess(child, port, exited);
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    throw new Error('vanta serve did not start within 20 s');
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** status reads the kernel's memory figures of the process, in bytes (VmRSS, VmHWM, RssAnon, RssFile). */
  async memory(): Promise<{ rss: number; peak: number; anon: number; file: number }> {
    const text = await readFile(`/proc/${this.pid}/status`, 'utf8');
    const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
    return { rss: kib('VmRSS'), peak: kib('VmHWM'), anon: kib('RssAnon'), file: kib('RssFile') };
  }

  /** cpuMs is the CPU time (user + system, all threads) the process has used so far. */
  async cpuMs(): Promise<number> {
    const stat = await readFile(`/proc/${this.pid}/stat`, 'utf8');
    // The command name in parentheses may hold spaces; the fields after it are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  }

  call(method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<Reply> {
    return httpCall(this.port, method, path, headers, body);
  }

  /** stop ends the panel with SIGTERM, as a service manager would, and waits for it to exit. */
  async stop(): Promise<void> {
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(timer);
  }
}
