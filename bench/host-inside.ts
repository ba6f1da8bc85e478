// The host rows' measuring program. It runs inside a private mount namespace with a copy of /etc
// bound over /etc (bench/rows/host.ts starts it so), starts the real `vanta serve` in host mode
// there against a private nginx, and times through the API what the panel does next to the raw
// commands those operations run. It writes its figures as JSON to the file the parent names.
import { spawnSync } from 'node:child_process';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.js';
import { PHP_DEFAULTS } from '../src/domain/php.js';
import { generatePassword } from '../src/domain/secrets.js';
import { runCommand } from '../src/host/exec.js';
import { writeFileAtomic } from '../src/host/files.js';
import { type MasterState, type NoMaster, confirmReload, quitProcess } from '../src/host/nginx/nginx-master.js';
import { renderServerBlock } from '../src/host/nginx/server-block.js';
import { parsePid } from '../src/host/pid-file.js';
import { poolFileName, poolSocketPath, renderPool } from '../src/host/php/pool-config.js';
import { chpasswdInput, lockArgs, useraddArgs, userdelArgs } from '../src/host/shadow/shadow-commands.js';
import { timed } from './harness.js';
import { CLOCK_TICKS, PanelProcess } from './support/panel-process.js';
import { CREATE_CONCURRENCY, type CreateRun, benchUser, createThroughApi } from './support/sandbox.js';

/** HostJob is what the parent asks for. */
export interface HostJob {
  token: string;
  /** lifecycles is how many accounts go through create, suspend and terminate one after another. */
  lifecycles: number;
  /** bulk is how many accounts are created CREATE_CONCURRENCY at a time. */
  bulk: number;
  out: string;
  logFile: string;
  /** nginxCalls and phpCalls are where the panel's nginx and php-fpm (wrapped) log their arguments. */
  nginxCalls: string;
  phpCalls: string;
  /** nginxLog is the private nginx's error log, at `notice`: it notes each reload, however it is signalled. */
  nginxLog: string;
  /** fpmLog is the php-fpm master's error log, which notes each reload. */
  fpmLog: string;
  /** nginxPidFile names the private nginx's master, whose CPU (reloads, retired workers) is counted apart. */
  nginxPidFile: string;
}

/** CpuShares is where the CPU time of a phase went, in ms: the whole machine, and the parts the bench can tell apart. */
export interface CpuShares {
  machine: number;
  /** panel is the panel's own threads (argon2 hashing included). */
  panel: number;
  /** commands is what the panel's commands used (useradd, chpasswd, nginx -t, php-fpm -t, reloads...). */
  commands: number;
  /** fpmMaster and nginxMaster are the masters and the workers they retired, re-reading their configuration. */
  fpmMaster: number;
  nginxMaster: number;
}

/** CommandCounts is how many checks and reloads of nginx and php-fpm the panel ran in a phase. */
export interface CommandCounts {
  nginxChecks: number;
  nginxReloads: number;
  phpChecks: number;
  phpReloads: number;
}

/** RawBulk is a bulk run of the raw create commands: its accounts, how long they took, where the CPU went. */
export interface RawBulk {
  count: number;
  seconds: number;
  /** cpu has the bench process in the panel's place: its reaped children, under `commands`, are the raw commands. */
  cpu: CpuShares;
  /** failures name the accounts whose commands failed, with the error. */
  failures: string[];
}

/** HostFigures are the milliseconds of each timed operation, and the bulk runs. */
export interface HostFigures {
  panel: { create: number[]; suspend: number[]; terminate: number[] };
  /** createNoPhp holds the creates of accounts whose plan has PHP off, made between those of `panel`. */
  createNoPhp: number[];
  /** raw holds, for each command of the raw sequence, its time in each repetition; total the sum. */
  raw: { total: number[]; commands: Record<string, number[]> };
  bulkCreate: CreateRun;
  bulkTerminateSeconds: number;
  /** steps holds, per phase and operation, each step's milliseconds as the panel logged them. */
  steps: Record<string, Record<string, number[]>>;
  /** commandCounts holds, per bulk phase (creates, terminates), the checks and reloads it ran. */
  commandCounts: Record<string, CommandCounts>;
  /** cpu holds, per bulk phase, where its CPU time went. */
  cpu: Record<string, CpuShares>;
  /**
   * rawFloor holds the panel's bulk creates done by the raw commands alone, as few as any panel could run:
   * `servers` with each account's pool and server block and one check and reload of each server per wave,
   * `shadow` with useradd and chpasswd only.
   */
  rawFloor: { servers: RawBulk; shadow: RawBulk };
}

const job = JSON.parse(process.env.VANTA_BENCH_HOST ?? '{}') as HostJob;
const config = loadConfig(process.env);
const tag = Array.from({ length: 4 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('');

/**
 * phpReload is the bare reload of php-fpm: its check, the signal (or the reload command), the wait until its pid
 * file is rewritten. Without `check` the check is left out, as the panel leaves it out right after a pool's own
 * passing check (create).
 */
async function phpReload(check = true): Promise<void> {
  if (check) await runCommand(config.php.bin, [...config.php.args, '-t']);
  if (config.php.reload) {
    await runCommand(config.php.reload[0] ?? '', config.php.reload.slice(1));
    return;
  }
  const before = (await stat(config.php.pidFile, { bigint: true })).mtimeNs;
  process.kill(parsePid(await readFile(config.php.pidFile, 'utf8')) ?? 0, 'SIGUSR2');
  for (;;) {
    const now = await stat(config.php.pidFile, { bigint: true }).catch(() => null);
    const pid = parsePid(await readFile(config.php.pidFile, 'utf8').catch(() => ''));
    if (now && now.mtimeNs !== before && pid !== null) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** nginx runs the configured nginx with `args`, as the panel runs it. */
function nginx(args: string[]): Promise<unknown> {
  return runCommand(config.nginxBin, [...config.nginxArgs, ...args]);
}

/** reload is the bare reload of nginx: as the panel's does, it waits until nginx's master serves with new workers. */
async function reload(): Promise<void> {
  // As the panel does: its master gets SIGHUP, unless an operator's command is configured.
  const signal = async (master: MasterState | NoMaster) => {
    if (config.nginxReload) await runCommand(config.nginxReload[0] ?? '', config.nginxReload.slice(1));
    else if ('missing' in master) throw new Error(`no nginx master to reload: ${master.missing}`);
    else process.kill(master.pid, 'SIGHUP');
  };
  const done = await confirmReload(
    config.nginxPidFile ?? job.nginxPidFile,
    signal,
    config.hostTimeoutMs,
    '/proc',
    quitProcess,
  );
  if (done.outcome !== 'taken') throw new Error(`the raw reload was not taken: ${JSON.stringify(done)}`);
  await done.retired;
}

/**
 * rawAccount is one user's side of the raw commands: its files, the server block and pool the panel would render
 * for it, and the two shadow commands of its create, with the panel's arguments.
 */
function rawAccount(user: string) {
  const home = join(config.homeBase, user);
  const domain = `${user}.bench.test`;
  return {
    user,
    site: join(config.nginxSitesDir, `${user}.conf`),
    pool: join(config.php.poolDir, poolFileName(user)),
    block: (suspended: boolean) =>
      renderServerBlock({
        user,
        domain,
        listen: config.nginxListen,
        tlsListen: config.nginxTlsListen,
        challengeDir: config.acme.challengeDir,
        tls: null,
        root: `${home}/public_html`,
        suspended,
        suspendedRoot: config.suspendedDir,
        phpSocket: poolSocketPath(config.php.runDir, user),
      }),
    poolText: renderPool({
      user,
      home,
      runDir: config.php.runDir,
      webGroup: config.php.webGroup,
      maxChildren: PHP_DEFAULTS.maxChildren,
      memoryMb: PHP_DEFAULTS.memoryMb,
    }),
    useradd: () => runCommand('useradd', useraddArgs({ user, home, shell: false, domain })),
    chpasswd: () => runCommand('chpasswd', [], { input: chpasswdInput(user, generatePassword()) }),
    // As the panel's: a user already gone (exit 6) is no error, so a clean-up may ask for users a failed run never made.
    userdel: () => runCommand('userdel', userdelArgs(user), { okCodes: [6] }),
  };
}

/**
 * rawSequence runs, for one user, the commands create, suspend and terminate run that change the
 * host, with the same arguments, and writes the same server blocks and pools: create (useradd,
 * chpasswd, pool + php-fpm -t, php reload, block + nginx -t, reload until nginx's new workers serve), suspend (usermod --lock,
 * suspended block + nginx -t, reload, pool aside, php reload), terminate (block removed, reload,
 * pool removed, php reload, userdel --remove). The lookups the panel makes first are not in it.
 */
async function rawSequence(user: string, times: Record<string, number[]>): Promise<number> {
  const { site, pool, block, poolText, useradd, chpasswd, userdel } = rawAccount(user);
  const steps: [string, () => Promise<unknown>][] = [
    ['useradd', useradd],
    ['chpasswd', chpasswd],
    [
      'php-fpm -t',
      async () => {
        await writeFileAtomic(pool, poolText);
        await runCommand(config.php.bin, [...config.php.args, '-t']);
      },
    ],
    ['php reload', () => phpReload(false)],
    [
      'nginx -t',
      async () => {
        await writeFileAtomic(site, block(false));
        await nginx(['-t']);
      },
    ],
    ['reload', reload],
    ['usermod --lock', () => runCommand('usermod', lockArgs(user))],
    [
      'nginx -t',
      async () => {
        await writeFileAtomic(site, block(true));
        await nginx(['-t']);
      },
    ],
    ['reload', reload],
    [
      'php reload',
      async () => {
        await rename(pool, `${pool}.disabled`);
        await phpReload();
      },
    ],
    [
      'reload',
      async () => {
        await rm(site, { force: true });
        await reload();
      },
    ],
    [
      'php reload',
      async () => {
        await rm(`${pool}.disabled`, { force: true });
        await phpReload();
      },
    ],
    ['userdel', userdel],
  ];
  let total = 0;
  for (const [name, step] of steps) {
    const ms = await timed(step);
    total += ms;
    times[name] ??= [];
    times[name].push(ms);
  }
  return total;
}

/**
 * inWaves runs `each` on the items CREATE_CONCURRENCY at a time, in waves: a wave starts once the one before it and
 * `after` it are done.
 */
async function inWaves<T>(items: readonly T[], each: (item: T) => Promise<void>, after?: () => Promise<unknown>) {
  for (let from = 0; from < items.length; from += CREATE_CONCURRENCY) {
    await Promise.all(items.slice(from, from + CREATE_CONCURRENCY).map(each));
    await after?.();
  }
}

/**
 * rawBulk is a floor under the panel's bulk creates: `count` users made by the raw commands of create (as
 * rawSequence runs them), CREATE_CONCURRENCY at a time. Each account runs useradd and chpasswd and, with `servers`,
 * has its pool and server block written; then one php-fpm -t and php reload and one nginx -t and confirmed reload
 * cover the whole wave, the fewest server commands any design could run with that many in flight. The two servers
 * are checked and reloaded side by side, as nothing orders one after the other. Everything made is taken back
 * afterwards, outside the timing: each user by userdel, the pools and blocks removed, one reload of each server.
 */
async function rawBulk(prefix: string, count: number, servers: boolean): Promise<RawBulk> {
  const failures: string[] = [];
  // Rendered before the clock starts, as rawSequence renders its blocks and pools before timing its commands.
  const accounts = Array.from({ length: count }, (_, i) => rawAccount(benchUser(prefix, i)));
  try {
    // The bench stands where the panel stood in cpuNow: its own CPU, then the commands it reaped.
    const cpu0 = await cpuNow(process.pid);
    const seconds = await timed(() =>
      inWaves(
        accounts,
        async (a) => {
          try {
            await a.useradd();
            await a.chpasswd();
            if (!servers) return;
            await writeFileAtomic(a.pool, a.poolText);
            await writeFileAtomic(a.site, a.block(false));
          } catch (err) {
            failures.push(`${a.user}: ${err instanceof Error ? err.message : String(err)}`);
          }
        },
        servers ? () => Promise.all([phpReload(), nginx(['-t']).then(reload)]) : undefined,
      ),
    );
    return { count, seconds: seconds / 1000, cpu: since(cpu0, await cpuNow(process.pid)), failures };
  } finally {
    await inWaves(accounts, async (a) => {
      await a.userdel();
      if (servers) await Promise.all([rm(a.pool, { force: true }), rm(a.site, { force: true })]);
    });
    if (servers) await Promise.all([phpReload(), reload()]);
  }
}

/**
 * stepTimes reads the panel's `step done` lines (debug level) into the milliseconds of each step of each operation,
 * by phase: `phases` maps a user-name prefix to the phase its accounts belong to; other accounts are left out.
 */
export function stepTimes(log: string, phases: Record<string, string>): HostFigures['steps'] {
  const out: HostFigures['steps'] = {};
  for (const line of log.split('\n')) {
    if (!line.includes('"step done"')) continue;
    const entry = JSON.parse(line) as { op?: string; user?: string; step?: string; ms?: number };
    const phase = Object.entries(phases).find(([prefix]) => entry.user?.startsWith(prefix))?.[1];
    if (phase === undefined || entry.op === undefined || entry.step === undefined || entry.ms === undefined) continue;
    const op = `${phase}: ${entry.op}`;
    out[op] ??= {};
    const steps = out[op];
    steps[entry.step] ??= [];
    steps[entry.step]?.push(entry.ms);
  }
  return out;
}

/** NO_PHP_PLAN is a plan with PHP off: creates on it, next to creates with PHP, give what a pool adds to a create. */
const NO_PHP_PLAN = 'bench-no-php';

/** countCommands counts the lines logged so far by the wrapped nginx and php-fpm and by the php-fpm master. */
async function countCommands(): Promise<CommandCounts> {
  const lines = async (path: string) => (await readFile(path, 'utf8').catch(() => '')).split('\n');
  const nginx = await lines(job.nginxCalls);
  const php = await lines(job.phpCalls);
  return {
    nginxChecks: nginx.filter((l) => / -t$/.test(l)).length,
    nginxReloads: (await lines(job.nginxLog)).filter((l) => l.includes('(SIGHUP) received')).length,
    phpChecks: php.filter((l) => / -t$/.test(l)).length,
    phpReloads: (await lines(job.fpmLog)).filter((l) => l.includes('Reloading in progress')).length,
  };
}

/** processCpu is a process's own and its reaped children's CPU time in ms; 0 when it cannot be read. */
async function processCpu(pid: number | null): Promise<{ own: number; children: number }> {
  const stat = pid === null ? '' : await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  if (stat === '') return { own: 0, children: 0 };
  // The command name in parentheses may hold spaces; the fields after it are fixed.
  const f = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  const ms = (ticks: number) => (ticks * 1000) / CLOCK_TICKS;
  return { own: ms((f[11] ?? 0) + (f[12] ?? 0)), children: ms((f[13] ?? 0) + (f[14] ?? 0)) };
}

/** cpuNow reads the machine's busy CPU time and the panel's, its commands' and the two masters' so far. */
async function cpuNow(panelPid: number): Promise<CpuShares> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0] ?? '';
  const t = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: all but idle and iowait is busy.
  const busy = t.reduce((a, b) => a + b, 0) - (t[3] ?? 0) - (t[4] ?? 0);
  const pidIn = async (file: string) => parsePid(await readFile(file, 'utf8').catch(() => ''));
  const panel = await processCpu(panelPid);
  const fpm = await processCpu(await pidIn(config.php.pidFile));
  const nginx = await processCpu(await pidIn(job.nginxPidFile));
  return {
    machine: (busy * 1000) / CLOCK_TICKS,
    panel: panel.own,
    commands: panel.children,
    fpmMaster: fpm.own + fpm.children,
    nginxMaster: nginx.own + nginx.children,
  };
}

/** since is what two readings of the same figures differ by: the CPU time used, or the commands run, between them. */
function since<T extends Record<keyof T, number>>(a: T, b: T): T {
  const out = { ...b };
  for (const key of Object.keys(b) as (keyof T)[]) out[key] = (b[key] - a[key]) as T[keyof T];
  return out;
}

async function main(): Promise<void> {
  const vanta = fileURLToPath(new URL('../bin/vanta.js', import.meta.url));
  const added = spawnSync(process.execPath, [vanta, 'plan', 'add', NO_PHP_PLAN, '--no-php'], { encoding: 'utf8' });
  if (added.status !== 0) throw new Error(`vanta plan add failed: ${added.stderr}`);
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] => e[0].startsWith('VANTA_') && !e[0].startsWith('VANTA_BENCH') && e[1] !== undefined,
    ),
  );
  // At debug level the panel logs each step's time, for the breakdown of the operations.
  let figures: Omit<HostFigures, 'rawFloor'>;
  const panel = await PanelProcess.start({
    dataDir: config.dataDir,
    logFile: job.logFile,
    env: { ...env, VANTA_LOG_LEVEL: 'debug' },
  });
  try {
    const auth = { authorization: `Bearer ${job.token}` };
    const call = async (method: string, path: string, body?: unknown) => {
      const r = await panel.call(method, path, auth, body);
      if (r.status >= 300) throw new Error(`${method} ${path} answered ${r.status}: ${r.body.toString()}`);
    };
    const lifecycle = async (user: string) => ({
      create: await timed(() => call('POST', '/?api=accounts', { user, domain: `${user}.bench.test` })),
      suspend: await timed(() => call('POST', `/?api=account&action=suspend&user=${user}`, { reason: 'benchmark' })),
      terminate: await timed(() => call('DELETE', `/?api=account&user=${user}`)),
    });
    figures = {
      panel: { create: [], suspend: [], terminate: [] },
      createNoPhp: [],
      raw: { total: [], commands: {} },
      bulkCreate: { count: 0, concurrency: 0, seconds: 0, panelCpuMs: 0, failures: [] },
      bulkTerminateSeconds: 0,
      steps: {},
      commandCounts: {},
      cpu: {},
    };
    await lifecycle(`w${tag}`);
    for (let i = 0; i < job.lifecycles; i++) {
      const t = await lifecycle(benchUser(`l${tag}`, i));
      figures.panel.create.push(t.create);
      figures.panel.suspend.push(t.suspend);
      figures.panel.terminate.push(t.terminate);
      const bare = benchUser(`n${tag}`, i);
      figures.createNoPhp.push(
        await timed(() =>
          call('POST', '/?api=accounts', { user: bare, domain: `${bare}.bench.test`, plan: NO_PHP_PLAN }),
        ),
      );
      await call('DELETE', `/?api=account&user=${bare}`);
    }
    await rawSequence(`r${tag}w`, {});
    for (let i = 0; i < job.lifecycles; i++) {
      figures.raw.total.push(await rawSequence(benchUser(`r${tag}`, i), figures.raw.commands));
    }
    const c0 = await countCommands();
    const cpu0 = await cpuNow(panel.pid);
    figures.bulkCreate = await createThroughApi(panel, job.token, `b${tag}`, 0, job.bulk, CREATE_CONCURRENCY);
    const c1 = await countCommands();
    const cpu1 = await cpuNow(panel.pid);
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CREATE_CONCURRENCY }, async () => {
        while (next < job.bulk) await call('DELETE', `/?api=account&user=${benchUser(`b${tag}`, next++)}`);
      }),
    );
    figures.bulkTerminateSeconds = (performance.now() - t0) / 1000;
    figures.commandCounts = { creates: since(c0, c1), terminates: since(c1, await countCommands()) };
    figures.cpu = { creates: since(cpu0, cpu1), terminates: since(cpu1, await cpuNow(panel.pid)) };
  } finally {
    await panel.stop();
  }
  figures.steps = stepTimes(await readFile(job.logFile, 'utf8'), {
    [`l${tag}`]: 'one at a time',
    [`n${tag}`]: 'one at a time, PHP off',
    [`b${tag}`]: 'bulk',
  });
  // The floors run once the panel has stopped: the machine's CPU is then theirs, the servers' and the bench's.
  const rawFloor = {
    servers: await rawBulk(`f${tag}`, job.bulk, true),
    shadow: await rawBulk(`s${tag}`, job.bulk, false),
  };
  await writeFile(job.out, JSON.stringify({ ...figures, rawFloor } satisfies HostFigures));
}

await main();
