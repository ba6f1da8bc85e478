import { type RotationPolicy, type TrafficEvent, type TrafficLogState, decideRotation } from '../domain/traffic.js';
import type { TrafficLogs } from '../host/ports.js';
import type { Store } from '../store/store.js';
import { listAllAccounts } from './list-accounts.js';
import type { AppContext } from './ports.js';

/**
 * TrafficStore is what metering needs of the store: `record` keeps the totals and the state that
 * goes with them in one transaction, since totals without their state would count twice.
 */
export type TrafficStore = Pick<Store['traffic'], 'state' | 'record' | 'saveState'>;

/** MeterTrafficDeps are the ports, the rotation policy and the clock. */
export interface MeterTrafficDeps {
  logs: TrafficLogs;
  store: TrafficStore;
  /** policy says when a log is rotated; null never rotates (no web server the panel can tell to reopen). */
  policy: RotationPolicy | null;
  now: () => Date;
}

/** MeterTrafficReport says what one metering pass did, for the scheduler's log line. */
export interface MeterTrafficReport {
  accounts: number;
  bytesRead: number;
  rotated: string[];
  events: { user: string; event: TrafficEvent }[];
  /** failed lists accounts whose log could not be read; the others were metered regardless. */
  failed: { user: string; error: string }[];
  rotationError: string | null;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * meterTraffic is one pass of the traffic scheduler: it reads each account's log from where the
 * last pass stopped and adds what it found to the monthly totals, then rotates the logs the policy
 * says are due, all with one nginx reopen. A pass interrupted anywhere (a crash, a failed reopen)
 * loses and doubles nothing: the next pass finds the files where the stored state says, or adopts
 * the renamed one.
 */
export async function meterTraffic(deps: MeterTrafficDeps, users: readonly string[]): Promise<MeterTrafficReport> {
  const report: MeterTrafficReport = {
    accounts: 0,
    bytesRead: 0,
    rotated: [],
    events: [],
    failed: [],
    rotationError: null,
  };
  const due: { user: string; state: TrafficLogState }[] = [];
  for (const user of users) {
    const now = deps.now();
    try {
      const r = await deps.logs.read(user, await deps.store.state(user), now);
      await deps.store.record(user, r.months, r.state, now.toISOString());
      report.accounts += 1;
      report.bytesRead += r.bytesRead;
      for (const event of r.events) report.events.push({ user, event });
      if (deps.policy === null) continue;
      const decision = decideRotation(
        {
          size: r.currentSize,
          since: r.state.current?.since ?? null,
          lastRotatedAt: r.state.rotated?.rotatedAt ?? null,
          now,
        },
        deps.policy,
      );
      if (decision.rotate && r.drained) due.push({ user, state: r.state });
    } catch (err) {
      report.failed.push({ user, error: message(err) });
    }
  }
  if (due.length === 0) return report;
  try {
    const states = await deps.logs.rotate(due, deps.now());
    for (const [i, { user }] of due.entries()) {
      const state = states[i];
      if (!state) continue;
      await deps.store.saveState(user, state);
      report.rotated.push(user);
    }
  } catch (err) {
    report.rotationError = message(err);
  }
  return report;
}

/**
 * meterAccountsTraffic is the metering pass of `vanta serve`: every account's log, read from where
 * the last pass stopped, into its monthly totals; due logs rotated with one reopen of the web server.
 */
export async function meterAccountsTraffic(
  ctx: AppContext,
  policy: RotationPolicy | null,
): Promise<MeterTrafficReport> {
  const users = (await listAllAccounts(ctx)).map((a) => a.user);
  return meterTraffic({ logs: ctx.host.trafficLogs, store: ctx.store.traffic, policy, now: ctx.now }, users);
}
