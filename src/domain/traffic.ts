/** TrafficLine is one request as the panel's nginx traffic log records it. */
export interface TrafficLine {
  /** atMs is when nginx logged the request (`$msec`), in milliseconds since the epoch. */
  atMs: number;
  /** bytesSent is `$bytes_sent`: everything sent to the client, headers included. */
  bytesSent: number;
  /** requestBytes is `$request_length`: the request line, headers and body received. */
  requestBytes: number;
}

const DOT = 0x2e;
const SPACE = 0x20;
const ZERO = 0x30;
const NINE = 0x39;

/**
 * readNumber reads the run of 1 to `max` digits at `at` (before `end`) that `stop` ends (or the end
 * of the line, when `stop` is null); null when there is none. 15 digits keep a count below 2^53.
 */
function readNumber(
  bytes: Uint8Array,
  at: number,
  end: number,
  max: number,
  stop: number | null,
): { value: number; next: number } | null {
  let value = 0;
  let i = at;
  for (; i < end; i++) {
    const c = bytes[i] ?? 0;
    if (c < ZERO || c > NINE) break;
    value = value * 10 + (c - ZERO);
  }
  const digits = i - at;
  if (digits < 1 || digits > max) return null;
  if (stop === null) return i === end ? { value, next: i } : null;
  return i < end && bytes[i] === stop ? { value, next: i + 1 } : null;
}

/**
 * parseTrafficBytes reads one log line, the bytes from `start` to `end` (its newline excluded),
 * without making a string of it: `$msec` with exactly three decimals, `$bytes_sent` and
 * `$request_length` of at most 15 digits, one space between them. Null when it is not one of ours.
 */
export function parseTrafficBytes(bytes: Uint8Array, start: number, end: number): TrafficLine | null {
  const seconds = readNumber(bytes, start, end, 12, DOT);
  if (!seconds) return null;
  const millis = readNumber(bytes, seconds.next, end, 3, SPACE);
  if (!millis || millis.next - seconds.next !== 4) return null;
  const sent = readNumber(bytes, millis.next, end, 15, SPACE);
  if (!sent) return null;
  const received = readNumber(bytes, sent.next, end, 15, null);
  if (!received) return null;
  return { atMs: seconds.value * 1000 + millis.value, bytesSent: sent.value, requestBytes: received.value };
}

/** parseTrafficLine reads one log line (without its newline); null when it is not one of ours. */
export function parseTrafficLine(line: string): TrafficLine | null {
  // A character beyond one byte is never part of a line of ours: it becomes a byte no rule accepts.
  const bytes = Uint8Array.from(line, (c) => {
    const code = c.charCodeAt(0);
    return code > 0xff ? 0 : code;
  });
  return parseTrafficBytes(bytes, 0, bytes.length);
}

/** monthOf names the calendar month (UTC) a time falls in, as `YYYY-MM`. */
export function monthOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7);
}

/** MonthTraffic is one account's traffic in one calendar month (UTC). */
export interface MonthTraffic {
  month: string;
  bytesSent: number;
  requestBytes: number;
  requests: number;
}

/** TrafficTally adds requests up per calendar month. */
export class TrafficTally {
  private readonly months = new Map<string, MonthTraffic>();
  // The month of the last line and its bounds: lines come in time order, so naming the month of
  // each (a date formatted) is done once a month instead of once a line.
  private last: MonthTraffic | null = null;
  private from = 0;
  private until = -1;

  add(line: TrafficLine): void {
    let t = this.last;
    if (t === null || line.atMs < this.from || line.atMs >= this.until) {
      const month = monthOf(line.atMs);
      t = this.months.get(month) ?? { month, bytesSent: 0, requestBytes: 0, requests: 0 };
      this.months.set(month, t);
      const d = new Date(line.atMs);
      this.from = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
      this.until = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
      this.last = t;
    }
    t.bytesSent += line.bytesSent;
    t.requestBytes += line.requestBytes;
    t.requests += 1;
  }

  /**
   * totals lists the months seen, oldest first. Month names hold only digits, `-` and `+`, which
   * compare the same by code unit as by any locale's collation; localeCompare would map ICU's
   * collation data (about 2.5 MiB resident) into the process at the first metering pass.
   */
  totals(): MonthTraffic[] {
    return [...this.months.values()].sort((a, b) => (a.month < b.month ? -1 : a.month > b.month ? 1 : 0));
  }
}

/**
 * TrafficCursor is how far the panel has read one log file. The file is known by its device,
 * inode and birth time in nanoseconds (decimal strings: inode numbers may pass 2^53; the birth
 * time tells a new file from a deleted one whose inode it reuses, and is "0" where the filesystem
 * has none). `offset` is the first byte not yet counted (always the start of a line), `since`
 * when the panel first saw this file (ISO UTC).
 */
export interface TrafficCursor {
  dev: string;
  ino: string;
  born: string;
  offset: number;
  since: string;
}

/** RotatedCursor is the cursor of a log renamed away by a rotation, still drained until the next one. */
export interface RotatedCursor extends TrafficCursor {
  rotatedAt: string;
}

/** TrafficLogState is what the store keeps per account between reads of its traffic log. */
export interface TrafficLogState {
  current: TrafficCursor | null;
  rotated: RotatedCursor | null;
}

/** EMPTY_TRAFFIC_STATE is the state of an account whose log the panel has never read. */
export const EMPTY_TRAFFIC_STATE: TrafficLogState = { current: null, rotated: null };

/** TrafficEvent is something odd a read met, for the scheduler's log; reading went on regardless. */
export type TrafficEvent =
  | 'adopted_rotated'
  | 'rotated_gone'
  | 'log_gone'
  | 'truncated'
  | 'replaced'
  | 'not_a_regular_file'
  | 'long_line_skipped';

/** TrafficRead is the outcome of one read: the traffic found, and the state to keep with it. */
export interface TrafficRead {
  /** state must be stored in the same transaction as `months`, or a crash counts bytes twice. */
  state: TrafficLogState;
  months: MonthTraffic[];
  /** bytesRead counts the bytes read from disk by this call, both files together. */
  bytesRead: number;
  lines: number;
  malformed: number;
  /** currentSize is the size of the current log as last seen, null when there is none. */
  currentSize: number | null;
  /** drained tells whether both files were read to their end (not stopped by maxBytes). */
  drained: boolean;
  events: TrafficEvent[];
}

/** RotationPolicy says when an account's traffic log is rotated. */
export interface RotationPolicy {
  /** maxBytes rotates a log that has grown to this size. */
  maxBytes: number;
  /** maxAgeMs rotates a non-empty log the panel has been reading for this long. */
  maxAgeMs: number;
  /**
   * minIntervalMs is the least time between two rotations of a log: the file rotated away is
   * deleted at the next rotation, and every nginx worker must have reopened the log by then.
   */
  minIntervalMs: number;
}

/** DEFAULT_ROTATION rotates daily or at 16 MiB, never twice within ten minutes. */
export const DEFAULT_ROTATION: RotationPolicy = {
  maxBytes: 16 * 1024 * 1024,
  maxAgeMs: 86_400_000,
  minIntervalMs: 600_000,
};

/** RotationFacts are what the rotation decision looks at, taken right after a read. */
export interface RotationFacts {
  /** size is the current log's size, or null when there is no current log. */
  size: number | null;
  /** since is when the panel first saw the current log (ISO), null when it has not yet. */
  since: string | null;
  /** lastRotatedAt is when the log was last rotated (ISO), null when never or long forgotten. */
  lastRotatedAt: string | null;
  now: Date;
}

/** RotationDecision says whether to rotate and why, for the log line of the scheduler. */
export type RotationDecision =
  | { rotate: true; reason: 'size' | 'age' }
  | { rotate: false; reason: 'no_log' | 'empty' | 'too_soon' | 'small_and_young' };

/** decideRotation applies a rotation policy to one log. */
export function decideRotation(facts: RotationFacts, policy: RotationPolicy): RotationDecision {
  if (facts.size === null || facts.since === null) return { rotate: false, reason: 'no_log' };
  if (facts.size === 0) return { rotate: false, reason: 'empty' };
  const now = facts.now.getTime();
  if (facts.lastRotatedAt !== null && now - Date.parse(facts.lastRotatedAt) < policy.minIntervalMs) {
    return { rotate: false, reason: 'too_soon' };
  }
  if (facts.size >= policy.maxBytes) return { rotate: true, reason: 'size' };
  if (now - Date.parse(facts.since) >= policy.maxAgeMs) return { rotate: true, reason: 'age' };
  return { rotate: false, reason: 'small_and_young' };
}
