import assert from 'node:assert/strict';
import { it } from 'node:test';
import { FailureLimiter } from './failure-limiter.js';

it('FailureLimiter refuses past the limit, frees the address when the window ends', () => {
  let now = 1_000_000;
  const limiter = new FailureLimiter(2, 10_000, () => now);
  assert.equal(limiter.attempt('a').allowed, true);
  assert.equal(limiter.attempt('a').allowed, true);
  assert.deepEqual(limiter.attempt('a'), { allowed: false, retryAfter: 10 });
  assert.equal(limiter.attempt('b').allowed, true, 'other addresses are not affected');
  now += 4_500;
  assert.deepEqual(limiter.attempt('a'), { allowed: false, retryAfter: 6 });
  now += 5_500;
  assert.equal(limiter.attempt('a').allowed, true, 'a new window starts');
  assert.equal(limiter.attempt('a').allowed, true);
  assert.equal(limiter.attempt('a').allowed, false);
});

it('FailureLimiter counts an attempt when it is made; a successful one is given back once', () => {
  const limiter = new FailureLimiter(2, 10_000, () => 0);
  const first = limiter.attempt('a');
  const second = limiter.attempt('a');
  assert.ok(first.allowed && second.allowed);
  assert.equal(limiter.attempt('a').allowed, false, 'two attempts in flight use up the limit');
  first.release();
  first.release();
  const third = limiter.attempt('a');
  assert.equal(third.allowed, true, 'the released attempt is free again');
  assert.equal(limiter.attempt('a').allowed, false, 'a second release gave nothing back');
});
