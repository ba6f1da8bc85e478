import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseExpiry, parseExpiryDay, parseUtcDay } from './time.js';

it('parseExpiry reads durations and ISO times, and refuses the past and nonsense', () => {
  const now = new Date('2026-11-27T12:00:00.000Z');
  assert.equal(parseExpiry('30d', now), '2026-12-27T12:00:00.000Z');
  assert.equal(parseExpiry('12h', now), '2026-11-28T00:00:00.000Z');
  assert.equal(parseExpiry('2w', now), '2026-12-11T12:00:00.000Z');
  assert.equal(parseExpiry('2027-01-01', now), '2027-01-01T00:00:00.000Z');
  assert.equal(parseExpiry('2027-01-01T10:00:00+02:00', now), '2027-01-01T08:00:00.000Z');
  for (const bad of ['0d', '2020-01-01', 'soon', '30', '30y', '2027-13-01'])
    assert.throws(() => parseExpiry(bad, now), /expiry/, bad);
});

it('parseUtcDay reads a date as the start of that day in UTC, and names the input when it cannot', () => {
  assert.equal(parseUtcDay('2026-01-31', 'from'), Date.UTC(2026, 0, 31));
  for (const bad of ['2026-1-31', '2026-13-01', '31/01/2026', 'yesterday', '2026-01-31T00:00', ''])
    assert.throws(
      () => parseUtcDay(bad, 'to'),
      { code: 'invalid_parameter', details: { param: 'to' }, message: /^to must be a date such as/ },
      bad,
    );
});

it('parseExpiryDay lets a token work through the whole of the day given; empty is no expiry', () => {
  assert.equal(parseExpiryDay('2099-03-04'), '2099-03-05T00:00:00.000Z');
  assert.equal(parseExpiryDay(''), null);
  assert.throws(() => parseExpiryDay('31/12/2030'), { details: { param: 'expires' }, message: /^expiry must be/ });
});
