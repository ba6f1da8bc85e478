import assert from 'node:assert/strict';
import { it } from 'node:test';
import { FailureLimiter } from './failure-limiter.js';

it('FailureLimiter blocks at the limit and frees the address when the window ends', () => {
  let now = 1_000_000;
  const limiter = new FailureLimiter(2, 10_000, () => now);
  assert.equal(limiter.retryAfter('a'), 0);
  limiter.fail('a');
  assert.equal(limiter.retryAfter('a'), 0);
  limiter.fail('a');
  assert.equal(limiter.retryAfter('a'), 10);
  assert.equal(limiter.retryAfter('b'), 0);
  now += 4_500;
  assert.equal(limiter.retryAfter('a'), 6);
  now += 5_500;
  assert.equal(limiter.retryAfter('a'), 0);
  limiter.fail('a');
  assert.equal(limiter.retryAfter('a'), 0, 'a new window starts from one failure');
});
