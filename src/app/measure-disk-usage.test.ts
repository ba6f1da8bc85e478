import assert from 'node:assert/strict';
import { it } from 'node:test';
import { buildAccount, buildPlan } from '../../test/support/builders.js';
import { ownerWorlds } from '../../test/support/owner-context.js';
import { type DiskMeter, measureDiskUsage } from './measure-disk-usage.js';
import { summarizeOwnerAccount } from './summarize-owner-account.js';
import { suspendAccount } from './suspend-account.js';

const world = ownerWorlds();

/** meterOf answers the figures given, by user; a user it has no figure for fails. */
function meterOf(figures: Record<string, { bytes: number; complete?: boolean }>, seen: string[] = []): DiskMeter {
  return {
    async measure(accounts) {
      const out: Awaited<ReturnType<DiskMeter['measure']>> = { measured: [], failed: [] };
      for (const { user, home } of accounts) {
        seen.push(`${user} ${home}`);
        const f = figures[user];
        if (f === undefined) out.failed.push({ user, error: 'no such directory' });
        else
          out.measured.push({
            user,
            bytes: f.bytes,
            complete: f.complete ?? true,
            measuredAt: '2026-06-01T12:00:00.000Z',
          });
      }
      return out;
    },
  };
}

it('a pass measures every active and suspended account at its home and keeps the figures', async () => {
  const w = await world();
  await buildAccount(w.ctx, 'alice');
  await buildAccount(w.ctx, 'bob');
  await suspendAccount(w.ctx, 'bob');
  await buildAccount(w.ctx, 'carol');
  const seen: string[] = [];
  const pass = await measureDiskUsage(w.ctx, meterOf({ alice: { bytes: 5 * 1024 * 1024 }, bob: { bytes: 1 } }, seen));
  assert.deepEqual(seen.sort(), ['alice /fake/homes/alice', 'bob /fake/homes/bob', 'carol /fake/homes/carol']);
  assert.equal(pass.measured, 2);
  assert.deepEqual(pass.failed, [{ user: 'carol', error: 'no such directory' }]);
  assert.equal((await w.ctx.store.diskUsage.get('alice'))?.bytes, 5 * 1024 * 1024);
  assert.equal(await w.ctx.store.diskUsage.get('carol'), undefined);
});

it('a walk cut short does not replace a larger complete figure, and a complete one always does', async () => {
  const w = await world();
  await buildAccount(w.ctx, 'alice');
  await measureDiskUsage(w.ctx, meterOf({ alice: { bytes: 1000 } }), ['alice']);
  await measureDiskUsage(w.ctx, meterOf({ alice: { bytes: 10, complete: false } }), ['alice']);
  assert.equal((await w.ctx.store.diskUsage.get('alice'))?.bytes, 1000);
  await measureDiskUsage(w.ctx, meterOf({ alice: { bytes: 10 } }), ['alice']);
  assert.equal((await w.ctx.store.diskUsage.get('alice'))?.bytes, 10);
});

it("the owner's summary puts the kept disk figure and the databases next to the plan's limits", async () => {
  const w = await world();
  await buildPlan(w.ctx, 'starter', { diskMb: 1024, maxDatabases: 3, bandwidthMb: 10_000 });
  await buildAccount(w.ctx, 'alice', { plan: 'starter' });
  const before = await summarizeOwnerAccount(w.ctx, 'alice');
  assert.equal(before.usage.diskUsedMb, null, 'not measured yet');
  assert.equal(before.usage.diskLimitMb, 1024);
  assert.equal(before.usage.maxDatabases, 3);
  assert.equal(before.usage.databases, 0);
  assert.equal(before.usage.bandwidthUsedMb, null);
  assert.equal(before.plan?.name, 'starter');
  await measureDiskUsage(w.ctx, meterOf({ alice: { bytes: 3 * 1024 * 1024 } }), ['alice']);
  const after = await summarizeOwnerAccount(w.ctx, 'alice');
  assert.equal(after.usage.diskUsedMb, 3);
  assert.equal(after.usage.asOf, '2026-06-01T12:00:00.000Z');
  assert.equal(after.twoFactorOn, false);
  assert.equal(after.lastSignIn, null);
});
