import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  type DiskReading,
  MIB,
  NO_LIMITS,
  type UsageFigures,
  type UsageInput,
  bytesToMb,
  nextDiskReading,
  usageFigures,
} from './usage.js';

it('turns bytes into MiB with two decimals, rounding up', () => {
  const rows: [number, number][] = [
    [0, 0],
    [1, 0.01],
    [MIB / 100, 0.01],
    [MIB / 100 + 1, 0.02],
    [MIB / 2, 0.5],
    [MIB, 1],
    [MIB + 1, 1.01],
    [1024 * MIB, 1024],
    [1024 * MIB + 1, 1024.01],
    [1024 * MIB - 1, 1024],
    [3 * 1024 * 1024 * MIB, 3 * 1024 * 1024],
  ];
  for (const [bytes, mb] of rows) assert.equal(bytesToMb(bytes), mb, String(bytes));
});

const base: UsageInput = {
  user: 'alice',
  limits: { diskMb: 1024, bandwidthMb: 10240, maxDatabases: 5 },
  databases: 2,
  disk: { bytes: 300 * MIB + 5, measuredAt: '2026-11-28T11:00:00.000Z' },
  months: [
    { month: '2026-10', bytesSent: 900 * MIB },
    { month: '2026-11', bytesSent: 7 * MIB },
    { month: '2026-12', bytesSent: 1 },
  ],
  trafficReadAt: '2026-11-28T11:55:00.000Z',
  now: new Date('2026-11-28T12:00:00.000Z'),
};

const expected: UsageFigures = {
  user: 'alice',
  diskUsedMb: 300.01,
  diskLimitMb: 1024,
  bandwidthUsedMb: 7,
  bandwidthLimitMb: 10240,
  databases: 2,
  maxDatabases: 5,
  asOf: '2026-11-28T11:00:00.000Z',
};

it("computes an account's usage entry: this month's bandwidth next to the plan's limits", () => {
  const rows: [string, Partial<UsageInput>, Partial<UsageFigures>][] = [
    ['the usual case', {}, {}],
    [
      'no plan: every limit is null',
      { limits: NO_LIMITS },
      { diskLimitMb: null, bandwidthLimitMb: null, maxDatabases: null },
    ],
    [
      'the first instant of a month counts only that month',
      { now: new Date('2026-12-01T00:00:00.000Z') },
      { bandwidthUsedMb: 0.01 },
    ],
    [
      'the last instant of a month',
      { now: new Date('2026-10-31T23:59:59.999Z'), trafficReadAt: '2026-10-31T23:00:00.000Z' },
      { bandwidthUsedMb: 900, asOf: '2026-10-31T23:00:00.000Z' },
    ],
    ['a month without traffic is 0 once the log has been read', { months: [] }, { bandwidthUsedMb: 0 }],
    [
      'never-read traffic is null, not 0; as_of is the disk time',
      { trafficReadAt: null },
      { bandwidthUsedMb: null, asOf: '2026-11-28T11:00:00.000Z' },
    ],
    [
      'never-measured disk is null; as_of is the traffic time',
      { disk: null },
      { diskUsedMb: null, asOf: '2026-11-28T11:55:00.000Z' },
    ],
    [
      'nothing measured yet',
      { disk: null, trafficReadAt: null },
      { diskUsedMb: null, bandwidthUsedMb: null, asOf: null },
    ],
    [
      'as_of is the older time, whichever it is',
      { disk: { bytes: 0, measuredAt: '2026-11-28T11:59:00.000Z' } },
      { diskUsedMb: 0, asOf: '2026-11-28T11:55:00.000Z' },
    ],
    [
      'totals of one month given twice are added',
      { months: [...base.months, { month: '2026-11', bytesSent: MIB / 2 }] },
      { bandwidthUsedMb: 7.5 },
    ],
  ];
  for (const [name, change, diff] of rows)
    assert.deepEqual(usageFigures({ ...base, ...change }), { ...expected, ...diff }, name);
});

it('keeps a complete disk figure over a smaller one from a walk cut short', () => {
  const prev: DiskReading = { bytes: 5000, measuredAt: '2026-11-27T00:00:00.000Z' };
  const at = '2026-11-28T00:00:00.000Z';
  const rows: [DiskReading | null, { bytes: number; complete: boolean }, DiskReading][] = [
    [prev, { bytes: 100, complete: true }, { bytes: 100, measuredAt: at }],
    [prev, { bytes: 100, complete: false }, prev],
    [prev, { bytes: 5000, complete: false }, prev],
    [prev, { bytes: 5001, complete: false }, { bytes: 5001, measuredAt: at }],
    [null, { bytes: 100, complete: false }, { bytes: 100, measuredAt: at }],
  ];
  for (const [previous, m, expected] of rows)
    assert.deepEqual(nextDiskReading(previous, { ...m, measuredAt: at }), expected);
});
