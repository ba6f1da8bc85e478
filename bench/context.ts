import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Options } from './harness.js';
import { BareServer } from './support/bare.js';
import type { Pairing } from './support/load.js';
import { type Sandbox, startSandbox } from './support/sandbox.js';

/** Timing is how long each kind of measurement runs; `--quick` shortens all of them. */
export interface Timing {
  warmupSeconds: number;
  rounds: number;
  seconds: number;
  settleSeconds: number;
}

/**
 * Bench is what every row receives: the options, a private temp directory, and the fixtures rows
 * share (one sandbox panel with its accounts, one bare server), each built on first use and torn
 * down once at the end.
 */
export class Bench {
  private readonly cleanups: (() => Promise<void>)[] = [];
  private sandboxOnce: Promise<Sandbox> | null = null;
  private readonly servers = new Map<string, Promise<BareServer>>();

  private constructor(
    readonly options: Options,
    readonly dir: string,
  ) {}

  static async create(options: Options): Promise<Bench> {
    return new Bench(options, await mkdtemp(join(tmpdir(), 'vanta-bench-')));
  }

  get timing(): Timing {
    return this.options.quick
      ? { warmupSeconds: 1, rounds: 1, seconds: 2, settleSeconds: 1 }
      : { warmupSeconds: 2, rounds: 2, seconds: 4, settleSeconds: 2 };
  }

  /** pairing is the load plan for comparing one path of the panel with the same path of the bare server. */
  pairing(panelPort: number, barePort: number, path: string, token: string): Pairing {
    const t = this.timing;
    return {
      panelUrl: `http://127.0.0.1:${panelPort}${path}`,
      bareUrl: `http://127.0.0.1:${barePort}${path}`,
      headers: { authorization: `Bearer ${token}` },
      warmupSeconds: t.warmupSeconds,
      rounds: t.rounds,
      seconds: t.seconds,
    };
  }

  /** subdir makes a fresh directory for one row's own files. */
  async subdir(name: string): Promise<string> {
    const path = join(this.dir, name);
    await mkdir(path, { recursive: true, mode: 0o700 });
    return path;
  }

  /** sandbox is the shared sandbox panel with its accounts made through the API. */
  sandbox(): Promise<Sandbox> {
    this.sandboxOnce ??= (async () => {
      const s = await startSandbox({
        dir: await this.subdir('sandbox'),
        settleSeconds: this.timing.settleSeconds,
        restartWith: this.options.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', this.options.cpuProfDir] : null,
        hashCount: this.options.quick ? 24 : 64,
      });
      this.onClose(() => s.panel.stop());
      return s;
    })();
    return this.sandboxOnce;
  }

  /** bare is the one bare node:http server every ratio of the run is taken against. */
  bare(): Promise<BareServer> {
    return this.server('bare', () => BareServer.start());
  }

  /** framework is a bare Fastify app answering the recorded bytes: the floor the panel's framework sets. */
  framework(): Promise<BareServer> {
    return this.server('fastify', () => BareServer.start('fastify'));
  }

  /** required answers the recorded bytes after only the work every API call must do: the floor of any design. */
  required(): Promise<BareServer> {
    return this.server('required', async () => BareServer.start({ required: await this.subdir('required') }));
  }

  /** server starts one kind of server the first time it is asked for, and stops it when the run ends. */
  private server(kind: string, start: () => Promise<BareServer>): Promise<BareServer> {
    let started = this.servers.get(kind);
    if (!started) {
      started = start().then((b) => {
        this.onClose(() => b.stop());
        return b;
      });
      this.servers.set(kind, started);
    }
    return started;
  }

  /** onClose registers teardown work; it runs in reverse order of registration. */
  onClose(fn: () => Promise<void>): void {
    this.cleanups.push(fn);
  }

  async close(): Promise<void> {
    for (const fn of this.cleanups.reverse()) await fn().catch((err) => console.error(`cleanup failed: ${err}`));
    await rm(this.dir, { recursive: true, force: true });
  }
}
