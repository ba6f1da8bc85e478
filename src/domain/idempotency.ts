import { createHash, hkdfSync } from 'node:crypto';
import { DomainError } from './errors.js';
import { KEY_BYTES, type Keyring, type SecretKey, deriveKey } from './keyring.js';
import { openSecret, sealSecret } from './sealed-secret.js';

/** IDEMPOTENCY_TTL_MS is how long a kept response answers retries: 24 hours from the first request. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

const KEY_RE = /^[\x20-\x7e]{1,255}$/;

/** checkIdempotencyKey accepts an `Idempotency-Key` of 1 to 255 printable ASCII characters, sent once. */
export function checkIdempotencyKey(values: readonly string[]): string {
  const invalid = (why: string) =>
    new DomainError('invalid_idempotency_key', `the Idempotency-Key header ${why}`, { param: 'Idempotency-Key' });
  if (values.length > 1) throw invalid('must be sent at most once');
  const key = values[0] ?? '';
  if (!KEY_RE.test(key)) throw invalid('must be 1 to 255 printable ASCII characters');
  return key;
}

/** idempotencyKeyHash is what the store keeps of a key: its SHA-256, since the key also unlocks the kept response. */
export function idempotencyKeyHash(key: string): string {
  return createHash('sha256').update('vanta idempotency key\0').update(key, 'utf8').digest('hex');
}

/** canonicalJson writes a JSON value with every object's keys sorted, so that equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** RequestShape is what makes two requests the same request: method, query (with `api` and `action`) and body. */
export interface RequestShape {
  method: string;
  query: Readonly<Record<string, unknown>>;
  body: Readonly<Record<string, unknown>>;
}

/** requestFingerprint is the SHA-256 of a request's canonical shape; no body and `{}` are the same request. */
export function requestFingerprint(request: RequestShape): string {
  const query: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(request.query)) if (value !== undefined) query[name] = value;
  const text = canonicalJson({ method: request.method, query, body: request.body });
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * responseKey derives the key that seals a kept response from both the panel's secret key and the
 * Idempotency-Key (HKDF-SHA256): the store alone, or the key file alone, opens nothing, and only
 * a caller who still has the key can have the response (a generated password in it) again.
 */
function responseKey(panelKey: SecretKey, idempotencyKey: string): Buffer {
  const salt = deriveKey(panelKey, 'idempotency');
  return Buffer.from(
    hkdfSync('sha256', Buffer.from(idempotencyKey, 'utf8'), salt, 'vanta/idempotent-response/v1', KEY_BYTES),
  );
}

/** sealResponse encrypts a response body (AES-256-GCM) for the row of (token, key hash) it is kept in. */
export function sealResponse(ring: Keyring, idempotencyKey: string, context: string, body: string): string {
  return sealSecret(ring, body, context, (key) => responseKey(key, idempotencyKey));
}

/** openResponse decrypts what sealResponse made; a wrong key or context throws SealedSecretError. */
export function openResponse(ring: Keyring, idempotencyKey: string, context: string, sealed: string): string {
  return openSecret(ring, sealed, context, (key) => responseKey(key, idempotencyKey));
}
