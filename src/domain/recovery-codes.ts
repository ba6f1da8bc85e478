import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { type Keyring, deriveKey } from './keyring.js';

/** RECOVERY_CODE_COUNT is how many one-time recovery codes an owner gets when turning two-factor on. */
export const RECOVERY_CODE_COUNT = 10;

/** Crockford's base32: no I, L, O or U, so nothing reads as another letter or a digit. */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const GROUPS = 3;
const GROUP_LENGTH = 5;
const CODE_LENGTH = GROUPS * GROUP_LENGTH;

/** RECOVERY_CODE_BITS is the entropy of one recovery code: 15 base32 characters, 75 bits. */
export const RECOVERY_CODE_BITS = CODE_LENGTH * 5;

const HASHED = /^r1\.([A-Za-z0-9_-]{8})\.([A-Za-z0-9_-]{43})$/;

/** generateRecoveryCodes makes the ten codes shown once, as `xxxxx-xxxxx-xxxxx` in lower case. */
export function generateRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    let code = '';
    for (let i = 0; i < CODE_LENGTH; i++) {
      if (i > 0 && i % GROUP_LENGTH === 0) code += '-';
      code += ALPHABET[randomInt(ALPHABET.length)];
    }
    return code;
  });
}

/**
 * normalizeRecoveryCode reads a code as typed: case, spaces and dashes do not matter, and the
 * letters Crockford's base32 leaves out read as what they look like (i and l as 1, o as 0).
 * It answers null for anything that cannot be a code.
 */
export function normalizeRecoveryCode(typed: string): string | null {
  const code = typed
    .toLowerCase()
    .replace(/[\s-]+/g, '')
    .replace(/[il]/g, '1')
    .replace(/o/g, '0');
  if (code.length !== CODE_LENGTH || [...code].some((c) => !ALPHABET.includes(c))) return null;
  return code;
}

function mac(key: Buffer, normalized: string): Buffer {
  return createHmac('sha256', key).update(normalized, 'utf8').digest();
}

/**
 * hashRecoveryCode is what the store keeps of a code: `r1.<key id>.<HMAC-SHA256>` under a key
 * derived from the panel key. A fast keyed hash is enough here: a code has 75 random bits, so
 * there is no word list to try, and without the key file a copy of the database gives nothing
 * to try offline at all.
 */
export function hashRecoveryCode(ring: Keyring, code: string): string {
  const normalized = normalizeRecoveryCode(code);
  if (normalized === null) throw new Error('not a recovery code');
  const key = ring.current;
  return `r1.${key.id}.${mac(deriveKey(key, 'recovery-code'), normalized).toString('base64url')}`;
}

/**
 * matchRecoveryCode finds which stored hash a typed code matches, or -1. Every hash is compared,
 * in constant time, whether or not one matched earlier. The caller deletes the matched hash
 * (one use) in the same store transaction that accepts the sign-in.
 */
export function matchRecoveryCode(ring: Keyring, hashes: readonly string[], typed: string): number {
  const normalized = normalizeRecoveryCode(typed);
  if (normalized === null) return -1;
  let found = -1;
  const macs = new Map<string, Buffer>();
  for (const [i, hash] of hashes.entries()) {
    const m = HASHED.exec(hash);
    const key = m?.[1] === undefined ? undefined : ring.byId(m[1]);
    if (!m?.[2] || !key) continue;
    let expected = macs.get(key.id);
    if (!expected) {
      expected = mac(deriveKey(key, 'recovery-code'), normalized);
      macs.set(key.id, expected);
    }
    if (timingSafeEqual(expected, Buffer.from(m[2], 'base64url')) && found === -1) found = i;
  }
  return found;
}
