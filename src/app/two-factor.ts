import type { Keyring } from '../domain/keyring.js';
import {
  generateRecoveryCodes,
  hashRecoveryCode,
  matchRecoveryCode,
  normalizeRecoveryCode,
} from '../domain/recovery-codes.js';
import { openSecret, sealSecret, sealedKeyId } from '../domain/sealed-secret.js';
import { checkTotp, formatTotpSecret, generateTotpSecret, totpUri } from '../domain/totp.js';

/** TOTP_ISSUER is the name an authenticator app shows above the account name, unless the panel is given another. */
export const TOTP_ISSUER = 'Vanta Panel';

/** TwoFactorSetup is what the owner is shown once when turning two-factor on, and the sealed secret kept until confirmed. */
export interface TwoFactorSetup {
  /** secret is the base32 secret, for an app that cannot scan; `secretForTyping` groups it by four. */
  secret: string;
  secretForTyping: string;
  /** uri is the `otpauth://totp/...` address the QR code carries. */
  uri: string;
  /** qrSvg is the QR code of `uri` as a standalone SVG document (paths only, no text or script). */
  qrSvg: string;
  /** sealedSecret is what the store keeps of the pending secret, until a first code confirms it. */
  sealedSecret: string;
}

/** TwoFactorState is what the store keeps for an owner with two-factor on. */
export interface TwoFactorState {
  sealedSecret: string;
  /** lastUsedStep is the TOTP step of the last accepted code; no code of that step or before is accepted again. */
  lastUsedStep: number | null;
  /** recoveryHashes are the hashes of the unused recovery codes. */
  recoveryHashes: readonly string[];
}

/** TwoFactorEnrolment is the state to store once the first code confirmed the secret, and the recovery codes to show once. */
export interface TwoFactorEnrolment {
  state: TwoFactorState;
  recoveryCodes: string[];
}

/** CodeRefusal is why a typed code was refused: not shaped like a code, not right, or already used. */
export type CodeRefusal = { ok: false; reason: 'malformed' | 'wrong' | 'replayed' };

/** SecondFactorCheck is the answer to a code typed at sign-in (or to turn two-factor off). */
export type SecondFactorCheck =
  | { ok: true; via: 'totp'; lastUsedStep: number }
  | { ok: true; via: 'recovery_code'; usedHash: string; remaining: number }
  | CodeRefusal;

/** totpContext binds a sealed TOTP secret to its account: copied to another account's row, it does not open. */
function totpContext(user: string): string {
  return `totp:${user}`;
}

/** renderQrSvg draws a QR code of `text` as SVG, with medium error correction and the standard quiet zone. */
export async function renderQrSvg(text: string): Promise<string> {
  // Loaded on first use: only owners turning two-factor on need it.
  const { default: QRCode } = await import('qrcode');
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
}

async function shownSetup(issuer: string, user: string, secret: string): Promise<Omit<TwoFactorSetup, 'sealedSecret'>> {
  const uri = totpUri(issuer, user, secret);
  return { secret, secretForTyping: formatTotpSecret(secret), uri, qrSvg: await renderQrSvg(uri) };
}

/** beginTwoFactor makes a new secret for an owner, its QR code and the sealed secret to keep until a first code confirms it. */
export async function beginTwoFactor(
  ring: Keyring,
  user: string,
  issuer: string = TOTP_ISSUER,
): Promise<TwoFactorSetup> {
  const secret = generateTotpSecret();
  return { ...(await shownSetup(issuer, user, secret)), sealedSecret: sealSecret(ring, secret, totpContext(user)) };
}

/**
 * reopenTwoFactor shows a pending secret again (a first code was mistyped), from what the store
 * keeps until the secret is confirmed; once two-factor is on, the secret is never shown again.
 */
export async function reopenTwoFactor(
  ring: Keyring,
  user: string,
  pendingSealedSecret: string,
  issuer: string = TOTP_ISSUER,
): Promise<TwoFactorSetup> {
  const secret = openSecret(ring, pendingSealedSecret, totpContext(user));
  return { ...(await shownSetup(issuer, user, secret)), sealedSecret: pendingSealedSecret };
}

/**
 * confirmTwoFactor turns two-factor on when `code` is right for the pending secret: it answers the
 * state to store (the step of that code already used) and ten recovery codes to show once.
 */
export function confirmTwoFactor(
  ring: Keyring,
  user: string,
  pendingSealedSecret: string,
  code: string,
  now: Date,
): { ok: true; enrolment: TwoFactorEnrolment } | CodeRefusal {
  const checked = checkTotp(openSecret(ring, pendingSealedSecret, totpContext(user)), code, now.getTime(), null);
  if (!checked.ok) return checked;
  const { codes, hashes } = newRecoveryCodes(ring);
  return {
    ok: true,
    enrolment: {
      state: { sealedSecret: pendingSealedSecret, lastUsedStep: checked.step, recoveryHashes: hashes },
      recoveryCodes: codes,
    },
  };
}

/** newRecoveryCodes makes ten recovery codes to show once and the hashes to store instead of them. */
export function newRecoveryCodes(ring: Keyring): { codes: string[]; hashes: string[] } {
  const codes = generateRecoveryCodes();
  return { codes, hashes: codes.map((c) => hashRecoveryCode(ring, c)) };
}

/**
 * checkSecondFactor checks what an owner typed: six digits are a TOTP code (one step either side,
 * none of a step already used), anything else is tried as a recovery code. On success the caller
 * stores `lastUsedStep`, or removes `usedHash`, in the same transaction that accepts it, with a
 * compare-and-set on the old value, so that two requests racing with one code cannot both pass.
 */
export function checkSecondFactor(
  ring: Keyring,
  user: string,
  state: TwoFactorState,
  typed: string,
  now: Date,
): SecondFactorCheck {
  if (/^\s*[0-9](\s*[0-9]){5}\s*$/.test(typed)) {
    const secret = openSecret(ring, state.sealedSecret, totpContext(user));
    const checked = checkTotp(secret, typed, now.getTime(), state.lastUsedStep);
    return checked.ok ? { ok: true, via: 'totp', lastUsedStep: checked.step } : checked;
  }
  if (normalizeRecoveryCode(typed) === null) return { ok: false, reason: 'malformed' };
  const index = matchRecoveryCode(ring, state.recoveryHashes, typed);
  if (index === -1) return { ok: false, reason: 'wrong' };
  return {
    ok: true,
    via: 'recovery_code',
    usedHash: state.recoveryHashes[index] as string,
    remaining: state.recoveryHashes.length - 1,
  };
}

/**
 * resealTwoFactor re-seals a stored secret under the keyring's current key, for a key rotation:
 * null when it is already sealed under that key. Recovery hashes keep their key id and stay
 * checkable while the old key is in the file; new codes are hashed under the new key.
 */
export function resealTwoFactor(ring: Keyring, user: string, sealedSecret: string): string | null {
  if (sealedKeyId(sealedSecret) === ring.current.id) return null;
  return sealSecret(ring, openSecret(ring, sealedSecret, totpContext(user)), totpContext(user));
}
