import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { DiskUsageMeter, type QuotaUsage } from './disk-usage-meter.js';
import { duBytes } from '../../../test/support/du.js';

const root = mkdtempSync(join(tmpdir(), 'vanta-meter-'));
after(() => rmSync(root, { recursive: true, force: true }));

it('takes the quota figure where the quota lists the user, walks the home otherwise, and names homes it cannot walk', async () => {
  for (const user of ['alice', 'bob']) {
    mkdirSync(join(root, user));
    writeFileSync(join(root, user, 'f.bin'), Buffer.alloc(10_000 * user.length, 1));
  }
  const asked: string[][] = [];
  const quota: QuotaUsage = {
    usedBytes: async (users) => {
      asked.push([...users]);
      return new Map([['alice', 123 * 1024]]);
    },
  };
  let clock = Date.parse('2026-11-28T12:00:00.000Z');
  const meter = new DiskUsageMeter({ quota, walkMs: 60_000, now: () => clock++ });
  const accounts = ['alice', 'bob', 'carol'].map((user) => ({ user, home: join(root, user) }));
  const { measured, failed } = await meter.measure(accounts);
  assert.deepEqual(asked, [['alice', 'bob', 'carol']], 'the quota is asked once for everyone');
  assert.deepEqual(
    measured.map(({ user, bytes, source, complete }) => ({ user, bytes, source, complete })),
    [
      { user: 'alice', bytes: 123 * 1024, source: 'quota', complete: true },
      { user: 'bob', bytes: duBytes(join(root, 'bob')), source: 'walk', complete: true },
    ],
  );
  assert.match(measured[0]?.measuredAt ?? '', /^2026-11-28T12:00:00\.\d{3}Z$/);
  assert.deepEqual(
    failed.map((f) => f.user),
    ['carol'],
  );
  assert.match(failed[0]?.error ?? '', /ENOENT/);

  const walking = new DiskUsageMeter({ quota: null, walkMs: 60_000 });
  const all = await walking.measure(accounts.slice(0, 2));
  assert.deepEqual(
    all.measured.map((m) => [m.source, m.bytes]),
    [
      ['walk', duBytes(join(root, 'alice'))],
      ['walk', duBytes(join(root, 'bob'))],
    ],
  );
});
