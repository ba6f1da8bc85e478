import { type BigIntStats, constants } from 'node:fs';
import { type FileHandle, lstat, open } from 'node:fs/promises';
import {
  type RotatedCursor,
  type TrafficCursor,
  type TrafficLogState,
  type TrafficRead,
  TrafficTally,
  parseTrafficBytes,
} from '../../domain/traffic.js';

/** ROTATED_SUFFIX names the file a rotation renames an account's log to: `alice.log` → `alice.log.1`. */
export const ROTATED_SUFFIX = '.1';

/** rotatedPath is where the log rotated away of the log at `path` lives until the next rotation. */
export function rotatedPath(path: string): string {
  return `${path}${ROTATED_SUFFIX}`;
}

/** TrafficReadOptions tune one read of an account's traffic log. */
export interface TrafficReadOptions {
  now: Date;
  /** maxBytes bounds what one call reads from each file; the rest waits for the next call. */
  maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;
const CHUNK = 64 * 1024;
/** MAX_LINE is far beyond a real line (about 40 bytes); a longer run without a newline is skipped. */
const MAX_LINE = 4096;
const NEWLINE = 0x0a;
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** FileIdentity names a file, whatever its name: device, inode and birth time, in decimal. */
export interface FileIdentity {
  dev: string;
  ino: string;
  born: string;
}

/** identityOfStats takes a file's identity from its (bigint) stats. */
export function identityOfStats(st: BigIntStats): FileIdentity {
  return { dev: String(st.dev), ino: String(st.ino), born: String(st.birthtimeNs) };
}

/** sameFile tells whether two identities name the same file. */
export const sameFile = (a: FileIdentity | null, b: FileIdentity | null) =>
  a !== null && b !== null && a.dev === b.dev && a.ino === b.ino && a.born === b.born;

/** identityOf names the regular file at `path` without following a symlink; null for anything else. */
export async function identityOf(path: string): Promise<FileIdentity | null> {
  try {
    const st = await lstat(path, { bigint: true });
    return st.isFile() ? identityOfStats(st) : null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * readTrafficLog reads what nginx appended to an account's log (and to the log rotated away, if
 * one is pending) since the cursor, never a byte before it. Only whole lines are counted: a last
 * line still being written is left for the next call. Symlinks and other non-regular files are
 * never opened. Totals are grouped by calendar month (UTC) of each request's time.
 */
export async function readTrafficLog(
  path: string,
  state: TrafficLogState,
  opts: TrafficReadOptions,
): Promise<TrafficRead> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const since = opts.now.toISOString();
  const tally = new TrafficTally();
  const out: Omit<TrafficRead, 'state' | 'months'> = {
    bytesRead: 0,
    lines: 0,
    malformed: 0,
    currentSize: null,
    drained: true,
    events: [],
  };
  let { current, rotated } = state;
  const old = rotatedPath(path);

  // A rotation renamed the log but the panel stopped before storing it: the cursor follows the file.
  if (current && !sameFile(await identityOf(path), current) && !sameFile(rotated, current)) {
    if (sameFile(await identityOf(old), current)) {
      rotated = { ...current, rotatedAt: since };
      current = null;
      out.events.push('adopted_rotated');
    }
  }

  if (rotated) {
    const r = await readFile(old, rotated, maxBytes, tally, out);
    if (r === null) {
      out.events.push('rotated_gone');
      rotated = null;
    } else {
      rotated = { ...rotated, offset: r.offset } satisfies RotatedCursor;
    }
  }

  const r = await readFile(path, current, maxBytes, tally, out, since);
  if (r === null) {
    if (current) out.events.push('log_gone');
    current = null;
  } else {
    current = { dev: r.dev, ino: r.ino, born: r.born, offset: r.offset, since: r.since };
    out.currentSize = r.size;
  }
  return { state: { current, rotated }, months: tally.totals(), ...out };
}

interface FileRead extends TrafficCursor {
  size: number;
}

/**
 * readFile reads one file from the cursor when the cursor names it (from 0 when it does not, and
 * `newSince` is given); null when the file is missing, not a regular file, or (for a rotated log,
 * where `newSince` is absent) no longer the file of the cursor.
 */
async function readFile(
  path: string,
  cursor: TrafficCursor | null,
  maxBytes: number,
  tally: TrafficTally,
  out: Omit<TrafficRead, 'state' | 'months'>,
  newSince?: string,
): Promise<FileRead | null> {
  let fh: FileHandle;
  try {
    fh = await open(path, OPEN_FLAGS);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ELOOP') {
      out.events.push('not_a_regular_file');
      return null;
    }
    throw err;
  }
  try {
    const st = await fh.stat({ bigint: true });
    if (!st.isFile()) {
      out.events.push('not_a_regular_file');
      return null;
    }
    const id = identityOfStats(st);
    const size = Number(st.size);
    let offset = 0;
    let since = newSince ?? '';
    if (cursor && sameFile(cursor, id)) {
      since = cursor.since;
      offset = cursor.offset;
      if (size < offset) {
        out.events.push('truncated');
        offset = 0;
      }
    } else if (newSince === undefined) {
      return null;
    } else if (cursor) {
      out.events.push('replaced');
    }
    offset = await readLines(fh, offset, maxBytes, tally, out);
    return { ...id, offset, since, size: Math.max(size, offset) };
  } finally {
    await fh.close();
  }
}

/** readLines counts the whole lines from `start` on and returns the offset after the last one. */
async function readLines(
  fh: FileHandle,
  start: number,
  maxBytes: number,
  tally: TrafficTally,
  out: Omit<TrafficRead, 'state' | 'months'>,
): Promise<number> {
  const buf = Buffer.allocUnsafe(CHUNK);
  let consumed = start;
  let pending = Buffer.alloc(0);
  let position = start;
  while (position - start < maxBytes) {
    const want = Math.min(CHUNK, maxBytes - (position - start));
    const { bytesRead } = await fh.read(buf, 0, want, position);
    if (bytesRead === 0) return consumed;
    position += bytesRead;
    out.bytesRead += bytesRead;
    let data = pending.length > 0 ? Buffer.concat([pending, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
    let from = 0;
    for (let nl = data.indexOf(NEWLINE, from); nl !== -1; nl = data.indexOf(NEWLINE, from)) {
      const line = parseTrafficBytes(data, from, nl);
      if (line) {
        tally.add(line);
        out.lines += 1;
      } else {
        out.malformed += 1;
      }
      consumed += nl + 1 - from;
      from = nl + 1;
    }
    data = data.subarray(from);
    if (data.length > MAX_LINE) {
      // No log line is this long: skip the run; what follows up to the next newline is malformed.
      out.events.push('long_line_skipped');
      out.malformed += 1;
      consumed += data.length;
      data = Buffer.alloc(0);
    }
    pending = Buffer.from(data);
  }
  out.drained = false;
  return consumed;
}
