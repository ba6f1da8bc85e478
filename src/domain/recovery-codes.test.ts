import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KEY_BYTES, makeKeyring } from './keyring.js';
import {
  RECOVERY_CODE_BITS,
  RECOVERY_CODE_COUNT,
  generateRecoveryCodes,
  hashRecoveryCode,
  matchRecoveryCode,
  normalizeRecoveryCode,
} from './recovery-codes.js';

const ring = makeKeyring([Buffer.alloc(KEY_BYTES, 3)]);

describe('recovery codes', () => {
  it('are ten distinct codes of three groups of five Crockford base32 characters, 75 bits each', () => {
    const codes = generateRecoveryCodes();
    assert.equal(codes.length, RECOVERY_CODE_COUNT);
    assert.equal(new Set(codes).size, 10);
    for (const c of codes) assert.match(c, /^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/);
    assert.equal(RECOVERY_CODE_BITS, 75);
  });

  const table: Array<[string, string | null]> = [
    ['k7m2q-9xh4t-c3wpa', 'k7m2q9xh4tc3wpa'],
    ['K7M2Q-9XH4T-C3WPA', 'k7m2q9xh4tc3wpa'],
    ['  k7m2q 9xh4t  c3wpa ', 'k7m2q9xh4tc3wpa'],
    ['k7m2q9xh4tc3wpa', 'k7m2q9xh4tc3wpa'],
    ['ILO00-00000-00000', '11000000000000'.padEnd(15, '0')],
    ['k7m2q-9xh4t-c3wp', null],
    ['k7m2q-9xh4t-c3wpaa', null],
    ['k7m2q-9xh4t-c3wpu', null],
    ['k7m2q_9xh4t_c3wpa', null],
    ['', null],
    ['123456', null],
  ];
  for (const [typed, expected] of table) {
    it(`normalizes ${JSON.stringify(typed)} → ${expected}`, () => assert.equal(normalizeRecoveryCode(typed), expected));
  }

  it('stores a keyed hash naming its key, never the code', () => {
    const hash = hashRecoveryCode(ring, 'k7m2q-9xh4t-c3wpa');
    assert.match(hash, new RegExp(`^r1\\.${ring.current.id.replace(/[-]/g, '\\-')}\\.[A-Za-z0-9_-]{43}$`));
    assert.equal(hash, hashRecoveryCode(ring, 'K7M2Q 9XH4T C3WPA'), 'the hash is of the normalized code');
    assert.notEqual(hash, hashRecoveryCode(makeKeyring([Buffer.alloc(KEY_BYTES, 4)]), 'k7m2q-9xh4t-c3wpa'));
    assert.ok(!hash.includes('k7m2q'));
  });

  it('matches a typed code to its hash, whatever the spelling, and nothing else', () => {
    const codes = generateRecoveryCodes();
    const hashes = codes.map((c) => hashRecoveryCode(ring, c));
    assert.equal(matchRecoveryCode(ring, hashes, codes[3] ?? ''), 3);
    assert.equal(matchRecoveryCode(ring, hashes, (codes[9] ?? '').toUpperCase().replaceAll('-', ' ')), 9);
    assert.equal(matchRecoveryCode(ring, hashes, 'k7m2q-9xh4t-c3wpa'), -1);
    assert.equal(matchRecoveryCode(ring, hashes, 'garbage'), -1);
    assert.equal(matchRecoveryCode(ring, [], codes[0] ?? ''), -1);
    assert.equal(matchRecoveryCode(ring, hashes.slice(1), codes[0] ?? ''), -1, 'a used (removed) code is refused');
  });

  it('checks hashes made under an older key while that key is in the ring; skips ones it cannot read', () => {
    const oldKey = Buffer.alloc(KEY_BYTES, 3);
    const oldHash = hashRecoveryCode(makeKeyring([oldKey]), 'k7m2q-9xh4t-c3wpa');
    const rotated = makeKeyring([oldKey, Buffer.alloc(KEY_BYTES, 5)]);
    assert.equal(matchRecoveryCode(rotated, ['r1.broken', oldHash], 'k7m2q-9xh4t-c3wpa'), 1);
    assert.equal(matchRecoveryCode(makeKeyring([Buffer.alloc(KEY_BYTES, 5)]), [oldHash], 'k7m2q-9xh4t-c3wpa'), -1);
  });

  it('refuses to hash what is not a code', () => {
    assert.throws(() => hashRecoveryCode(ring, 'nope'), /not a recovery code/);
  });
});
