import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parsePid } from '../pid-file.js';

/** MasterChild is one live child of nginx's master: a worker, a cache manager or a cache loader. */
export interface MasterChild {
  pid: number;
  /** start is the process's start time (clock ticks since boot): with the pid, it names one process. */
  start: string;
  /** accepting is true for a worker not yet told to quit; a retiring one has closed its listening sockets. */
  accepting: boolean;
}

/** MasterState is nginx's master as /proc shows it at one moment, and its live children. */
export interface MasterState {
  pid: number;
  start: string;
  children: MasterChild[];
}

/** NoMaster says why no nginx master was found through the pid file (one line, for the log). */
export interface NoMaster {
  missing: string;
}

/** ReloadOutcome is how a reload ended: taken (new workers serve), not taken in time, or the master gone. */
export type ReloadOutcome = 'taken' | 'not_taken' | 'master_gone';

/**
 * ConfirmedReload is a reload whose outcome was watched, or `unconfirmed` with the reason none could be. A
 * taken one has new workers on the new configuration; `retired` settles once no old worker takes
 * connections any more (it never rejects).
 */
export type ConfirmedReload =
  | { outcome: 'taken'; master: number; retired: Promise<void> }
  | { outcome: Exclude<ReloadOutcome, 'taken'>; master: number }
  | { outcome: 'unconfirmed'; why: string };

/** POLL_MS is how often /proc is read while a reload is watched: a re-read takes tens of ms at the least. */
const POLL_MS = 10;

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code;
}

/**
 * readOr reads a text file, or null when it is not there (a process that ended meanwhile). The files
 * are /proc's and the pid file, a few bytes each and in memory, read several times a poll: a blocking
 * read costs a fraction of what a FileHandle's four thread-pool calls do.
 */
async function readOr(path: string): Promise<string | null> {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if (errno(err) === 'ENOENT' || errno(err) === 'ESRCH') return null;
    throw err;
  }
}

/** ProcStat is what the panel reads of /proc/PID/stat. */
interface ProcStat {
  state: string;
  ppid: number;
  start: string;
}

/** parseStat reads the fields of a /proc/PID/stat line after the command name, which may hold spaces and parentheses. */
export function parseStat(text: string): ProcStat | null {
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // Fields 3 (state), 4 (ppid) and 22 (starttime) of proc(5), counted from the state.
  const [state, ppid, start] = [fields[0], fields[1], fields[19]];
  if (!state || !ppid || !start || !/^\d+$/.test(ppid) || !/^\d+$/.test(start)) return null;
  return { state, ppid: Number(ppid), start };
}

/** title is a process's command line as its title shows it (nginx rewrites it: "nginx: worker process"). */
async function title(proc: string, pid: number): Promise<string | null> {
  const raw = await readOr(join(proc, String(pid), 'cmdline'));
  return raw === null ? null : raw.replaceAll('\0', ' ').trim();
}

async function stat(proc: string, pid: number): Promise<ProcStat | null> {
  const text = await readOr(join(proc, String(pid), 'stat'));
  return text === null ? null : parseStat(text);
}

/**
 * childPids lists a process's children: from /proc/PID/task/PID/children (nginx's master has one
 * thread), or, on a kernel without that file, from a scan of every process's parent.
 */
export async function childPids(pid: number, proc = '/proc'): Promise<number[]> {
  const listed = await readOr(join(proc, String(pid), 'task', String(pid), 'children'));
  if (listed !== null) return listed.split(/\s+/).filter(Boolean).map(Number);
  const out: number[] = [];
  for (const name of await readdir(proc)) {
    if (!/^\d+$/.test(name)) continue;
    if ((await stat(proc, Number(name)))?.ppid === pid) out.push(Number(name));
  }
  return out;
}

/** readMaster finds nginx's master through its pid file and reads its live children (zombies are gone ones). */
export async function readMaster(pidFile: string, proc = '/proc'): Promise<MasterState | NoMaster> {
  let text: string | null;
  try {
    text = await readOr(pidFile);
  } catch (err) {
    return { missing: `cannot read ${pidFile} (${errno(err) ?? (err as Error).message})` };
  }
  if (text === null) return { missing: `there is no ${pidFile}` };
  const pid = parsePid(text);
  if (pid === null) return { missing: `${pidFile} holds no pid` };
  const [master, name] = [await stat(proc, pid), await title(proc, pid)];
  if (master === null || master.state === 'Z' || name === null)
    return { missing: `no process runs with the pid ${pid} of ${pidFile}` };
  // nginx titles its master "nginx: master process ARGS"; php-fpm's says "master process" too.
  if (!name.startsWith('nginx: master process'))
    return { missing: `the pid ${pid} of ${pidFile} is not an nginx master's (its title is "${name.slice(0, 60)}")` };
  const children: MasterChild[] = [];
  for (const child of await childPids(pid, proc)) {
    const [s, t] = [await stat(proc, child), await title(proc, child)];
    if (s === null || s.state === 'Z' || s.ppid !== pid || t === null) continue;
    children.push({
      pid: child,
      start: s.start,
      accepting: t.includes('worker process') && !t.includes('shutting down'),
    });
  }
  return { pid, start: master.start, children };
}

/** ReloadProgress is where a reload stands, seen from before the signal and now. */
export type ReloadProgress = 'waiting' | 'switching' | 'taken' | 'master_gone';

const key = (p: { pid: number; start: string }) => `${p.pid}:${p.start}`;

/**
 * reloadProgress compares the master before the signal with the master now. nginx starts new
 * workers only once it has re-read its configuration and found it good (a failed re-read starts
 * none); about 100 ms later it tells the old workers to quit, and each closes its listening
 * sockets as its title becomes "worker process is shutting down". Until then an old worker may
 * still take a connection with the old configuration: so `switching` while one still accepts (one
 * still setting up at the snapshot included), `taken` once none does. A master with a new pid (a restart as the reload) started on the new
 * configuration: taken once it has a child.
 */
export function reloadProgress(before: MasterState, now: MasterState | NoMaster): ReloadProgress {
  if ('missing' in now) return 'master_gone';
  if (key(now) !== key(before)) return now.children.length > 0 ? 'taken' : 'waiting';
  const old = new Set(before.children.map(key));
  if (!now.children.some((c) => !old.has(key(c)))) return 'waiting';
  // Any child of before, not only those accepting then: a previous reload's worker may have been
  // forked but not set up yet (it bore the master's title), and accept once it is.
  return now.children.some((c) => c.accepting && old.has(key(c))) ? 'switching' : 'taken';
}

/**
 * waitForNewWorkers polls the master until it has new workers (the configuration is read and in
 * service: taken), the master is gone, or `timeoutMs` has passed (not taken: a re-read it refused
 * starts none).
 */
export async function waitForNewWorkers(
  pidFile: string,
  before: MasterState,
  timeoutMs: number,
  proc = '/proc',
): Promise<ReloadOutcome> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const progress = reloadProgress(before, await readMaster(pidFile, proc));
    if (progress === 'switching') return 'taken';
    if (progress === 'taken' || progress === 'master_gone') return progress;
    if (performance.now() >= deadline) return 'not_taken';
    await sleep(POLL_MS);
  }
}

/** Quit sends an old worker SIGQUIT, nginx's own signal for a graceful shutdown (tests give their own). */
export type Quit = (pid: number) => void;

/** quitProcess is Quit for real: process.kill. Tests with a fake /proc must never use it (its pids are made up). */
export const quitProcess: Quit = (pid) => process.kill(pid, 'SIGQUIT');

/**
 * waitForRetirement polls the master, once it has new workers, until no worker of `before` takes
 * connections any more, the master is gone, or `timeoutMs` has passed: an old worker slow to retire
 * is no failure. nginx tells its old workers to quit 100 ms after it starts the new ones, a fixed
 * grace for them to get ready; a new worker is ready once it bears its title (nginx sets it after the
 * worker's set-up, listening sockets included), so from then the old ones still accepting are told to
 * quit here (`quit`: SIGQUIT, as nginx does; only a process still the master's child, started when it
 * was, is signalled) and the reload ends in milliseconds, not a tenth of a second.
 */
export async function waitForRetirement(
  pidFile: string,
  before: MasterState,
  timeoutMs: number,
  proc: string,
  quit: Quit,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  const old = new Set(before.children.map(key));
  let told = false;
  for (;;) {
    const now = await readMaster(pidFile, proc);
    const progress = reloadProgress(before, now);
    if (progress === 'taken' || progress === 'master_gone' || performance.now() >= deadline) return;
    if (
      !told &&
      !('missing' in now) &&
      now.pid === before.pid &&
      now.children.some((c) => c.accepting && !old.has(key(c)))
    ) {
      told = true;
      for (const c of now.children) {
        if (!c.accepting || !old.has(key(c))) continue;
        try {
          quit(c.pid);
        } catch {
          // Gone meanwhile.
        }
      }
    }
    await sleep(POLL_MS);
  }
}

/** SIGHUP_BIT is SIGHUP's bit in the signal masks of /proc/PID/status (signal n is bit n - 1). */
const SIGHUP_BIT = 1n;

/**
 * masterIdle tells whether nginx's master waits for signals with no SIGHUP pending. It blocks its
 * signals everywhere but in sigsuspend: while it re-reads, forks the new workers one by one and sleeps
 * its 100 ms after. A process gone, or a /proc without status files, counts as idle.
 */
async function masterIdle(proc: string, pid: number): Promise<boolean> {
  const text = await readOr(join(proc, String(pid), 'status'));
  if (text === null) return true;
  let masks = 0n;
  for (const name of ['SigBlk', 'SigPnd', 'ShdPnd']) {
    const hex = new RegExp(`^${name}:\\s*([0-9a-f]+)$`, 'm').exec(text)?.[1];
    if (hex) masks |= BigInt(`0x${hex}`);
  }
  return (masks & SIGHUP_BIT) === 0n;
}

/**
 * settledMaster reads the master once it is idle (or `timeoutMs` has passed): a previous reload
 * gives up its turn at its first new child, while the master may still fork the others (workers,
 * cache manager), which a snapshot taken then would miss and later take for this reload's.
 */
async function settledMaster(pidFile: string, timeoutMs: number, proc: string): Promise<MasterState | NoMaster> {
  const first = await readMaster(pidFile, proc);
  if ('missing' in first || (await masterIdle(proc, first.pid))) return first;
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline && !(await masterIdle(proc, first.pid))) await sleep(1);
  return readMaster(pidFile, proc);
}

/**
 * confirmReload runs a reload (`signal`, given the master as found: a SIGHUP to it, `nginx -s reload`, or the
 * operator's command) and watches nginx's master take it: its children are noted before the signal (once
 * the master is idle, every child of the reloads before it forked), and
 * the reload is taken once a new one is there; its `retired` settles once no old worker accepts any
 * more. When the pid file names no master, the signal is still sent and the outcome is `unconfirmed`,
 * with the reason.
 */
export async function confirmReload(
  pidFile: string,
  signal: (before: MasterState | NoMaster) => Promise<unknown>,
  timeoutMs: number,
  proc: string,
  quit: Quit,
): Promise<ConfirmedReload> {
  const before = await settledMaster(pidFile, timeoutMs, proc);
  await signal(before);
  if ('missing' in before) return { outcome: 'unconfirmed', why: before.missing };
  const outcome = await waitForNewWorkers(pidFile, before, timeoutMs, proc);
  if (outcome !== 'taken') return { outcome, master: before.pid };
  return { outcome, master: before.pid, retired: waitForRetirement(pidFile, before, timeoutMs, proc, quit) };
}

/**
 * pidFileOf is where nginx writes its master's pid, from the `pid` of `-g` in its arguments, or
 * `nginx -T` (the main context's `pid` directive), or else from `nginx -V` (`--pid-path`, compiled in); a relative path is under the
 * prefix (`-p` of the arguments, or `--prefix`). It is what `nginx -s reload` itself reads.
 */
export function pidFileOf(dump: string, version: string, args: readonly string[]): string {
  // -g's directives are the main context's too, but nginx -T shows only the files.
  const globals = optionOf(args, 'g');
  const given = globals === null ? null : /(?:^|;)\s*pid\s+(?:"([^"]+)"|'([^']+)'|([^\s;]+))\s*;/.exec(globals);
  const configured = (given && (given[1] ?? given[2] ?? given[3])) ?? pidDirective(dump);
  const built = /--pid-path=(\S+)/.exec(version)?.[1];
  const path = configured ?? built ?? 'logs/nginx.pid';
  if (isAbsolute(path)) return path;
  return join(optionOf(args, 'p') ?? /--prefix=(\S+)/.exec(version)?.[1] ?? '/usr/local/nginx/', path);
}

/** optionOf is the value of nginx's option `-X VALUE` (or `-XVALUE`) in its arguments, or null. */
function optionOf(args: readonly string[], letter: 'p' | 'g'): string | null {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === `-${letter}`) return args[i + 1] ?? null;
    if (arg.startsWith(`-${letter}`)) return arg.slice(2);
    // The value of -c, -e, -g, -p or -s is never an option.
    if (/^-[cegps]$/.test(arg)) i++;
  }
  return null;
}

/**
 * pidDirective finds `pid PATH;` at the top level of a file of an `nginx -T` dump (the main
 * context, the only one where nginx allows it); null when the configuration sets none.
 */
export function pidDirective(dump: string): string | null {
  let depth = 0;
  for (const raw of dump.split('\n')) {
    if (raw.startsWith('# configuration file ')) {
      depth = 0;
      continue;
    }
    const line = raw.replace(/#.*/, '').trim();
    const m = /^pid\s+(?:"([^"]+)"|'([^']+)'|([^\s;]+))\s*;/.exec(line);
    if (depth === 0 && m) return m[1] ?? m[2] ?? m[3] ?? null;
    for (const ch of line.replace(/"[^"]*"|'[^']*'/g, '')) {
      if (ch === '{') depth++;
      else if (ch === '}') depth = Math.max(0, depth - 1);
    }
  }
  return null;
}
