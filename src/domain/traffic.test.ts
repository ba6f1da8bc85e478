import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  DEFAULT_ROTATION,
  type RotationDecision,
  type RotationFacts,
  TrafficTally,
  decideRotation,
  monthOf,
  parseTrafficBytes,
  parseTrafficLine,
} from './traffic.js';

it('parses the lines of the panel log format and nothing else', () => {
  const rows: [string, ReturnType<typeof parseTrafficLine>][] = [
    ['1795844673.871 152 77', { atMs: 1795844673871, bytesSent: 152, requestBytes: 77 }],
    ['0.000 0 0', { atMs: 0, bytesSent: 0, requestBytes: 0 }],
    ['1795844673.871 999999999999999 1', { atMs: 1795844673871, bytesSent: 999999999999999, requestBytes: 1 }],
    ['1795844673.87 152 77', null],
    ['1795844673 152 77', null],
    ['1795844673.871 152', null],
    ['1795844673.871 152 77 ', null],
    [' 1795844673.871 152 77', null],
    ['1795844673.871 -152 77', null],
    ['1795844673.871 1e3 77', null],
    ['1795844673.871 1000000000000000 77', null],
    ['1795844673.871\t152\t77', null],
    ['127.0.0.1 - - [28/Nov/2026:05:44:33 +0000] "GET / HTTP/1.1" 200 5', null],
    ['', null],
    ['1795844673.871 15\u0132 77', null],
    ['\u0131795844673.871 152 77', null],
    ['1795844673.8710 152 77', null],
    ['1795844673..871 152 77', null],
  ];
  for (const [line, expected] of rows) assert.deepEqual(parseTrafficLine(line), expected, JSON.stringify(line));
});

it('reads a line in the middle of a buffer, between the offsets given, without a string of it', () => {
  const buf = Buffer.from('garbage\n1795844673.871 152 77\n1795844673.872 9 1\n', 'latin1');
  assert.deepEqual(parseTrafficBytes(buf, 8, 29), { atMs: 1795844673871, bytesSent: 152, requestBytes: 77 });
  assert.deepEqual(parseTrafficBytes(buf, 30, 48), { atMs: 1795844673872, bytesSent: 9, requestBytes: 1 });
  assert.equal(parseTrafficBytes(buf, 8, 30), null, 'the newline is not part of the line');
  assert.equal(parseTrafficBytes(buf, 8, 20), null, 'the start of a line is not a line');
  assert.equal(parseTrafficBytes(buf, 0, 29), null);
});

it('names calendar months in UTC, whatever the local time zone', () => {
  assert.equal(monthOf(Date.parse('2026-11-30T23:59:59.999Z')), '2026-11');
  assert.equal(monthOf(Date.parse('2026-12-01T00:00:00.000Z')), '2026-12');
  assert.equal(monthOf(Date.parse('2026-12-01T00:30:00.000+01:00')), '2026-11');
});

it('tallies requests per month, oldest month first', () => {
  const tally = new TrafficTally();
  const at = (iso: string) => Date.parse(iso);
  tally.add({ atMs: at('2026-12-01T00:00:00.000Z'), bytesSent: 10, requestBytes: 1 });
  tally.add({ atMs: at('2026-11-30T23:59:59.999Z'), bytesSent: 20, requestBytes: 2 });
  tally.add({ atMs: at('2026-12-31T23:59:59.999Z'), bytesSent: 30, requestBytes: 3 });
  assert.deepEqual(tally.totals(), [
    { month: '2026-11', bytesSent: 20, requestBytes: 2, requests: 1 },
    { month: '2026-12', bytesSent: 40, requestBytes: 4, requests: 2 },
  ]);
  assert.deepEqual(new TrafficTally().totals(), []);
});

it('15.5: orders the months as locale collation does, without ICU (localeCompare mapped its collation data)', () => {
  // The months the 12-digit `$msec` of a log line can name, years past 9999 included ("+010000").
  const times = [0, 1_795_844_673_871, 253_402_300_799_999, 253_402_300_800_000, 999_999_999_999_999, 86_400_000 * 31];
  const months = times.map(monthOf);
  const collated = [...months].sort((a, b) => a.localeCompare(b));
  const tally = new TrafficTally();
  const compare = String.prototype.localeCompare;
  String.prototype.localeCompare = () => {
    throw new Error('localeCompare called');
  };
  try {
    // Lines come in time order within a log; the tally sorts what it saw, whatever the order.
    for (const atMs of [...times].reverse()) tally.add({ atMs, bytesSent: 1, requestBytes: 1 });
    assert.deepEqual(
      tally.totals().map((t) => t.month),
      collated,
    );
  } finally {
    String.prototype.localeCompare = compare;
  }
});

it('rotates a log that is big or old, never an empty one and never twice in ten minutes', () => {
  const now = new Date('2026-11-28T12:00:00.000Z');
  const base: RotationFacts = { size: 100, since: '2026-11-28T11:00:00.000Z', lastRotatedAt: null, now };
  const big = DEFAULT_ROTATION.maxBytes;
  const rows: [Partial<RotationFacts>, RotationDecision][] = [
    [{}, { rotate: false, reason: 'small_and_young' }],
    [
      { size: null, since: null },
      { rotate: false, reason: 'no_log' },
    ],
    [
      { size: 0, since: '2026-11-01T00:00:00.000Z' },
      { rotate: false, reason: 'empty' },
    ],
    [{ size: big - 1 }, { rotate: false, reason: 'small_and_young' }],
    [{ size: big }, { rotate: true, reason: 'size' }],
    [{ since: '2026-11-27T12:00:00.001Z' }, { rotate: false, reason: 'small_and_young' }],
    [{ since: '2026-11-27T12:00:00.000Z' }, { rotate: true, reason: 'age' }],
    [
      { size: big, lastRotatedAt: '2026-11-28T11:50:00.001Z' },
      { rotate: false, reason: 'too_soon' },
    ],
    [
      { size: big, lastRotatedAt: '2026-11-28T11:50:00.000Z' },
      { rotate: true, reason: 'size' },
    ],
    [
      { size: 1, since: '2026-11-01T00:00:00.000Z', lastRotatedAt: '2026-11-01T00:00:00.000Z' },
      { rotate: true, reason: 'age' },
    ],
  ];
  for (const [change, expected] of rows) {
    assert.deepEqual(decideRotation({ ...base, ...change }, DEFAULT_ROTATION), expected, JSON.stringify(change));
  }
});
