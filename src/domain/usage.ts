import { type MonthTraffic, monthOf } from './traffic.js';

/** MIB is the unit of every `_mb` figure: plans count disk and bandwidth in MiB. */
export const MIB = 1024 * 1024;

/**
 * bytesToMb turns bytes into MiB with two decimals, rounded up: a used figure is never
 * understated, any use at all shows as at least 0.01, and a figure above the limit means the
 * account really is above it.
 */
export function bytesToMb(bytes: number): number {
  // MIB is a power of two, so the division is exact for every byte count below 2^53 / 100.
  return Math.ceil((bytes * 100) / MIB) / 100;
}

/** UsageLimits are the plan's limits the usage figures stand next to; null is unlimited. */
export interface UsageLimits {
  diskMb: number | null;
  bandwidthMb: number | null;
  maxDatabases: number | null;
}

/** NO_LIMITS are the limits of an account without a plan. */
export const NO_LIMITS: UsageLimits = { diskMb: null, bandwidthMb: null, maxDatabases: null };

/** DiskReading is the last measurement of an account's disk use, in bytes allocated. */
export interface DiskReading {
  bytes: number;
  measuredAt: string;
}

/** UsageInput is what one account's usage figures are made of. */
export interface UsageInput {
  user: string;
  limits: UsageLimits;
  databases: number;
  /** disk is null until the account's disk use has been measured once. */
  disk: DiskReading | null;
  /** months are the account's traffic totals; only the month of `now` is used. */
  months: readonly Pick<MonthTraffic, 'month' | 'bytesSent'>[];
  /** trafficReadAt is when the account's traffic log was last read (ISO), null when never. */
  trafficReadAt: string | null;
  now: Date;
}

/** UsageFigures are one account's usage next to its limits, as the API's usage entry shows them. */
export interface UsageFigures {
  user: string;
  diskUsedMb: number | null;
  diskLimitMb: number | null;
  bandwidthUsedMb: number | null;
  bandwidthLimitMb: number | null;
  databases: number;
  maxDatabases: number | null;
  asOf: string | null;
}

/**
 * usageFigures computes an account's usage entry. Bandwidth is what nginx sent the account's
 * visitors in the calendar month (UTC) of `now`. A figure never measured is null, not 0; `asOf`
 * is the older of the two measurement times, so every figure is at least that fresh.
 */
export function usageFigures(input: UsageInput): UsageFigures {
  const month = monthOf(input.now.getTime());
  const sent = input.months.filter((m) => m.month === month).reduce((sum, m) => sum + m.bytesSent, 0);
  const times = [input.disk?.measuredAt, input.trafficReadAt].filter((t): t is string => typeof t === 'string');
  const asOf = times.length === 0 ? null : times.reduce((a, b) => (Date.parse(a) <= Date.parse(b) ? a : b));
  return {
    user: input.user,
    diskUsedMb: input.disk === null ? null : bytesToMb(input.disk.bytes),
    diskLimitMb: input.limits.diskMb,
    bandwidthUsedMb: input.trafficReadAt === null ? null : bytesToMb(sent),
    bandwidthLimitMb: input.limits.bandwidthMb,
    databases: input.databases,
    maxDatabases: input.limits.maxDatabases,
    asOf,
  };
}

/**
 * nextDiskReading is the disk figure to keep after a measurement. A walk stopped by its deadline
 * only gives a lower bound: it replaces the previous figure when there is none or when it is
 * already larger, and otherwise the previous figure stays, with its own time.
 */
export function nextDiskReading(
  previous: DiskReading | null,
  measured: { bytes: number; complete: boolean; measuredAt: string },
): DiskReading {
  const fresh = { bytes: measured.bytes, measuredAt: measured.measuredAt };
  if (measured.complete || previous === null || measured.bytes > previous.bytes) return fresh;
  return previous;
}
