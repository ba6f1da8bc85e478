import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import {
  EMPTY_TRAFFIC_STATE,
  type MonthTraffic,
  type RotationPolicy,
  type TrafficLogState,
} from '../domain/traffic.js';
import { NginxTrafficLogs } from '../host/traffic/nginx-traffic-logs.js';
import { type TrafficStore, meterTraffic } from './meter-traffic.js';

const dir = mkdtempSync(join(tmpdir(), 'vanta-meter-traffic-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** MemoryTrafficStore keeps states and totals in memory; `failSaves` makes the next saves after a rotation fail. */
class MemoryTrafficStore implements TrafficStore {
  readonly states = new Map<string, TrafficLogState>();
  readonly totals = new Map<string, number>();
  failSaves = 0;

  async state(user: string) {
    return this.states.get(user) ?? EMPTY_TRAFFIC_STATE;
  }
  async record(user: string, months: readonly MonthTraffic[], state: TrafficLogState) {
    for (const m of months)
      this.totals.set(`${user} ${m.month}`, (this.totals.get(`${user} ${m.month}`) ?? 0) + m.bytesSent);
    this.states.set(user, state);
  }
  async saveState(user: string, state: TrafficLogState) {
    if (this.failSaves > 0) {
      this.failSaves -= 1;
      throw new Error('the panel stopped here');
    }
    this.states.set(user, state);
  }
}

const line = (iso: string, sent: number) => {
  const ms = Date.parse(iso);
  return `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')} ${sent} 80\n`;
};

it('meters every account, rotates the due logs with one reopen, and survives a crash after the rename', async () => {
  let reopens = 0;
  const logs = new NginxTrafficLogs({ dir, buffer: null, reopen: async () => void reopens++ });
  const store = new MemoryTrafficStore();
  const policy: RotationPolicy = { maxBytes: 40, maxAgeMs: 86_400_000, minIntervalMs: 600_000 };
  let clock = Date.parse('2026-11-30T23:00:00.000Z');
  const deps = { logs, store, policy, now: () => new Date(clock) };
  const log = (user: string) => join(dir, `${user}.log`);
  for (const user of ['alice', 'bob']) await logs.prepare(user);

  appendFileSync(log('alice'), line('2026-11-30T22:59:00.000Z', 1000) + line('2026-11-30T22:59:30.000Z', 1000));
  appendFileSync(log('bob'), line('2026-11-30T22:59:00.000Z', 7));
  const first = await meterTraffic(deps, ['alice', 'bob', 'Not-A-User']);
  assert.deepEqual([first.accounts, first.rotated, reopens, first.rotationError], [2, ['alice'], 1, null]);
  assert.deepEqual(
    first.failed.map((f) => f.user),
    ['Not-A-User'],
  );
  assert.ok(existsSync(`${log('alice')}.1`));

  // Lines land in both alice files (a worker late to reopen); the month changes on the way.
  appendFileSync(`${log('alice')}.1`, line('2026-11-30T23:00:01.000Z', 10));
  appendFileSync(log('alice'), line('2026-12-01T00:00:00.000Z', 20) + line('2026-12-01T00:01:00.000Z', 30));
  clock = Date.parse('2026-11-30T23:05:00.000Z');
  const second = await meterTraffic(deps, ['alice', 'bob']);
  assert.deepEqual(second.rotated, [], 'not twice within ten minutes');
  assert.deepEqual(Object.fromEntries(store.totals), {
    'alice 2026-11': 2010,
    'alice 2026-12': 50,
    'bob 2026-11': 7,
  });

  // The next rotation renames alice's log, then the panel stops before storing the new state.
  clock = Date.parse('2026-12-01T01:00:00.000Z');
  store.failSaves = 1;
  const third = await meterTraffic(deps, ['alice']);
  assert.match(third.rotationError ?? '', /the panel stopped here/);
  appendFileSync(`${log('alice')}.1`, line('2026-12-01T00:59:00.000Z', 400));
  writeFileSync(log('alice'), line('2026-12-01T01:00:00.000Z', 5000), { flag: 'a' });
  const fourth = await meterTraffic(deps, ['alice']);
  assert.deepEqual(fourth.events, [{ user: 'alice', event: 'adopted_rotated' }]);
  assert.equal(store.totals.get('alice 2026-12'), 5450);
});
