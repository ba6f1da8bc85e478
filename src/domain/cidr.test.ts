import assert from 'node:assert/strict';
import { it } from 'node:test';
import { cidrMatcher, normalizeCidr } from './cidr.js';

it('normalizeCidr accepts addresses and blocks and refuses the rest', () => {
  assert.equal(normalizeCidr('10.0.0.0/8'), '10.0.0.0/8');
  assert.equal(normalizeCidr('192.0.2.4'), '192.0.2.4/32');
  assert.equal(normalizeCidr('2001:DB8::/32'), '2001:db8::/32');
  assert.equal(normalizeCidr('::1'), '::1/128');
  for (const bad of ['', 'x', '10.0.0.0/33', '::/129', '10.0.0.0/8/1', '10.0.0/8', '10.0.0.0/-1', '10.0.0.0/']) {
    assert.throws(() => normalizeCidr(bad), /not an IP address/, bad);
  }
});

it('cidrMatcher matches v4, v6 and v4-mapped v6 addresses', () => {
  const m = cidrMatcher(['10.1.0.0/16', '2001:db8::/32', '127.0.0.1/32']);
  assert.equal(m('10.1.255.1'), true);
  assert.equal(m('10.2.0.1'), false);
  assert.equal(m('::ffff:127.0.0.1'), true);
  assert.equal(m('2001:db8:1::5'), true);
  assert.equal(m('2001:db9::1'), false);
  assert.equal(m('garbage'), false);
});
