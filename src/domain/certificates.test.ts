import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  accountTls,
  backoffMs,
  needsAttention,
  newCertificateVersion,
  renewalTime,
  sameDomains,
  shownStatus,
  siteDomains,
} from './certificates.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

test('the back-off after failures in a row is 1 h, 2 h, 4 h … capped at 24 h', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7, 50].map((n) => backoffMs(n) / HOUR),
    [1, 2, 4, 8, 16, 24, 24, 24],
  );
});

test('renewal comes when a third of the lifetime remains, whatever the lifetime', () => {
  const from = new Date('2026-01-01T00:00:00.000Z');
  for (const days of [90, 45, 6, 1]) {
    const to = new Date(from.getTime() + days * DAY);
    const at = renewalTime(from, to, null, 0.5);
    assert.equal(to.getTime() - at.getTime(), Math.floor((days * DAY) / 3), `${days} days`);
  }
});

test("renewal follows the CA's window where it gives one, at the point the random number picks", () => {
  const from = new Date('2026-01-01T00:00:00.000Z');
  const to = new Date('2026-04-01T00:00:00.000Z');
  const window = { start: new Date('2026-03-01T00:00:00.000Z'), end: new Date('2026-03-03T00:00:00.000Z') };
  assert.equal(renewalTime(from, to, window, 0).toISOString(), '2026-03-01T00:00:00.000Z');
  assert.equal(renewalTime(from, to, window, 0.5).toISOString(), '2026-03-02T00:00:00.000Z');
  assert.equal(renewalTime(from, to, window, 1).toISOString(), '2026-03-03T00:00:00.000Z');
  const backwards = { start: window.end, end: window.start };
  assert.equal(
    renewalTime(from, to, backwards, 0.5).getTime(),
    to.getTime() - Math.floor((to.getTime() - from.getTime()) / 3),
  );
});

test('a certificate past its not-after shows as expired; one still pending does not', () => {
  const now = new Date('2026-05-01T00:00:00.000Z');
  assert.equal(shownStatus({ status: 'valid', notAfter: '2026-04-30T00:00:00.000Z' }, now), 'expired');
  assert.equal(shownStatus({ status: 'failed', notAfter: '2026-04-30T00:00:00.000Z' }, now), 'expired');
  assert.equal(shownStatus({ status: 'failed', notAfter: '2026-06-30T00:00:00.000Z' }, now), 'failed');
  assert.equal(shownStatus({ status: 'pending', notAfter: null }, now), 'pending');
  assert.deepEqual(accountTls(null, now), { status: 'none', expiresAt: null });
  assert.deepEqual(accountTls({ status: 'valid', notAfter: '2026-06-30T00:00:00.000Z' }, now), {
    status: 'valid',
    expiresAt: '2026-06-30T00:00:00.000Z',
  });
});

test('the dashboard lists failed and expired certificates and those ending within two weeks', () => {
  const now = new Date('2026-05-01T00:00:00.000Z');
  const at = (days: number) => new Date(now.getTime() + days * DAY).toISOString();
  assert.equal(needsAttention({ status: 'valid', notAfter: at(60) }, now), false);
  assert.equal(needsAttention({ status: 'valid', notAfter: at(13) }, now), true);
  assert.equal(needsAttention({ status: 'failed', notAfter: at(60) }, now), true);
  assert.equal(needsAttention({ status: 'pending', notAfter: null }, now), false);
});

test('a certificate covers the domain and www., and names must match exactly to be served', () => {
  assert.deepEqual(siteDomains('alice.example'), ['alice.example', 'www.alice.example']);
  assert.equal(sameDomains(['a.example', 'www.a.example'], ['a.example', 'www.a.example']), true);
  assert.equal(sameDomains(['a.example', 'www.a.example'], ['b.example', 'www.b.example']), false);
  assert.equal(sameDomains(['a.example'], ['a.example', 'www.a.example']), false);
});

test('pair versions sort by time and differ by their random part', () => {
  const at = new Date('2026-11-28T08:15:00.123Z');
  assert.equal(newCertificateVersion(at, '0a1b2c3d'), '20261128T081500Z-0a1b2c3d');
});
