import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  LOGIN_LINK_TTL_MS,
  SESSION_ABSOLUTE_MS,
  SESSION_IDLE_MS,
  type SessionStatus,
  loginLinkExpiresAt,
  loginLinkHash,
  loginLinkStatus,
  newLoginLinkSecret,
  newSessionId,
  sessionIdHash,
  sessionStatus,
  shouldTouchSession,
} from './session.js';

const T0 = new Date('2026-03-01T08:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const MIN = 60_000;
const HOUR = 60 * MIN;

describe('session ids and sign-on link secrets', () => {
  for (const [name, make, hashOf] of [
    ['session id', newSessionId, sessionIdHash],
    ['sign-on link secret', newLoginLinkSecret, loginLinkHash],
  ] as const) {
    it(`a ${name} is 256 random bits in base64url, stored as its SHA-256`, () => {
      const { secret, hash } = make();
      assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(Buffer.from(secret, 'base64url').length, 32);
      assert.equal(hash, createHash('sha256').update(secret).digest('hex'));
      assert.equal(hashOf(secret), hash);
      assert.notEqual(make().secret, secret);
    });
    it(`a presented ${name} that cannot be one is not looked up`, () => {
      for (const bad of [
        '',
        'short',
        `${'a'.repeat(43)}=`,
        'a'.repeat(44),
        `${'a'.repeat(42)}+`,
        `${'a'.repeat(42)}.`,
      ]) {
        assert.equal(hashOf(bad), null, bad);
      }
    });
  }
});

describe('sessionStatus: 30 minutes idle, 12 hours at most', () => {
  it('the limits', () => {
    assert.equal(SESSION_IDLE_MS, 30 * MIN);
    assert.equal(SESSION_ABSOLUTE_MS, 12 * HOUR);
  });
  const table: Array<[string, Date, Date, Date, SessionStatus]> = [
    ['just signed in', T0, T0, T0, { live: true, expiresAt: at(30 * MIN) }],
    ['29:59 idle', T0, T0, at(30 * MIN - 1), { live: true, expiresAt: at(30 * MIN) }],
    ['30:00 idle', T0, T0, at(30 * MIN), { live: false, reason: 'idle' }],
    ['used 10 min ago, 2 h in', T0, at(110 * MIN), at(2 * HOUR), { live: true, expiresAt: at(140 * MIN) }],
    ['used 31 min ago, 2 h in', T0, at(89 * MIN), at(2 * HOUR), { live: false, reason: 'idle' }],
    [
      'busy, 11:59 in: the absolute end is nearer',
      T0,
      at(11 * HOUR + 50 * MIN),
      at(11 * HOUR + 59 * MIN),
      { live: true, expiresAt: at(12 * HOUR) },
    ],
    ['busy, 12:00 in', T0, at(12 * HOUR - 1), at(12 * HOUR), { live: false, reason: 'absolute' }],
    ['both past: absolute is told', T0, T0, at(13 * HOUR), { live: false, reason: 'absolute' }],
    [
      'last seen before sign-in counts as sign-in',
      T0,
      at(-HOUR),
      at(10 * MIN),
      { live: true, expiresAt: at(30 * MIN) },
    ],
    [
      'last seen in the future (a clock step back) still ends at 12 h',
      T0,
      at(20 * HOUR),
      at(12 * HOUR),
      { live: false, reason: 'absolute' },
    ],
  ];
  for (const [name, created, seen, now, expected] of table) {
    it(name, () => assert.deepEqual(sessionStatus(created, seen, now), expected));
  }
});

describe('shouldTouchSession', () => {
  const table: Array<[number, boolean]> = [
    [0, false],
    [59_999, false],
    [60_000, true],
    [29 * MIN, true],
    [-5_000, false],
  ];
  for (const [since, expected] of table) {
    it(`${since} ms since last seen → ${expected}`, () => assert.equal(shouldTouchSession(T0, at(since)), expected));
  }
});

describe('loginLinkStatus: 60 seconds, once', () => {
  const expiresAt = loginLinkExpiresAt(T0);
  it('expires 60 s after it was made', () => {
    assert.equal(LOGIN_LINK_TTL_MS, 60_000);
    assert.deepEqual(expiresAt, at(60_000));
  });
  const table: Array<[string, Date | null, Date, ReturnType<typeof loginLinkStatus>]> = [
    ['at once', null, T0, 'valid'],
    ['59.999 s later', null, at(59_999), 'valid'],
    ['60 s later', null, at(60_000), 'expired'],
    ['an hour later', null, at(HOUR), 'expired'],
    ['used, then tried again in time', at(1_000), at(2_000), 'used'],
    ['used, then tried again late', at(1_000), at(HOUR), 'used'],
  ];
  for (const [name, usedAt, now, expected] of table) {
    it(name, () => assert.equal(loginLinkStatus({ expiresAt, usedAt }, now), expected));
  }
});
