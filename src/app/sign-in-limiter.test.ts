import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { SIGN_IN_LIMITS, type SignInGate, SignInLimiter, addressKey } from './sign-in-limiter.js';

const MIN = 60_000;

function clock(start = 1_700_000_000_000) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

/** fail makes one sign-in that fails its password check, and says whether it got past the gate. */
function fail(limiter: SignInLimiter, ip: string, user: string): SignInGate {
  const gate = limiter.begin(ip, user);
  if (gate.allowed) gate.attempt.failed();
  return gate;
}

const refusal = (gate: SignInGate) => (gate.allowed ? 'allowed' : `${gate.by} ${gate.retryAfterSeconds}`);

describe('addressKey', () => {
  const table: Array<[string, string]> = [
    ['203.0.113.7', 'a:203.0.113.7'],
    ['::ffff:203.0.113.7', 'a:203.0.113.7'],
    ['2001:db8:1:2:3:4:5:6', 'a:2001:db8:1:2::/64'],
    ['2001:db8:1:2::9', 'a:2001:db8:1:2::/64'],
    ['2001:0DB8:0001:0002:ffff::1', 'a:2001:db8:1:2::/64'],
    ['2001:db8::1', 'a:2001:db8:0:0::/64'],
    ['::1', 'a:0:0:0:0::/64'],
    ['fe80::1%eth0', 'a:fe80:0:0:0::/64'],
    ['64:ff9b::198.51.100.1', 'a:64:ff9b:0:0::/64'],
    ['not-an-ip', 'a:not-an-ip'],
  ];
  for (const [ip, key] of table) it(`${ip} → ${key}`, () => assert.equal(addressKey(ip), key));
});

describe('SignInLimiter', () => {
  it('defaults: 20 failures an address, 10 an account user, in 15 minutes', () => {
    assert.deepEqual(SIGN_IN_LIMITS, { perAddress: 20, perUser: 10, windowMs: 15 * MIN });
  });

  it('ten failures for one user from ten addresses: the eleventh waits until the first leaves the window', () => {
    const c = clock();
    const limiter = new SignInLimiter(c.now);
    for (let i = 0; i < 10; i++) {
      assert.equal(refusal(fail(limiter, `198.51.100.${i}`, 'alice')), 'allowed');
      c.advance(MIN);
    }
    // The first failure was 10 minutes ago: 5 minutes to go.
    assert.equal(refusal(limiter.begin('198.51.100.99', 'alice')), 'user 300');
    assert.equal(limiter.retryAfter('198.51.100.99', 'alice'), 300);
    assert.equal(refusal(fail(limiter, '198.51.100.99', 'bob')), 'allowed', 'another user is not held up');
    c.advance(5 * MIN - 1_000);
    assert.equal(refusal(limiter.begin('198.51.100.99', 'alice')), 'user 1');
    c.advance(1_000);
    assert.equal(refusal(fail(limiter, '198.51.100.99', 'alice')), 'allowed');
    assert.equal(refusal(limiter.begin('198.51.100.99', 'alice')), 'user 60', 'now the second failure is the oldest');
  });

  it('twenty failures from one address over many users: the address waits', () => {
    const c = clock();
    const limiter = new SignInLimiter(c.now);
    for (let i = 0; i < 20; i++) assert.equal(refusal(fail(limiter, '203.0.113.5', `user${i}`)), 'allowed');
    assert.equal(refusal(limiter.begin('203.0.113.5', 'fresh')), 'address 900');
    assert.equal(refusal(limiter.begin('203.0.113.6', 'fresh')), 'allowed');
  });

  it('addresses of one IPv6 /64 share a count; the IPv4-mapped form is the IPv4 address', () => {
    const limiter = new SignInLimiter(clock().now, { perAddress: 2, perUser: 100, windowMs: 15 * MIN });
    fail(limiter, '2001:db8:1:2::1', 'a');
    fail(limiter, '2001:db8:1:2::2', 'b');
    assert.equal(refusal(limiter.begin('2001:db8:1:2:ffff::3', 'c')), 'address 900');
    assert.equal(refusal(limiter.begin('2001:db8:1:3::1', 'c')), 'allowed');
    fail(limiter, '192.0.2.1', 'a');
    fail(limiter, '::ffff:192.0.2.1', 'b');
    assert.equal(refusal(limiter.begin('192.0.2.1', 'c')), 'address 900');
  });

  it('user names count alike whatever their case and spaces, and names of no account count too', () => {
    const limiter = new SignInLimiter(clock().now, { perAddress: 100, perUser: 2, windowMs: 15 * MIN });
    fail(limiter, '192.0.2.1', 'Alice');
    fail(limiter, '192.0.2.2', ' alice ');
    assert.equal(refusal(limiter.begin('192.0.2.3', 'ALICE')), 'user 900');
    fail(limiter, '192.0.2.1', 'nosuchowner');
    fail(limiter, '192.0.2.1', 'nosuchowner');
    assert.equal(refusal(limiter.begin('192.0.2.3', 'nosuchowner')), 'user 900');
  });

  it('a right password counts for nothing, and settling twice counts once', () => {
    const limiter = new SignInLimiter(clock().now, { perAddress: 100, perUser: 2, windowMs: 15 * MIN });
    for (let i = 0; i < 5; i++) {
      const gate = limiter.begin('192.0.2.1', 'alice');
      assert.ok(gate.allowed);
      gate.attempt.succeeded();
      gate.attempt.failed();
    }
    const gate = limiter.begin('192.0.2.1', 'alice');
    assert.ok(gate.allowed);
    gate.attempt.failed();
    gate.attempt.failed();
    gate.attempt.succeeded();
    assert.equal(refusal(limiter.begin('192.0.2.1', 'alice')), 'allowed');
  });

  it('an attempt never settled stops holding its place after a minute', () => {
    const c = clock();
    const limiter = new SignInLimiter(c.now, { perAddress: 100, perUser: 1, windowMs: 15 * MIN });
    assert.ok(limiter.begin('192.0.2.1', 'alice').allowed);
    assert.equal(refusal(limiter.begin('192.0.2.1', 'alice')), 'user 1');
    c.advance(MIN);
    assert.equal(refusal(limiter.begin('192.0.2.1', 'alice')), 'allowed');
  });

  it('regression: a parallel burst cannot race the count; exactly the limit reach the password check', async () => {
    const c = clock();
    const limiter = new SignInLimiter(c.now);
    let checked = 0;
    let inCheck = 0;
    let mostInCheck = 0;
    // Each sign-in: the gate, then a password check that yields (as argon2 on the thread pool does), then a failure.
    const signIn = async (i: number) => {
      await tick();
      const gate = limiter.begin(`203.0.113.${i % 3}`, 'alice');
      if (!gate.allowed) return refusal(gate);
      try {
        checked++;
        inCheck++;
        mostInCheck = Math.max(mostInCheck, inCheck);
        for (let k = 0; k < 1 + (i % 4); k++) await tick();
        inCheck--;
        return 'wrong password';
      } finally {
        gate.attempt.failed();
      }
    };
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => signIn(i)));
    assert.equal(checked, 10, 'only the user limit of attempts checked a password');
    assert.equal(mostInCheck, 10, 'the ten were under way together: the burst was parallel');
    assert.equal(results.filter((r) => r === 'wrong password').length, 10);
    assert.ok(
      results.filter((r) => r !== 'wrong password').every((r) => r === 'user 1' || r === 'user 900'),
      results.join(','),
    );
    assert.equal(refusal(limiter.begin('203.0.113.200', 'alice')), 'user 900');
  });

  it('looking up the wait holds no place and tracks nothing new; idle keys are swept past 10 000', () => {
    const c = clock();
    const limiter = new SignInLimiter(c.now);
    assert.equal(limiter.retryAfter('192.0.2.1', 'alice'), 0);
    assert.equal(limiter.trackedKeys, 0);
    for (let i = 0; i < 6_000; i++) fail(limiter, `10.0.${i >> 8}.${i & 255}`, `u${i}`);
    assert.equal(limiter.trackedKeys, 12_000);
    c.advance(15 * MIN);
    fail(limiter, '192.0.2.1', 'alice');
    assert.equal(limiter.trackedKeys, 2, 'only the keys of the latest failure are left');
  });
});
