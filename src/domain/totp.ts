import { Secret, TOTP } from 'otpauth';

/**
 * TOTP_PARAMS are the parameters every authenticator app assumes when told nothing else (RFC 6238
 * with SHA-1, 6 digits, 30-second steps); `window` is how many steps either side of now are accepted.
 */
export const TOTP_PARAMS = { algorithm: 'SHA1', digits: 6, period: 30, window: 1 } as const;

/** TOTP_SECRET_BYTES is the length of a new TOTP secret: 160 bits, the HMAC-SHA-1 block RFC 4226 recommends. */
export const TOTP_SECRET_BYTES = 20;

const BASE32_SECRET = /^[A-Z2-7]{32}$/;

/** TotpCheck is the answer to a code: the step it matched, or why it was refused. */
export type TotpCheck = { ok: true; step: number } | { ok: false; reason: 'malformed' | 'wrong' | 'replayed' };

function secretOf(base32: string): Secret {
  if (!BASE32_SECRET.test(base32)) throw new Error('a TOTP secret is 32 base32 characters');
  return Secret.fromBase32(base32);
}

/** generateTotpSecret makes a new random TOTP secret, in base32 (RFC 4648, no padding) as apps take it. */
export function generateTotpSecret(): string {
  return new Secret({ size: TOTP_SECRET_BYTES }).base32;
}

/** formatTotpSecret groups a base32 secret by four for typing it into an app by hand. */
export function formatTotpSecret(base32: string): string {
  return base32.replace(/(.{4})(?=.)/g, '$1 ');
}

/**
 * totpUri is the `otpauth://totp/` address a QR code carries: the issuer (the panel's name) and the
 * account name label the entry in the app; the parameters are written out although they are the defaults.
 */
export function totpUri(issuer: string, account: string, base32: string): string {
  return new TOTP({ issuer, label: account, secret: secretOf(base32), ...TOTP_PARAMS }).toString();
}

/** totpStep is the number of the 30-second step a moment falls in. */
export function totpStep(atMs: number): number {
  return TOTP.counter({ period: TOTP_PARAMS.period, timestamp: atMs });
}

/** totpCode is the code for a moment; `digits` is there for the RFC 6238 vectors, which have 8. */
export function totpCode(base32: string, atMs: number, digits: number = TOTP_PARAMS.digits): string {
  const { algorithm, period } = TOTP_PARAMS;
  return TOTP.generate({ secret: secretOf(base32), algorithm, digits, period, timestamp: atMs });
}

/**
 * checkTotp accepts a 6-digit code (spaces ignored) of the step of `atMs` or one step either side,
 * and refuses a code of a step no later than `lastUsedStep`, the last step a code was accepted
 * for: a code seen once, by a shoulder or a proxy, cannot sign in again. The caller keeps the
 * returned step as the new `lastUsedStep` before it answers.
 */
export function checkTotp(base32: string, code: string, atMs: number, lastUsedStep: number | null): TotpCheck {
  const token = code.replace(/\s+/g, '');
  if (!/^[0-9]{6}$/.test(token)) return { ok: false, reason: 'malformed' };
  const { algorithm, digits, period, window } = TOTP_PARAMS;
  const delta = TOTP.validate({ token, secret: secretOf(base32), algorithm, digits, period, timestamp: atMs, window });
  if (delta === null) return { ok: false, reason: 'wrong' };
  const step = totpStep(atMs) + delta;
  if (lastUsedStep !== null && step <= lastUsedStep) return { ok: false, reason: 'replayed' };
  return { ok: true, step };
}
