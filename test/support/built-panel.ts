import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { httpCall } from '../../bench/support/panel-process.js';
import { VANTA_BIN, runVanta } from './cli.js';
import { freePort } from './nginx.js';
import { until } from './wait.js';

/** ROOT is this checkout, with a trailing slash. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const PROBE = fileURLToPath(new URL('./load-probe.mjs', import.meta.url));

/** Loaded is what a `vanta` process loaded, as load-probe.mjs writes it. */
export interface Loaded {
  /** files are the module files loaded, as paths (the checkout's own relative to it). */
  files: string[];
  /** builtins are Node's own modules compiled so far. */
  builtins: string[];
}

function readLoaded(file: string): Loaded {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Loaded;
  const files = raw.files.map((url) => {
    const path = fileURLToPath(url);
    return path.startsWith(ROOT) ? path.slice(ROOT.length) : path;
  });
  return { files, builtins: raw.builtins };
}

/** packagesOf names the packages some of `files` were loaded from (node_modules/NAME or @SCOPE/NAME). */
export function packagesOf(files: readonly string[]): string[] {
  const names = new Set<string>();
  for (const f of files) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f.slice(f.lastIndexOf('node_modules/')));
    if (m?.[1]) names.add(m[1]);
  }
  return [...names];
}

/** ownFilesOf are the loaded files of the checkout itself, outside node_modules. */
export function ownFilesOf(files: readonly string[]): string[] {
  return files.filter((f) => !f.startsWith('/') && !f.startsWith('node_modules/'));
}

/** probeArgs are the Node options and environment that make a `vanta` process record what it loads into `file`. */
export function probeArgs(file: string): { nodeArgs: string[]; env: Record<string, string> } {
  return { nodeArgs: ['--import', PROBE], env: { LOAD_PROBE_FILE: file } };
}

/** runBuilt runs one `vanta` command of the build under the load probe and gives its output and what it loaded. */
export async function runBuilt(
  dataDir: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string; loaded: Loaded }> {
  const file = join(dataDir, 'run-probe.json');
  const probe = probeArgs(file);
  const out = await runVanta(dataDir, args, undefined, probe.env, probe.nodeArgs);
  const loaded = readLoaded(file);
  rmSync(file, { force: true });
  return { ...out, loaded };
}

/** BuiltPanelStart says how to start the built `vanta serve`: Node options, and VANTA_* variables besides the data directory. */
export interface BuiltPanelStart {
  dataDir: string;
  nodeArgs?: string[];
  env?: Record<string, string>;
  /** probe records what the panel loads (load-probe.mjs), read with `loaded()`. */
  probe?: boolean;
}

/** BuiltPanel is the real `vanta serve` of this checkout's build, in a process of its own on loopback ports. */
export class BuiltPanel {
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    private readonly probeFile: string | null,
  ) {
    child.stdout?.on('data', (d: Buffer) => {
      this.output += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      this.output += d.toString();
    });
  }

  /** start starts the panel and resolves once the user-panel listener answers. */
  static async start(opts: BuiltPanelStart): Promise<BuiltPanel> {
    const port = await freePort();
    const probeFile = opts.probe ? join(opts.dataDir, 'load-probe.json') : null;
    const probe = probeFile ? probeArgs(probeFile) : { nodeArgs: [], env: {} };
    const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), ...probe.nodeArgs, VANTA_BIN, 'serve'], {
      env: {
        PATH: process.env.PATH ?? '',
        VANTA_ACME_DIRECTORY: 'off',
        ...opts.env,
        ...probe.env,
        VANTA_DATA_DIR: opts.dataDir,
        VANTA_HOST: '127.0.0.1',
        VANTA_PANEL_PORT: String(port),
        VANTA_WHM_PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const panel = new BuiltPanel(child, port, probeFile);
    let exited = false;
    child.once('exit', () => {
      exited = true;
    });
    await until(async () => {
      if (exited) throw new Error(`vanta serve exited at start:\n${panel.output}`);
      const r = await httpCall(port, 'GET', '/', {}).catch(() => null);
      return r?.status === 200;
    }, 60_000);
    return panel;
  }

  /** get makes one GET request to the user-panel listener. */
  get(path: string): ReturnType<typeof httpCall> {
    return httpCall(this.port, 'GET', path, {});
  }

  /** loaded asks the running panel (started with `probe`) what it has loaded so far. */
  async loaded(): Promise<Loaded> {
    const file = this.probeFile;
    if (file === null) throw new Error('the panel was started without the load probe');
    rmSync(file, { force: true });
    this.child.kill('SIGUSR2');
    await until(() => existsSync(file), 30_000);
    return readLoaded(file);
  }

  /** stop ends the panel with SIGTERM, waits for it to exit, and gives all it printed (its log). */
  async stop(): Promise<string> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exit = once(this.child, 'close');
      this.child.kill('SIGTERM');
      await exit;
    }
    return this.output;
  }
}
