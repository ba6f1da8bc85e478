import { type DiskWalk, walkDiskUsage } from './home-disk-usage.js';

/**
 * QuotaUsage is the port for the quota system's own figures, used instead of walking the homes
 * when the homes' filesystem has user quotas on (src/host/quota's detectQuota tells). A driver
 * would run `repquota` once for all users (or `quota` for one) and multiply its 1 KiB blocks by 1024.
 */
export interface QuotaUsage {
  /** usedBytes gives the bytes each user has in use as the quota counts them; users it does not list are left out. */
  usedBytes(users: readonly string[]): Promise<Map<string, number>>;
}

/** DiskMeasurement is one account's disk use as measured now, and how. */
export interface DiskMeasurement {
  user: string;
  bytes: number;
  /** source is `quota` (every file the user owns on that filesystem) or `walk` (everything under the home). */
  source: 'quota' | 'walk';
  /** complete is false for a walk its deadline stopped: `bytes` is then a lower bound. */
  complete: boolean;
  measuredAt: string;
}

/** DiskMeasurements are the accounts measured and those that could not be. */
export interface DiskMeasurements {
  measured: DiskMeasurement[];
  failed: { user: string; error: string }[];
}

/** DiskUsageMeterOptions choose the source and bound each walk. */
export interface DiskUsageMeterOptions {
  quota: QuotaUsage | null;
  /** walkMs is how long one home's walk may take before it stops with what it has. */
  walkMs: number;
  now?: () => number;
  entriesPerTick?: number;
}

/** DiskUsageMeter measures the disk use of accounts, from the quota system when on, by walking the homes otherwise. */
export class DiskUsageMeter {
  constructor(private readonly opts: DiskUsageMeterOptions) {}

  /**
   * measure measures each account in turn (one at a time: it runs in the background, never for a
   * request); an account whose home cannot be walked (gone, not a directory) is listed in `failed`.
   */
  async measure(accounts: readonly { user: string; home: string }[]): Promise<DiskMeasurements> {
    const now = this.opts.now ?? Date.now;
    const quota = this.opts.quota ? await this.opts.quota.usedBytes(accounts.map((a) => a.user)) : new Map();
    const out: DiskMeasurements = { measured: [], failed: [] };
    for (const { user, home } of accounts) {
      const fromQuota = quota.get(user);
      if (fromQuota !== undefined) {
        out.measured.push({ user, bytes: fromQuota, source: 'quota', complete: true, measuredAt: iso(now()) });
        continue;
      }
      let walk: DiskWalk;
      try {
        walk = await walkDiskUsage(home, {
          deadline: now() + this.opts.walkMs,
          now,
          entriesPerTick: this.opts.entriesPerTick,
        });
      } catch (err) {
        out.failed.push({ user, error: err instanceof Error ? err.message : String(err) });
        continue;
      }
      out.measured.push({ user, bytes: walk.bytes, source: 'walk', complete: walk.complete, measuredAt: iso(now()) });
    }
    return out;
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
