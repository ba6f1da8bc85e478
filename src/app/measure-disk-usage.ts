import { nextDiskReading } from '../domain/usage.js';
import type { AppContext } from './ports.js';

/** DiskMeasurement is one account's disk use as a meter found it (DiskUsageMeter in src/host/disk). */
export interface DiskMeasurement {
  user: string;
  bytes: number;
  /** complete is false for a walk its deadline stopped: `bytes` is then a lower bound. */
  complete: boolean;
  measuredAt: string;
}

/** DiskMeter is the port that measures the disk use of accounts' homes, one at a time, in the background. */
export interface DiskMeter {
  measure(accounts: readonly { user: string; home: string }[]): Promise<{
    measured: DiskMeasurement[];
    failed: { user: string; error: string }[];
  }>;
}

/** DiskUsagePass says what one pass measured, for the scheduler's log line. */
export interface DiskUsagePass {
  measured: number;
  failed: { user: string; error: string }[];
}

const PAGE = 500;

/**
 * measureDiskUsage measures the homes of the accounts named (every settled account when none are)
 * and keeps each figure in the store, where the dashboards read it: never on a request's path. A
 * walk cut short by its deadline replaces the kept figure only when it is larger.
 */
export async function measureDiskUsage(
  ctx: AppContext,
  meter: DiskMeter,
  users?: readonly string[],
): Promise<DiskUsagePass> {
  const out: DiskUsagePass = { measured: 0, failed: [] };
  const measure = async (names: readonly string[]) => {
    const found = await meter.measure(names.map((user) => ({ user, home: ctx.host.homeOf(user) })));
    out.failed.push(...found.failed);
    for (const m of found.measured) {
      const previous = (await ctx.store.diskUsage.get(m.user)) ?? null;
      await ctx.store.diskUsage.set(m.user, nextDiskReading(previous, m));
      out.measured++;
    }
  };
  if (users !== undefined) {
    await measure(users);
    return out;
  }
  for (const status of ['active', 'suspended'] as const) {
    let after: string | undefined;
    for (;;) {
      const page = await ctx.store.accounts.list({ status, after, limit: PAGE });
      // One account at a time: a pass runs beside the requests and must not hog the disk.
      for (const account of page.accounts) await measure([account.user]);
      const last = page.accounts.at(-1);
      if (!page.more || last === undefined) break;
      after = last.user;
    }
  }
  return out;
}

/** NEW_ACCOUNTS_PER_PASS bounds how many never-measured accounts one quick pass measures. */
const NEW_ACCOUNTS_PER_PASS = 50;

/**
 * measureNewAccounts measures the accounts never measured yet, such as one just created by any
 * door (the API, vWHM, the CLI): run often, it shows a new account's figure within a minute.
 */
export async function measureNewAccounts(ctx: AppContext, meter: DiskMeter): Promise<DiskUsagePass> {
  const users = await ctx.store.diskUsage.unmeasured(NEW_ACCOUNTS_PER_PASS);
  if (users.length === 0) return { measured: 0, failed: [] };
  return measureDiskUsage(ctx, meter, users);
}
