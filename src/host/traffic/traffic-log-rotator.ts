import { constants } from 'node:fs';
import { chmod, mkdir, open, rename, rm, unlink } from 'node:fs/promises';
import type { TrafficLogState } from '../../domain/traffic.js';
import { runCommand } from '../exec.js';
import { type FileIdentity, identityOf, identityOfStats, rotatedPath, sameFile } from './traffic-log-reader.js';

/** TrafficLog is one account's log and the state the panel keeps of it. */
export interface TrafficLog {
  path: string;
  state: TrafficLogState;
}

/** RotateOptions are the clock and the way to make nginx reopen its logs. */
export interface RotateOptions {
  now: Date;
  /** reopen makes nginx reopen every log it writes (`nginx -s reopen`, SIGUSR1 to the master). */
  reopen: () => Promise<void>;
}

// Regular files only, never through a symlink; 0600: an account must not read another's traffic.
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * rotateTrafficLogs rotates several accounts' logs with a single nginx reopen: each log rotated
 * away at the previous rotation is deleted (the caller has read it to its end just before), each
 * current log is renamed to `<log>.1`, an empty log takes its place, then nginx reopens. Lines
 * written to the old file until every worker has reopened are read from `<log>.1` by the next
 * reads. When the reopen fails, the renames are undone and the error thrown. Returns the new
 * states, in the order given; a log that is missing (or not a regular file) is not renamed.
 */
export async function rotateTrafficLogs(logs: readonly TrafficLog[], opts: RotateOptions): Promise<TrafficLogState[]> {
  const since = opts.now.toISOString();
  const states = logs.map((l) => l.state);
  const renamed: number[] = [];
  try {
    for (const [i, log] of logs.entries()) {
      const old = rotatedPath(log.path);
      // Whatever is at `.1` was read to its end or is no file of the panel's state.
      await rm(old, { force: true });
      const st = await identityOf(log.path);
      if (st === null) {
        states[i] = { ...log.state, rotated: null };
        continue;
      }
      await rename(log.path, old);
      renamed.push(i);
      const cur = log.state.current;
      const cursor = cur && sameFile(cur, st) ? cur : { ...st, offset: 0, since: cur?.since ?? since };
      const fresh = await createEmpty(log.path);
      states[i] = { current: { ...fresh, offset: 0, since }, rotated: { ...cursor, rotatedAt: since } };
    }
    if (renamed.length > 0) await opts.reopen();
    return states;
  } catch (err) {
    for (const i of renamed.reverse()) {
      const log = logs[i];
      if (!log) continue;
      await rm(log.path, { force: true });
      await rename(rotatedPath(log.path), log.path);
    }
    throw err;
  }
}

async function createEmpty(path: string): Promise<FileIdentity> {
  const fh = await open(path, CREATE_FLAGS, 0o600);
  try {
    return identityOfStats(await fh.stat({ bigint: true }));
  } finally {
    await fh.close();
  }
}

/**
 * prepareTrafficDir makes the panel's traffic directory: owned by the panel, mode 0711 because
 * nginx's workers (www-data) reopen the logs by name after a rotation and need to pass through
 * it; with 0700 they fail and go on writing to the file rotated away.
 */
export async function prepareTrafficDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o711 });
  await chmod(dir, 0o711);
}

/** prepareTrafficLog creates an account's empty log (0600) before nginx first opens it; a no-op when it exists. */
export async function prepareTrafficLog(path: string): Promise<void> {
  try {
    await createEmpty(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

/** removeTrafficLog deletes an account's log and the log rotated away, once its server block is gone. */
export async function removeTrafficLog(path: string): Promise<void> {
  for (const p of [path, rotatedPath(path)]) {
    await unlink(p).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }
}

/** NginxReopenOptions say how to reach nginx, as the web server driver does. */
export interface NginxReopenOptions {
  bin: string;
  args: readonly string[];
  /** command replaces `nginx ARGS -s reopen` when set (e.g. a service manager's way to send SIGUSR1 to nginx's master). */
  command: readonly string[] | null;
  timeoutMs: number;
}

/** nginxReopenArgv is the command that makes nginx reopen its log files. */
export function nginxReopenArgv(opts: NginxReopenOptions): string[] {
  return opts.command ? [...opts.command] : [opts.bin, ...opts.args, '-s', 'reopen'];
}

/** nginxReopen returns the `reopen` of RotateOptions for an nginx reached as `opts` say. */
export function nginxReopen(opts: NginxReopenOptions): () => Promise<void> {
  return async () => {
    const [file, ...args] = nginxReopenArgv(opts);
    await runCommand(file ?? opts.bin, args, { timeoutMs: opts.timeoutMs });
  };
}
