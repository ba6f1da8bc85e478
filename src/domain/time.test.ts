import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseExpiry } from './time.js';

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
