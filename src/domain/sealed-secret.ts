import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { type Keyring, type SecretKey, deriveKey } from './keyring.js';

const FORMAT = 's1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const SEALED = /^s1\.([A-Za-z0-9_-]{8})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]{22})$/;

/** SealedSecretError is a sealed value that cannot be opened: altered, for another context, or under a key the ring lacks. */
export class SealedSecretError extends Error {
  override readonly name = 'SealedSecretError';
}

/** decode reads base64url, refusing any spelling but the one encode gives, so that no two texts open as one value. */
function decode(text: string): Buffer {
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.toString('base64url') !== text) throw new SealedSecretError('not a sealed secret');
  return bytes;
}

function additionalData(keyId: string, context: string): Buffer {
  return Buffer.from(`${FORMAT}.${keyId}\0${context}`, 'utf8');
}

/** KeyFor gives the AES key a panel key seals with; by default the panel key's `seal` key. */
export type KeyFor = (key: SecretKey) => Buffer;

const sealKey: KeyFor = (key) => deriveKey(key, 'seal');

/**
 * sealSecret encrypts a secret with AES-256-GCM under the ring's current key (or the key `keyFor`
 * derives from it), as `s1.<key id>.<iv>.<ciphertext>.<tag>` (base64url). The context (such as
 * `totp:alice`) is authenticated, not stored: a value copied to another account's row does not open there.
 */
export function sealSecret(ring: Keyring, plaintext: string, context: string, keyFor: KeyFor = sealKey): string {
  const key = ring.current;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyFor(key), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData(key.id, context));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const parts = [iv, body, cipher.getAuthTag()].map((b) => b.toString('base64url'));
  return [FORMAT, key.id, ...parts].join('.');
}

/** sealedKeyId tells which key sealed a value (for re-sealing under a new key), or null when it is not a sealed value. */
export function sealedKeyId(sealed: string): string | null {
  return SEALED.exec(sealed)?.[1] ?? null;
}

/** openSecret decrypts what sealSecret made for the same context (and `keyFor`); anything else throws SealedSecretError. */
export function openSecret(ring: Keyring, sealed: string, context: string, keyFor: KeyFor = sealKey): string {
  const m = SEALED.exec(sealed);
  if (!m) throw new SealedSecretError('not a sealed secret');
  const [, keyId = '', iv = '', body = '', tag = ''] = m;
  const key = ring.byId(keyId);
  if (!key) throw new SealedSecretError(`sealed under key ${keyId}, which the key file does not hold`);
  const decipher = createDecipheriv('aes-256-gcm', keyFor(key), decode(iv), { authTagLength: TAG_BYTES });
  decipher.setAAD(additionalData(keyId, context));
  decipher.setAuthTag(decode(tag));
  const ciphertext = decode(body);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch {
    throw new SealedSecretError('the sealed secret was altered or belongs to another context');
  }
}
