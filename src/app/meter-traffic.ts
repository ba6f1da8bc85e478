import {
  type MonthTraffic,
  type RotationPolicy,
  type TrafficEvent,
  type TrafficLogState,
  type TrafficRead,
  decideRotation,
} from '../domain/traffic.js';

/** TrafficLogs is the port of the accounts' traffic logs (NginxTrafficLogs in host mode). */
export interface TrafficLogs {
  read(user: string, state: TrafficLogState, now: Date): Promise<TrafficRead>;
  /** rotate rotates these logs together (one nginx reopen); each must have just been read to its end. */
  rotate(logs: readonly { user: string; state: TrafficLogState }[], now: Date): Promise<TrafficLogState[]>;
}

/** TrafficStore is what metering needs of the store. */
export interface TrafficStore {
  /** trafficState is the account's stored state, EMPTY_TRAFFIC_STATE when there is none. */
  trafficState(user: string): Promise<TrafficLogState>;
  /**
   * recordTraffic adds the months to the account's totals and keeps the new state and the read
   * time, in one transaction: totals without the state that goes with them would count twice.
   */
  recordTraffic(user: string, months: readonly MonthTraffic[], state: TrafficLogState, readAt: string): Promise<void>;
  /** saveTrafficState keeps the state a rotation made. */
  saveTrafficState(user: string, state: TrafficLogState): Promise<void>;
}

/** MeterTrafficDeps are the ports, the rotation policy and the clock. */
export interface MeterTrafficDeps {
  logs: TrafficLogs;
  store: TrafficStore;
  policy: RotationPolicy;
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
      const r = await deps.logs.read(user, await deps.store.trafficState(user), now);
      await deps.store.recordTraffic(user, r.months, r.state, now.toISOString());
      report.accounts += 1;
      report.bytesRead += r.bytesRead;
      for (const event of r.events) report.events.push({ user, event });
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
      await deps.store.saveTrafficState(user, state);
      report.rotated.push(user);
    }
  } catch (err) {
    report.rotationError = message(err);
  }
  return report;
}
