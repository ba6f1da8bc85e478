import assert from 'node:assert/strict';
import { it } from 'node:test';
import { UNLIMITED } from '../../test/support/builders.js';
import { parsePlanLimits } from './plans.js';

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
    },
  );
  for (const bad of ['-5', '1.5', 'lots', '', ' 5', '1e3', '9999999999999'])
    assert.throws(
      () => parsePlanLimits({ max_databases: bad }),
      { code: 'invalid_parameter', details: { param: 'max_databases' }, message: /whole number/ },
      bad,
    );
});
