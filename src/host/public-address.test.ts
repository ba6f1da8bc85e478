import assert from 'node:assert/strict';
import type { NetworkInterfaceInfo } from 'node:os';
import { it } from 'node:test';
import { firstPublicAddress } from './public-address.js';

const v4 = (address: string, internal = false): NetworkInterfaceInfo => ({
  address,
  netmask: '255.255.255.0',
  family: 'IPv4',
  mac: '00:00:00:00:00:00',
  internal,
  cidr: `${address}/24`,
});
const v6 = (address: string): NetworkInterfaceInfo => ({
  address,
  netmask: 'ffff:ffff:ffff:ffff::',
  family: 'IPv6',
  mac: '00:00:00:00:00:00',
  internal: false,
  cidr: `${address}/64`,
  scopeid: 0,
});

it('firstPublicAddress takes the first IPv4 address that is neither loopback nor link-local', () => {
  assert.equal(
    firstPublicAddress({
      lo: [v4('127.0.0.1', true)],
      eth0: [v6('2001:db8::7'), v4('169.254.3.4'), v4('203.0.113.7'), v4('203.0.113.8')],
      eth1: [v4('198.51.100.1')],
    }),
    '203.0.113.7',
  );
  assert.equal(firstPublicAddress({ lo: [v4('127.0.0.1', true)], eth0: [v6('2001:db8::7')] }), null);
  assert.equal(firstPublicAddress({}), null);
});
