import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runVanta } from '../../test/support/cli.js';
import { type HashRun, storedHashParams, timeHashes } from './argon2.js';
import { PanelProcess } from './panel-process.js';

/** Memory is the kernel's view of a process's memory, in bytes. */
export type Memory = Awaited<ReturnType<PanelProcess['memory']>>;

/** CreateRun is the outcome of creating accounts through the API, several at a time. */
export interface CreateRun {
  count: number;
  concurrency: number;
  seconds: number;
  /** panelCpuMs is the CPU time the panel process used meanwhile, all its threads. */
  panelCpuMs: number;
  failures: string[];
}

/** ACCOUNTS is the store's size for the API rows, as in the issue. */
export const ACCOUNTS = 500;

/** CREATE_CONCURRENCY is how many creates are in flight at once. */
export const CREATE_CONCURRENCY = 8;

const WARMUP_CREATES = 16;

/** issueToken makes an API token with every account scope through the real CLI, before the panel starts. */
export async function issueToken(dataDir: string): Promise<string> {
  const out = await runVanta(dataDir, [
    'token',
    'create',
    '--name',
    'bench',
    '--scopes',
    'accounts:read,accounts:write,accounts:delete',
  ]);
  const token = /vp_[A-Za-z0-9]+/.exec(out.stdout)?.[0];
  if (out.code !== 0 || !token) throw new Error(`vanta token create failed: ${out.stderr}`);
  return token;
}

/** benchUser is the name of the i-th account the benchmark makes. */
export function benchUser(prefix: string, i: number): string {
  return `${prefix}${String(i).padStart(5, '0')}`;
}

/** createThroughApi creates accounts `from` .. `from + count - 1` with POST /?api=accounts, `concurrency` at a time. */
export async function createThroughApi(
  panel: PanelProcess,
  token: string,
  prefix: string,
  from: number,
  count: number,
  concurrency: number,
): Promise<CreateRun> {
  const failures: string[] = [];
  const cpu0 = await panel.cpuMs();
  const t0 = performance.now();
  let next = from;
  const end = from + count;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < end) {
        const user = benchUser(prefix, next++);
        const r = await panel.call(
          'POST',
          '/?api=accounts',
          { authorization: `Bearer ${token}` },
          { user, domain: `${user}.bench.test`, email: `owner@${user}.bench.test` },
        );
        if (r.status !== 201) failures.push(`${user}: ${r.status} ${r.body.toString().slice(0, 200)}`);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  return { count, concurrency, seconds, panelCpuMs: (await panel.cpuMs()) - cpu0, failures };
}

/** settle gives the panel time to finish what a burst left behind (timers, GC) before memory is read. */
export function settle(seconds: number): Promise<void> {
  return new Promise((r) => setTimeout(r, seconds * 1000));
}

/** Sandbox is the shared fixture of the sandbox rows: a real panel with ACCOUNTS accounts made through the API. */
export interface Sandbox {
  panel: PanelProcess;
  dataDir: string;
  token: string;
  /** idle is the panel's memory after start, before any call. */
  idle: Memory;
  /** creates is the timed part of the creates (after a short warm-up). */
  creates: CreateRun;
  /** afterCreates is the panel's memory once all ACCOUNTS accounts exist. */
  afterCreates: Memory;
  /** hashes is argon2id timed alone, with the parameters of a hash the panel stored; null if it is not argon2id. */
  hashes: HashRun | null;
}

/** SandboxSetup says where the fixture lives and how it starts its panel. */
export interface SandboxSetup {
  dir: string;
  settleSeconds: number;
  /** restartWith, when set, restarts the panel with these Node flags once the accounts exist (CPU profiling). */
  restartWith: string[] | null;
  /** hashCount is how many hashes are timed for argon2id's share. */
  hashCount: number;
}

/**
 * startSandbox builds the fixture: token, panel, idle memory, ACCOUNTS creates (8 at a time), memory
 * again, then argon2id alone in this process while the panel idles.
 */
export async function startSandbox(setup: SandboxSetup): Promise<Sandbox> {
  const dataDir = join(setup.dir, 'data');
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const token = await issueToken(dataDir);
  const logFile = join(setup.dir, 'panel.log');
  let panel = await PanelProcess.start({ dataDir, logFile });
  await settle(setup.settleSeconds);
  const idle = await panel.memory();
  const warm = await createThroughApi(panel, token, 'b', 0, WARMUP_CREATES, CREATE_CONCURRENCY);
  const creates = await createThroughApi(
    panel,
    token,
    'b',
    WARMUP_CREATES,
    ACCOUNTS - WARMUP_CREATES,
    CREATE_CONCURRENCY,
  );
  creates.failures.unshift(...warm.failures);
  await settle(setup.settleSeconds);
  const afterCreates = await panel.memory();
  const params = storedHashParams(dataDir);
  const hashes = params ? await timeHashes(params, setup.hashCount, CREATE_CONCURRENCY) : null;
  if (setup.restartWith) {
    await panel.stop();
    panel = await PanelProcess.start({ dataDir, logFile, nodeArgs: setup.restartWith });
  }
  return { panel, dataDir, token, idle, creates, afterCreates, hashes };
}
