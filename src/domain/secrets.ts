import { hash, randomInt } from 'node:crypto';
import { crc32 } from 'node:zlib';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const TOKEN_RE = /^vp_[A-Za-z0-9]{32}$/;

/** randomBase62 returns `length` crypto-grade random characters from [0-9A-Za-z]. */
export function randomBase62(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += BASE62[randomInt(62)];
  return out;
}

/** base62 renders a non-negative integer in base62, left-padded with '0' to `width`. */
export function base62(value: number, width: number): string {
  let n = value;
  let out = '';
  do {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  } while (n > 0);
  return out.padStart(width, '0');
}

function checksum(body: string): string {
  return base62(crc32(body), 6);
}

/** generateToken makes a new API token: `vp_`, 26 random characters and a 6-character CRC32 checksum. */
export function generateToken(): string {
  const body = randomBase62(26);
  return `vp_${body}${checksum(body)}`;
}

/** isWellFormedToken tells, without the store, whether a string can be a token this panel issued. */
export function isWellFormedToken(token: string): boolean {
  if (!TOKEN_RE.test(token)) return false;
  const body = token.slice(3, 29);
  return token.slice(29) === checksum(body);
}

/** sha256Hex is the digest under which tokens are stored and looked up. */
export function sha256Hex(value: string): string {
  return hash('sha256', value, 'hex');
}

/** tokenDisplayPrefix is the short, non-secret part shown so people can tell tokens apart. */
export function tokenDisplayPrefix(token: string): string {
  return token.slice(0, 7);
}

/** generatePassword makes a strong password of 24 crypto-grade base62 characters. */
export function generatePassword(): string {
  return randomBase62(24);
}

const SECRET_NAME_RE = /pass|token|secret|key|auth/i;

/**
 * isSecretName tells whether an input's name says it carries a secret (`password`, `api_key`,
 * `access_token`, `client_secret`, `Authorization`...): such values are redacted wherever inputs
 * are recorded, in the audit log and in the URLs the server log shows.
 */
export function isSecretName(name: string): boolean {
  return SECRET_NAME_RE.test(name);
}
