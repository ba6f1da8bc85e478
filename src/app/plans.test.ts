import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { UNLIMITED, buildAccount, buildPlan } from '../../test/support/builders.js';
import { fakeWorld } from '../../test/support/fake-world.js';
import { parsePlanLimits, phpInUse } from './plans.js';
import { setAccountPlan } from './set-account-plan.js';

it('parsePlanLimits reads whole numbers, leaves absent limits unlimited, and names a bad one', () => {
  assert.deepEqual(parsePlanLimits({}), UNLIMITED);
  assert.deepEqual(
    parsePlanLimits({
      disk_mb: '1024',
      max_databases: '0',
      bandwidth_mb: '999999999999',
      max_addon_domains: '3',
      max_email_accounts: '10',
      shell: true,
    }),
    {
      diskMb: 1024,
      maxDatabases: 0,
      bandwidthMb: 999_999_999_999,
      maxAddonDomains: 3,
      maxEmailAccounts: 10,
      shell: true,
      php: true,
      phpMaxChildren: 5,
      phpMemoryMb: 256,
    },
  );
  for (const bad of ['-5', '1.5', 'lots', '', ' 5', '1e3', '9999999999999'])
    assert.throws(
      () => parsePlanLimits({ max_databases: bad }),
      { code: 'invalid_parameter', details: { param: 'max_databases' }, message: /whole number/ },
      bad,
    );
});

it('parsePlanLimits turns PHP on with 5 children and 256 MiB unless told otherwise, and bounds both', () => {
  assert.deepEqual(
    { php: UNLIMITED.php, phpMaxChildren: UNLIMITED.phpMaxChildren, phpMemoryMb: UNLIMITED.phpMemoryMb },
    { php: true, phpMaxChildren: 5, phpMemoryMb: 256 },
  );
  const off = parsePlanLimits({ php: false, php_max_children: '1', php_memory_mb: '16' });
  assert.deepEqual([off.php, off.phpMaxChildren, off.phpMemoryMb], [false, 1, 16]);
  const top = parsePlanLimits({ php_max_children: '1000', php_memory_mb: '65536' });
  assert.deepEqual([top.php, top.phpMaxChildren, top.phpMemoryMb], [true, 1000, 65536]);
  const bad: [string, string][] = [
    ['php_max_children', '0'],
    ['php_max_children', '1001'],
    ['php_max_children', '2.5'],
    ['php_max_children', ''],
    ['php_memory_mb', '15'],
    ['php_memory_mb', '65537'],
    ['php_memory_mb', '256M'],
    ['php_memory_mb', '9999999'],
  ];
  for (const [param, value] of bad)
    assert.throws(
      () => parsePlanLimits({ [param]: value }),
      { code: 'invalid_parameter', details: { param }, message: /whole number from \d+ to \d+/ },
      `${param}=${value}`,
    );
});

it('phpInUse: a plan with PHP or an account without a plan needs PHP-FPM; PHP off everywhere does not', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vanta-plans-'));
  const w = await fakeWorld(dir);
  try {
    assert.equal(await phpInUse(w.store), false, 'no plan and no account');
    await buildPlan(w.ctx, 'static', { php: false });
    await buildAccount(w.ctx, 'alice', { plan: 'static' });
    assert.equal(await phpInUse(w.store), false, 'every account on a plan without PHP');
    await buildAccount(w.ctx, 'bob');
    assert.equal(await phpInUse(w.store), true, 'bob has no plan, so PHP');
    await setAccountPlan(w.ctx, 'bob', 'static');
    assert.equal(await phpInUse(w.store), false);
    await buildPlan(w.ctx, 'php', {});
    assert.equal(await phpInUse(w.store), true, 'a plan with PHP, even one no account uses yet');
  } finally {
    await w.store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
