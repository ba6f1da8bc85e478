import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KEY_BYTES, makeKeyring } from './keyring.js';
import { SealedSecretError, openSecret, sealSecret, sealedKeyId } from './sealed-secret.js';

const old = Buffer.alloc(KEY_BYTES, 1);
const next = Buffer.alloc(KEY_BYTES, 2);
const ring = makeKeyring([old]);
const SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

/** flip changes one character of a base64url field to another that decodes to different bytes. */
function flip(sealed: string, field: number): string {
  const parts = sealed.split('.');
  const text = parts[field] ?? '';
  const bytes = Buffer.from(text, 'base64url');
  bytes[0] = (bytes[0] ?? 0) ^ 0x01;
  parts[field] = bytes.toString('base64url');
  return parts.join('.');
}

describe('sealed secrets (AES-256-GCM)', () => {
  it('round-trips, with the format, key id and lengths it says', () => {
    const sealed = sealSecret(ring, SECRET, 'totp:alice');
    assert.match(sealed, /^s1\.[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{22}$/);
    assert.equal(sealedKeyId(sealed), ring.current.id);
    assert.equal(openSecret(ring, sealed, 'totp:alice'), SECRET);
    assert.ok(!sealed.includes(SECRET));
  });
  it('seals the same secret differently each time (a fresh IV)', () => {
    assert.notEqual(sealSecret(ring, SECRET, 'c'), sealSecret(ring, SECRET, 'c'));
  });
  it('round-trips the empty string and non-ASCII text', () => {
    for (const s of ['', 'späti ☕', 'x'.repeat(1000)])
      assert.equal(openSecret(ring, sealSecret(ring, s, 'c'), 'c'), s);
  });

  const sealed = sealSecret(ring, SECRET, 'totp:alice');
  const tampered: Array<[string, string, string]> = [
    ['a bit of the IV', flip(sealed, 2), 'totp:alice'],
    ['a bit of the ciphertext', flip(sealed, 3), 'totp:alice'],
    ['a bit of the tag', flip(sealed, 4), 'totp:alice'],
    ['the context (another account)', sealed, 'totp:bob'],
    [
      'a truncated ciphertext',
      sealed.replace(/\.([^.]+)\.([^.]+)$/, (_m, b: string, t: string) => `.${b.slice(0, 40)}.${t}`),
      'totp:alice',
    ],
    [
      'the tag of another sealing',
      `${sealed.slice(0, sealed.lastIndexOf('.'))}.${sealSecret(ring, SECRET, 'totp:alice').split('.')[4]}`,
      'totp:alice',
    ],
    ['another format version', sealed.replace(/^s1/, 's2'), 'totp:alice'],
    ['no sealed value at all', SECRET, 'totp:alice'],
    ['an unknown key id', sealed.replace(/^s1\.[^.]+/, 's1.AAAAAAAA'), 'totp:alice'],
  ];
  for (const [name, value, context] of tampered) {
    it(`refuses ${name}`, () => assert.throws(() => openSecret(ring, value, context), SealedSecretError));
  }

  it('refuses a tag spelt another way that decodes to the same bytes (no two texts open as one value)', () => {
    const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const tag = sealed.split('.')[4] ?? '';
    // The last of 22 characters carries 2 bits of the 16 bytes; its low 4 bits are padding.
    const twin = `${tag.slice(0, -1)}${ALPHABET[ALPHABET.indexOf(tag.slice(-1)) ^ 1]}`;
    assert.deepEqual(Buffer.from(twin, 'base64url'), Buffer.from(tag, 'base64url'));
    assert.throws(() => openSecret(ring, `${sealed.slice(0, -tag.length)}${twin}`, 'totp:alice'), SealedSecretError);
  });

  it('a ring with a new key seals under it and still opens what the old key sealed', () => {
    const rotated = makeKeyring([old, next]);
    const fresh = sealSecret(rotated, SECRET, 'c');
    assert.equal(sealedKeyId(fresh), rotated.current.id);
    assert.notEqual(sealedKeyId(fresh), sealedKeyId(sealed));
    assert.equal(openSecret(rotated, sealed, 'totp:alice'), SECRET);
    assert.equal(openSecret(rotated, fresh, 'c'), SECRET);
    assert.throws(() => openSecret(ring, fresh, 'c'), /does not hold/);
    assert.throws(() => openSecret(makeKeyring([next]), sealed, 'totp:alice'), SealedSecretError);
  });
});
