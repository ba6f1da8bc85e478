import { DomainError } from '../domain/errors.js';
import type { TwoFactorRecord } from '../store/store.js';
import type { AppContext } from './ports.js';
import {
  type CodeRefusal,
  type TwoFactorSetup,
  beginTwoFactor,
  checkSecondFactor,
  confirmTwoFactor,
  newRecoveryCodes,
  reopenTwoFactor,
} from './two-factor.js';

/** TwoFactorStatus is what the two-factor page shows: on or off, a setup waiting for its first code, codes left. */
export interface TwoFactorStatus {
  on: boolean;
  /** pending is true while a secret was shown and no code has confirmed it yet. */
  pending: boolean;
  recoveryCodesLeft: number;
  enabledAt: string | null;
}

const REFUSAL_MESSAGES: Record<CodeRefusal['reason'], string> = {
  malformed: 'type the 6-digit code your app shows, or one of your recovery codes',
  wrong: 'that code is not right: check the time on your phone and type the code your app shows now',
  replayed: 'that code has already been used: wait for the next code your app shows',
};

const WRONG_RECOVERY_CODE = 'that recovery code is not valid: each one works once';

/** invalidCode refuses a code; `typed` is given where a recovery code is accepted too, to word a wrong one as such. */
function invalidCode(reason: CodeRefusal['reason'], typed?: string): DomainError {
  const recovery = reason === 'wrong' && typed !== undefined && !/^\s*[0-9](\s*[0-9]){5}\s*$/.test(typed);
  return new DomainError('invalid_code', recovery ? WRONG_RECOVERY_CODE : REFUSAL_MESSAGES[reason], {
    param: 'code',
    reason,
  });
}

async function enabledState(ctx: AppContext, user: string): Promise<TwoFactorRecord> {
  const state = await ctx.store.twoFactor.get(user);
  if (!state || state.enabledAt === null) {
    throw new DomainError('two_factor_disabled', 'two-factor sign-in is not on for this account');
  }
  return state;
}

/** twoFactorStatus tells whether the owner has two-factor sign-in on. */
export async function twoFactorStatus(ctx: AppContext, user: string): Promise<TwoFactorStatus> {
  const state = await ctx.store.twoFactor.get(user);
  return {
    on: state?.enabledAt != null,
    pending: state !== undefined && state.enabledAt === null,
    recoveryCodesLeft: state?.enabledAt == null ? 0 : state.recoveryHashes.length,
    enabledAt: state?.enabledAt ?? null,
  };
}

/**
 * startTwoFactor makes a new secret for the owner and keeps it, sealed, until a first code
 * confirms it; the secret and its QR code are shown once. A setup started again replaces the
 * one before.
 */
export async function startTwoFactor(ctx: AppContext, user: string): Promise<TwoFactorSetup> {
  const setup = await beginTwoFactor(await ctx.keyring(), user);
  if (!(await ctx.store.twoFactor.begin(user, setup.sealedSecret, ctx.now().toISOString()))) {
    throw new DomainError('two_factor_enabled', 'two-factor sign-in is already on for this account');
  }
  return setup;
}

/** pendingTwoFactorSetup shows again the secret of a setup still waiting for its first code, or null when none waits. */
export async function pendingTwoFactorSetup(ctx: AppContext, user: string): Promise<TwoFactorSetup | null> {
  const state = await ctx.store.twoFactor.get(user);
  if (!state || state.enabledAt !== null) return null;
  return reopenTwoFactor(await ctx.keyring(), user, state.sealedSecret);
}

/**
 * confirmTwoFactorOn turns two-factor on when the code is right for the pending secret, and
 * answers the ten recovery codes to show once.
 */
export async function confirmTwoFactorOn(
  ctx: AppContext,
  user: string,
  code: string,
): Promise<{ recoveryCodes: string[] }> {
  const state = await ctx.store.twoFactor.get(user);
  if (state?.enabledAt != null) {
    throw new DomainError('two_factor_enabled', 'two-factor sign-in is already on for this account');
  }
  if (!state) {
    throw new DomainError('two_factor_disabled', 'start the two-factor setup first: no secret is waiting for a code');
  }
  const now = ctx.now();
  const confirmed = confirmTwoFactor(await ctx.keyring(), user, state.sealedSecret, code, now);
  if (!confirmed.ok) throw invalidCode(confirmed.reason);
  const { lastUsedStep, recoveryHashes } = confirmed.enrolment.state;
  const on = await ctx.store.twoFactor.enable(
    user,
    state.sealedSecret,
    lastUsedStep ?? 0,
    recoveryHashes,
    now.toISOString(),
  );
  // Another request confirmed or replaced this secret in the meantime.
  if (!on) throw invalidCode('replayed');
  return { recoveryCodes: confirmed.enrolment.recoveryCodes };
}

/**
 * verifySecondFactor checks a code of an owner with two-factor on: a TOTP code (recorded as used,
 * so it cannot serve twice) or a recovery code (removed). Two requests racing with one code cannot
 * both pass: the store takes each code with a compare-and-set.
 */
export async function verifySecondFactor(
  ctx: AppContext,
  user: string,
  code: string,
): Promise<{ via: 'totp' | 'recovery_code'; recoveryCodesLeft: number }> {
  const state = await enabledState(ctx, user);
  const checked = checkSecondFactor(await ctx.keyring(), user, state, code, ctx.now());
  if (!checked.ok) throw invalidCode(checked.reason, code);
  if (checked.via === 'totp') {
    if (!(await ctx.store.twoFactor.useStep(user, state.lastUsedStep, checked.lastUsedStep))) {
      throw invalidCode('replayed');
    }
    return { via: 'totp', recoveryCodesLeft: state.recoveryHashes.length };
  }
  if (!(await ctx.store.twoFactor.useRecoveryCode(user, checked.usedHash))) throw invalidCode('replayed');
  return { via: 'recovery_code', recoveryCodesLeft: checked.remaining };
}

/** turnTwoFactorOff turns two-factor off after a current code (or a recovery code) proves the owner still has it. */
export async function turnTwoFactorOff(ctx: AppContext, user: string, code: string): Promise<void> {
  await verifySecondFactor(ctx, user, code);
  await ctx.store.twoFactor.disable(user);
}

/** renewRecoveryCodes replaces the unused recovery codes with ten new ones, after a current code; the new ones are shown once. */
export async function renewRecoveryCodes(
  ctx: AppContext,
  user: string,
  code: string,
): Promise<{ recoveryCodes: string[] }> {
  await verifySecondFactor(ctx, user, code);
  const { codes, hashes } = newRecoveryCodes(await ctx.keyring());
  if (!(await ctx.store.twoFactor.replaceRecoveryCodes(user, hashes))) {
    throw new DomainError('two_factor_disabled', 'two-factor sign-in is not on for this account');
  }
  return { recoveryCodes: codes };
}
