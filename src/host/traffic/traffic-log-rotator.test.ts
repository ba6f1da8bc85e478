import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { EMPTY_TRAFFIC_STATE } from '../../domain/traffic.js';
import { readTrafficLog, rotatedPath } from './traffic-log-reader.js';
import {
  nginxReopenArgv,
  prepareTrafficDir,
  prepareTrafficLog,
  removeTrafficLog,
  rotateTrafficLogs,
} from './traffic-log-rotator.js';

const dir = mkdtempSync(join(tmpdir(), 'vanta-rotate-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const now = new Date('2026-12-01T00:10:00.000Z');
const LINE = '1795844673.871 152 77\n';

it('rotates many logs with a single reopen, each renamed to .1 with its cursor and replaced by an empty 0600 log', async () => {
  const a = join(dir, 'a.log');
  const b = join(dir, 'b.log');
  writeFileSync(a, LINE.repeat(2));
  writeFileSync(b, LINE);
  const ra = await readTrafficLog(a, EMPTY_TRAFFIC_STATE, { now });
  appendFileSync(a, LINE);
  let reopens = 0;
  const [sa, sb, sc] = await rotateTrafficLogs(
    [
      { path: a, state: ra.state },
      { path: b, state: EMPTY_TRAFFIC_STATE },
      { path: join(dir, 'missing.log'), state: EMPTY_TRAFFIC_STATE },
    ],
    { now, reopen: async () => void reopens++ },
  );
  assert.equal(reopens, 1);
  assert.equal(readFileSync(rotatedPath(a), 'utf8'), LINE.repeat(3));
  assert.equal(readFileSync(a, 'utf8'), '');
  assert.equal(statSync(a).mode & 0o777, 0o600);
  assert.deepEqual(sa?.rotated, { ...ra.state.current, rotatedAt: now.toISOString() });
  assert.deepEqual([sa?.current?.offset, sa?.current?.since], [0, now.toISOString()]);
  assert.equal(sb?.rotated?.offset, 0, 'a log never read is read from its start');
  assert.deepEqual(sc, EMPTY_TRAFFIC_STATE);
  // The next read finishes a.log.1 (the line appended after the cursor) and reads nothing twice.
  const next = await readTrafficLog(a, sa ?? EMPTY_TRAFFIC_STATE, { now });
  assert.deepEqual([next.lines, next.events], [1, []]);
});

it('deletes the log rotated away at the next rotation', async () => {
  const path = join(dir, 'c.log');
  writeFileSync(path, LINE);
  const reopen = async () => {};
  const [first] = await rotateTrafficLogs([{ path, state: EMPTY_TRAFFIC_STATE }], { now, reopen });
  writeFileSync(path, LINE.repeat(4));
  const [second] = await rotateTrafficLogs([{ path, state: first ?? EMPTY_TRAFFIC_STATE }], { now, reopen });
  assert.equal(readFileSync(rotatedPath(path), 'utf8'), LINE.repeat(4));
  assert.deepEqual(second?.rotated, { ...first?.current, rotatedAt: now.toISOString() });
});

it('undoes the renames when nginx cannot be told to reopen', async () => {
  const path = join(dir, 'd.log');
  writeFileSync(path, LINE.repeat(5));
  const before = statSync(path, { bigint: true }).ino;
  await assert.rejects(
    rotateTrafficLogs([{ path, state: EMPTY_TRAFFIC_STATE }], {
      now,
      reopen: async () => {
        throw new Error('nginx is not running');
      },
    }),
    /nginx is not running/,
  );
  assert.equal(statSync(path, { bigint: true }).ino, before);
  assert.equal(readFileSync(path, 'utf8'), LINE.repeat(5));
  assert.equal(existsSync(rotatedPath(path)), false);
});

it('prepares a directory nginx workers can pass through and logs only the panel can read', async () => {
  const traffic = join(dir, 'traffic');
  await prepareTrafficDir(traffic);
  assert.equal(statSync(traffic).mode & 0o777, 0o711);
  const log = join(traffic, 'e.log');
  await prepareTrafficLog(log);
  appendFileSync(log, LINE);
  await prepareTrafficLog(log);
  assert.equal(readFileSync(log, 'utf8'), LINE, 'an existing log is kept');
  assert.equal(statSync(log).mode & 0o777, 0o600);
  writeFileSync(rotatedPath(log), LINE);
  await removeTrafficLog(log);
  await removeTrafficLog(log);
  assert.deepEqual([existsSync(log), existsSync(rotatedPath(log))], [false, false]);
});

it('reopens with `nginx ARGS -s reopen`, or the configured command', () => {
  const opts = {
    bin: '/usr/sbin/nginx',
    args: ['-p', '/srv/n', '-c', '/srv/n/nginx.conf'],
    command: null,
    timeoutMs: 1,
  };
  assert.deepEqual(nginxReopenArgv(opts), [
    '/usr/sbin/nginx',
    '-p',
    '/srv/n',
    '-c',
    '/srv/n/nginx.conf',
    '-s',
    'reopen',
  ]);
  assert.deepEqual(nginxReopenArgv({ ...opts, command: ['invoke-rc.d', 'nginx', 'rotate'] }), [
    'invoke-rc.d',
    'nginx',
    'rotate',
  ]);
});
