import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Secret } from 'otpauth';
import { TOTP_PARAMS, checkTotp, formatTotpSecret, generateTotpSecret, totpCode, totpStep, totpUri } from './totp.js';

// RFC 6238 appendix B: the SHA-1 key is the ASCII of "12345678901234567890".
const RFC_SECRET = Secret.fromUTF8('12345678901234567890').base32;

describe('totpCode against the RFC 6238 SHA-1 vectors', () => {
  const vectors: Array<[number, string]> = [
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ];
  for (const [seconds, expected] of vectors) {
    it(`T=${seconds}: 8 digits ${expected}, 6 digits ${expected.slice(2)}`, () => {
      assert.equal(totpCode(RFC_SECRET, seconds * 1000, 8), expected);
      // Six digits are the same number modulo 10^6: the last six.
      assert.equal(totpCode(RFC_SECRET, seconds * 1000), expected.slice(2));
    });
  }
});

describe('checkTotp', () => {
  const t = 1111111111 * 1000; // one second into step 37037037
  const step = totpStep(t);
  const code = (deltaSteps: number) => totpCode(RFC_SECRET, t + deltaSteps * 30_000);
  const table: Array<[string, string, number | null, ReturnType<typeof checkTotp>]> = [
    ['the current step', code(0), null, { ok: true, step }],
    ['one step back', code(-1), null, { ok: true, step: step - 1 }],
    ['one step ahead', code(1), null, { ok: true, step: step + 1 }],
    ['two steps back', code(-2), null, { ok: false, reason: 'wrong' }],
    ['two steps ahead', code(2), null, { ok: false, reason: 'wrong' }],
    ['spaces are ignored', `${code(0).slice(0, 3)} ${code(0).slice(3)}`, null, { ok: true, step }],
    ['the same step again (replay)', code(0), step, { ok: false, reason: 'replayed' }],
    ['an earlier step after a later one was used', code(-1), step, { ok: false, reason: 'replayed' }],
    ['a later step after an earlier one was used', code(1), step, { ok: true, step: step + 1 }],
    ['the current step after the one before was used', code(0), step - 1, { ok: true, step }],
    ['five digits', code(0).slice(1), null, { ok: false, reason: 'malformed' }],
    ['seven digits', `${code(0)}1`, null, { ok: false, reason: 'malformed' }],
    ['letters', 'abcdef', null, { ok: false, reason: 'malformed' }],
    ['empty', '', null, { ok: false, reason: 'malformed' }],
  ];
  for (const [name, typed, lastUsed, expected] of table) {
    it(name, () => assert.deepEqual(checkTotp(RFC_SECRET, typed, t, lastUsed), expected));
  }
  it('a wrong code of the right shape is wrong', () => {
    const wrong = String((Number(code(0)) + 1) % 1_000_000).padStart(6, '0');
    assert.deepEqual(checkTotp(RFC_SECRET, wrong, t, null), { ok: false, reason: 'wrong' });
  });
  it('the step edges: the last and first millisecond of a step', () => {
    const start = step * 30_000;
    assert.equal(totpStep(start), step);
    assert.equal(totpStep(start - 1), step - 1);
    assert.equal(totpStep(start + 29_999), step);
  });
});

describe('secrets and the otpauth URI', () => {
  it('a new secret is 160 random bits in base32, different each time', () => {
    const a = generateTotpSecret();
    assert.match(a, /^[A-Z2-7]{32}$/);
    assert.notEqual(a, generateTotpSecret());
  });
  it('formats for typing in groups of four', () => {
    assert.equal(formatTotpSecret('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'), 'GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ');
  });
  it('the URI names the issuer and account and spells out SHA1, 6 digits, 30 s', () => {
    assert.deepEqual(TOTP_PARAMS, { algorithm: 'SHA1', digits: 6, period: 30, window: 1 });
    assert.equal(
      totpUri('Vanta Panel', 'alice', 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'),
      'otpauth://totp/Vanta%20Panel:alice?issuer=Vanta%20Panel&secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA1&digits=6&period=30',
    );
  });
  it('refuses a secret that is not 32 base32 characters', () => {
    for (const bad of ['', 'GEZDGNBV', 'gezdgnbvgy3tqojqgezdgnbvgy3tqojq', `${'A'.repeat(31)}1`]) {
      assert.throws(() => totpCode(bad, 0), /32 base32/);
    }
  });
});
