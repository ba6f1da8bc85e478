import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, renameSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { EMPTY_TRAFFIC_STATE, type TrafficLogState } from '../../domain/traffic.js';
import { readTrafficLog, rotatedPath } from './traffic-log-reader.js';

const dir = mkdtempSync(join(tmpdir(), 'vanta-traffic-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshLog = () => join(dir, `u${++n}.log`);
const now = new Date('2026-12-01T00:10:00.000Z');

/** line renders a request the way the panel's nginx log format does. */
function line(iso: string, sent: number, received = 100): string {
  const ms = Date.parse(iso);
  return `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')} ${sent} ${received}\n`;
}

it('reads a log from the start and splits its bytes at the month boundary (UTC)', async () => {
  const path = freshLog();
  const text =
    line('2026-11-30T23:59:59.999Z', 1000) + line('2026-12-01T00:00:00.000Z', 20) + line('2026-12-01T00:05:00.000Z', 3);
  writeFileSync(path, text);
  const r = await readTrafficLog(path, EMPTY_TRAFFIC_STATE, { now });
  assert.deepEqual(r.months, [
    { month: '2026-11', bytesSent: 1000, requestBytes: 100, requests: 1 },
    { month: '2026-12', bytesSent: 23, requestBytes: 200, requests: 2 },
  ]);
  assert.equal(r.bytesRead, text.length);
  assert.equal(r.state.current?.offset, text.length);
  assert.equal(r.state.current?.since, now.toISOString());
  assert.deepEqual([r.lines, r.malformed, r.currentSize, r.drained, r.events], [3, 0, text.length, true, []]);
});

it('reads only what was appended since the cursor, and nothing when nothing was', async () => {
  const path = freshLog();
  writeFileSync(path, line('2026-11-30T10:00:00.000Z', 500));
  const first = await readTrafficLog(path, EMPTY_TRAFFIC_STATE, { now });
  const more = line('2026-12-01T00:01:00.000Z', 7) + line('2026-12-01T00:02:00.000Z', 8);
  appendFileSync(path, more);
  const second = await readTrafficLog(path, first.state, { now });
  assert.equal(second.bytesRead, more.length);
  assert.deepEqual(second.months, [{ month: '2026-12', bytesSent: 15, requestBytes: 200, requests: 2 }]);
  assert.equal(second.state.current?.since, first.state.current?.since);
  const third = await readTrafficLog(path, second.state, { now });
  assert.deepEqual([third.bytesRead, third.months, third.state], [0, [], second.state]);
});

it('leaves a partial last line for the next read and counts it once, when whole', async () => {
  const path = freshLog();
  const whole = line('2026-12-01T00:01:00.000Z', 10);
  const partial = line('2026-12-01T00:02:00.000Z', 20);
  writeFileSync(path, whole + partial.slice(0, 9));
  const first = await readTrafficLog(path, EMPTY_TRAFFIC_STATE, { now });
  assert.equal(first.lines, 1);
  assert.equal(first.state.current?.offset, whole.length);
  appendFileSync(path, partial.slice(9));
  const second = await readTrafficLog(path, first.state, { now });
  assert.deepEqual(second.months, [{ month: '2026-12', bytesSent: 20, requestBytes: 100, requests: 1 }]);
  assert.equal(second.state.current?.offset, whole.length + partial.length);
});

it('ignores malformed lines and counts them', async () => {
  const path = freshLog();
  writeFileSync(
    path,
    `garbage\n${line('2026-12-01T00:01:00.000Z', 10)}\n1795844673.871 x 1\n${line('2026-12-01T00:01:00.000Z', 5)}`,
  );
  const r = await readTrafficLog(path, EMPTY_TRAFFIC_STATE, { now });
  assert.deepEqual([r.lines, r.malformed, r.months[0]?.bytesSent], [2, 3, 15]);
});

it('skips a run without newlines longer than any log line, then goes on', async () => {
  const path = freshLog();
  const junk = 'x'.repeat(70_000);
  writeFileSync(path, `${junk}`);
  const first = await readTrafficLog(path, EMPTY_TRAFFIC_STATE, { now });
  assert.ok(first.events.includes('long_line_skipped'));
  assert.equal(first.state.current?.offset, junk.length);
  appendFileSync(path, `tail\n${line('2026-12-01T00:01:00.000Z', 42)}`);
  const second = await readTrafficLog(path, first.state, { now });
  assert.deepEqual([second.lines, second.months[0]?.bytesSent], [1, 42]);
});

it('reads at most maxBytes a call and goes on from there the next time', async () => {
  const path = freshLog();
  const one = line('2026-12-01T00:01:00.000Z', 1);
  writeFileSync(path, one.repeat(100));
  let state: TrafficLogState = EMPTY_TRAFFIC_STATE;
  let sent = 0;
  let calls = 0;
  for (;;) {
    const r = await readTrafficLog(path, state, { now, maxBytes: 10 * one.length + 5 });
    assert.ok(r.bytesRead <= 10 * one.length + 5);
    sent += r.months[0]?.bytesSent ?? 0;
    state = r.state;
    calls++;
    if (r.drained) break;
  }
  assert.equal(sent, 100);
  assert.equal(calls, 10);
});

it('never follows a symlink at the log path, nor opens a FIFO', async () => {
  const target = freshLog();
  writeFileSync(target, line('2026-12-01T00:01:00.000Z', 999));
  const path = freshLog();
  symlinkSync(target, path);
  const r = await readTrafficLog(path, EMPTY_TRAFFIC_STATE, { now });
  assert.deepEqual([r.bytesRead, r.months, r.state.current, r.events], [0, [], null, ['not_a_regular_file']]);
  const fifo = freshLog();
  execFileSync('mkfifo', [fifo]);
  const f = await readTrafficLog(fifo, EMPTY_TRAFFIC_STATE, { now });
  assert.deepEqual([f.bytesRead, f.state.current, f.events], [0, null, ['not_a_regular_file']]);
});

it('starts again from 0 when the log was truncated or replaced, even by a file reusing its inode', async () => {
  const path = freshLog();
  writeFileSync(path, line('2026-12-01T00:01:00.000Z', 10).repeat(3));
  const first = await readTrafficLog(path, EMPTY_TRAFFIC_STATE, { now });
  truncateSync(path, 0);
  appendFileSync(path, line('2026-12-01T00:02:00.000Z', 4));
  const second = await readTrafficLog(path, first.state, { now });
  assert.deepEqual([second.events, second.months[0]?.bytesSent], [['truncated'], 4]);
  rmSync(path);
  writeFileSync(path, line('2026-12-01T00:03:00.000Z', 6));
  const third = await readTrafficLog(path, second.state, { now });
  assert.deepEqual([third.events, third.months[0]?.bytesSent], [['replaced'], 6]);
  // The filesystem usually hands the freed inode to the new file: the birth time tells them apart.
  assert.notEqual(third.state.current?.born, second.state.current?.born);
});

it('finishes a log rotated away and starts the new one at 0, counting every line once', async () => {
  const path = freshLog();
  writeFileSync(path, line('2026-12-01T00:01:00.000Z', 1));
  const first = await readTrafficLog(path, EMPTY_TRAFFIC_STATE, { now });
  // The panel renamed the log and stopped before it stored the new state: the next read adopts `.1`.
  appendFileSync(path, line('2026-12-01T00:02:00.000Z', 10));
  renameSync(path, rotatedPath(path));
  appendFileSync(rotatedPath(path), line('2026-12-01T00:03:00.000Z', 100));
  writeFileSync(path, line('2026-12-01T00:04:00.000Z', 1000));
  const second = await readTrafficLog(path, first.state, { now });
  assert.deepEqual(second.events, ['adopted_rotated']);
  assert.equal(second.months[0]?.bytesSent, 1110);
  assert.equal(second.state.rotated?.ino, first.state.current?.ino);
  assert.equal(second.state.rotated?.rotatedAt, now.toISOString());
  // A late worker still writes to the old file: the next read takes that too, and nothing twice.
  appendFileSync(rotatedPath(path), line('2026-12-01T00:05:00.000Z', 10_000));
  const third = await readTrafficLog(path, second.state, { now });
  assert.deepEqual([third.months[0]?.bytesSent, third.events], [10_000, []]);
  // The rotated file disappears (deleted at the next rotation): its cursor goes with it.
  rmSync(rotatedPath(path));
  const fourth = await readTrafficLog(path, third.state, { now });
  assert.deepEqual([fourth.events, fourth.state.rotated, fourth.months], [['rotated_gone'], null, []]);
  // The log itself disappears (an admin deleted it): what it held after the cursor is lost, and said so.
  rmSync(path);
  const fifth = await readTrafficLog(path, fourth.state, { now });
  assert.deepEqual([fifth.events, fifth.state], [['log_gone'], { current: null, rotated: null }]);
});
