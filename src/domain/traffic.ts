/** TrafficLine is one request as the panel's nginx traffic log records it. */
export interface TrafficLine {
  /** atMs is when nginx logged the request (`$msec`), in milliseconds since the epoch. */
  atMs: number;
  /** bytesSent is `$bytes_sent`: everything sent to the client, headers included. */
  bytesSent: number;
  /** requestBytes is `$request_length`: the request line, headers and body received. */
  requestBytes: number;
}

// `$msec` always has three decimals; 15 digits keep a byte count below 2^53.
const LINE_RE = /^(\d{1,12})\.(\d{3}) (\d{1,15}) (\d{1,15})$/;

/** parseTrafficLine reads one log line (without its newline); null when it is not one of ours. */
export function parseTrafficLine(line: string): TrafficLine | null {
  const m = LINE_RE.exec(line);
  if (!m) return null;
  return {
    atMs: Number(m[1]) * 1000 + Number(m[2]),
    bytesSent: Number(m[3]),
    requestBytes: Number(m[4]),
  };
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

  add(line: TrafficLine): void {
    const month = monthOf(line.atMs);
    const t = this.months.get(month) ?? { month, bytesSent: 0, requestBytes: 0, requests: 0 };
    t.bytesSent += line.bytesSent;
    t.requestBytes += line.requestBytes;
    t.requests += 1;
    this.months.set(month, t);
  }

  /** totals lists the months seen, oldest first. */
  totals(): MonthTraffic[] {
    return [...this.months.values()].sort((a, b) => a.month.localeCompare(b.month));
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
