import { createHash, hkdfSync, randomBytes } from 'node:crypto';

/** KEY_BYTES is the length of a panel secret key: 256 bits, for AES-256-GCM and HMAC-SHA256. */
export const KEY_BYTES = 32;

const KEY_LINE = /^vk1 ([A-Za-z0-9_-]{43})$/;

/** SecretKey is one panel secret key and its id, the id being what a sealed value names it by. */
export interface SecretKey {
  readonly id: string;
  readonly bytes: Buffer;
}

/**
 * Keyring is the panel's secret keys: `current` seals and hashes new values, every key opens and
 * checks old ones, so a key can be rotated by adding a new one and re-sealing before removing the old.
 */
export interface Keyring {
  readonly current: SecretKey;
  byId(id: string): SecretKey | undefined;
}

/** KeyPurpose names what a key derived from a panel key is for; each purpose gets its own derived key. */
export type KeyPurpose = 'seal' | 'recovery-code' | 'idempotency';

/** keyIdOf names a key by the first 48 bits of its SHA-256, as 8 base64url characters. */
export function keyIdOf(bytes: Buffer): string {
  return createHash('sha256').update('vanta key id\0').update(bytes).digest().subarray(0, 6).toString('base64url');
}

/** generateKeyBytes makes a new random 256-bit key. */
export function generateKeyBytes(): Buffer {
  return randomBytes(KEY_BYTES);
}

/** makeKeyring builds a keyring from keys, oldest first: the last one is current. */
export function makeKeyring(keys: readonly Buffer[]): Keyring {
  const ring = new Map<string, SecretKey>();
  for (const bytes of keys) {
    if (bytes.length !== KEY_BYTES) throw new Error(`a secret key must be ${KEY_BYTES} bytes`);
    const id = keyIdOf(bytes);
    ring.set(id, { id, bytes });
  }
  const last = keys.at(-1);
  if (last === undefined) throw new Error('a keyring needs at least one key');
  const current = ring.get(keyIdOf(last)) as SecretKey;
  return { current, byId: (id) => ring.get(id) };
}

/**
 * deriveKey gives the key for one purpose from a panel key (HKDF-SHA256), so that sealing and
 * hashing never use the same key material.
 */
export function deriveKey(key: SecretKey, purpose: KeyPurpose): Buffer {
  return Buffer.from(hkdfSync('sha256', key.bytes, Buffer.alloc(0), `vanta/${purpose}/v1`, KEY_BYTES));
}

/**
 * KEY_FILE_HEADER opens every key file the panel writes: what the file is and why it matters.
 */
export const KEY_FILE_HEADER = [
  '# Vanta Panel secret keys. Keep this file 0600, outside the database, and back it up',
  '# apart from the database backups: without it, two-factor secrets and recovery codes',
  '# stored in the database cannot be read or checked. The last key seals new secrets.',
];

/** renderKeyFile writes keys, oldest first, as the key file's text: the header, then `vk1 <base64url>` lines. */
export function renderKeyFile(keys: readonly Buffer[]): string {
  if (keys.length === 0) throw new Error('a key file needs at least one key');
  return `${[...KEY_FILE_HEADER, ...keys.map((k) => `vk1 ${k.toString('base64url')}`)].join('\n')}\n`;
}

/** parseKeyFile reads a key file's keys, oldest first; comments and blank lines are skipped, anything else refused. */
export function parseKeyFile(text: string): Buffer[] {
  const keys: Buffer[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = KEY_LINE.exec(line);
    const bytes = match?.[1] === undefined ? null : Buffer.from(match[1], 'base64url');
    // Line numbers only: a line of the file may be a key.
    if (bytes === null || bytes.length !== KEY_BYTES)
      throw new Error(`line ${i + 1} is not a key (vk1 and 43 base64url characters)`);
    keys.push(bytes);
  }
  if (keys.length === 0) throw new Error('the key file holds no key');
  return keys;
}
