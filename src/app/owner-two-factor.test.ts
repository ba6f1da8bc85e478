import assert from 'node:assert/strict';
import { it } from 'node:test';
import { buildAccount } from '../../test/support/builders.js';
import { ownerWorlds } from '../../test/support/owner-context.js';
import { totpCode } from '../domain/totp.js';
import {
  confirmTwoFactorOn,
  pendingTwoFactorSetup,
  renewRecoveryCodes,
  startTwoFactor,
  turnTwoFactorOff,
  twoFactorStatus,
} from './owner-two-factor.js';

const world = ownerWorlds();
const STEP = 30_000;

async function rejects(promise: Promise<unknown>, code: string, reason?: string): Promise<void> {
  await assert.rejects(promise, (err: Error & { code?: string; details?: { reason?: string } }) => {
    assert.equal(err.code, code, err.message);
    if (reason !== undefined) assert.equal(err.details?.reason, reason);
    return true;
  });
}

it('two-factor goes on with a first code of the shown secret, and the secret is stored sealed', async () => {
  const w = await world();
  await buildAccount(w.ctx, 'alice');
  assert.deepEqual(await twoFactorStatus(w.ctx, 'alice'), {
    on: false,
    pending: false,
    recoveryCodesLeft: 0,
    enabledAt: null,
  });
  await rejects(confirmTwoFactorOn(w.ctx, 'alice', '123456'), 'two_factor_disabled');
  const setup = await startTwoFactor(w.ctx, 'alice');
  assert.match(setup.qrSvg, /^<svg/);
  const stored = await w.ctx.store.twoFactor.get('alice');
  assert.ok(stored && !stored.sealedSecret.includes(setup.secret), 'the stored secret is sealed');
  assert.equal((await twoFactorStatus(w.ctx, 'alice')).pending, true);
  await rejects(confirmTwoFactorOn(w.ctx, 'alice', 'abc'), 'invalid_code', 'malformed');
  await rejects(
    confirmTwoFactorOn(w.ctx, 'alice', totpCode(setup.secret, w.clock.ms + 5 * STEP)),
    'invalid_code',
    'wrong',
  );
  const { recoveryCodes } = await confirmTwoFactorOn(w.ctx, 'alice', totpCode(setup.secret, w.clock.ms));
  assert.equal(recoveryCodes.length, 10);
  assert.equal(new Set(recoveryCodes).size, 10);
  const status = await twoFactorStatus(w.ctx, 'alice');
  assert.equal(status.on, true);
  assert.equal(status.recoveryCodesLeft, 10);
  await rejects(startTwoFactor(w.ctx, 'alice'), 'two_factor_enabled');
  await rejects(confirmTwoFactorOn(w.ctx, 'alice', totpCode(setup.secret, w.clock.ms)), 'two_factor_enabled');
});

it('a setup started again replaces the secret waiting for its code', async () => {
  const w = await world();
  await buildAccount(w.ctx, 'alice');
  const first = await startTwoFactor(w.ctx, 'alice');
  const second = await startTwoFactor(w.ctx, 'alice');
  await rejects(confirmTwoFactorOn(w.ctx, 'alice', totpCode(first.secret, w.clock.ms)), 'invalid_code', 'wrong');
  await confirmTwoFactorOn(w.ctx, 'alice', totpCode(second.secret, w.clock.ms));
});

it('turning two-factor off needs a current code: the code that turned it on, a wrong code and no code do not', async () => {
  const w = await world();
  await buildAccount(w.ctx, 'alice');
  const setup = await startTwoFactor(w.ctx, 'alice');
  const code = totpCode(setup.secret, w.clock.ms);
  await confirmTwoFactorOn(w.ctx, 'alice', code);
  await rejects(turnTwoFactorOff(w.ctx, 'alice', code), 'invalid_code', 'replayed');
  await rejects(turnTwoFactorOff(w.ctx, 'alice', ''), 'invalid_code', 'malformed');
  w.clock.ms += STEP;
  await turnTwoFactorOff(w.ctx, 'alice', totpCode(setup.secret, w.clock.ms));
  assert.equal((await twoFactorStatus(w.ctx, 'alice')).on, false);
  assert.equal(await w.ctx.store.twoFactor.get('alice'), undefined, 'the secret and codes are forgotten');
  await rejects(turnTwoFactorOff(w.ctx, 'alice', '123456'), 'two_factor_disabled');
});

it('a recovery code turns two-factor off too, and new recovery codes replace the old ones after a code', async () => {
  const w = await world();
  await buildAccount(w.ctx, 'alice');
  const setup = await startTwoFactor(w.ctx, 'alice');
  const { recoveryCodes } = await confirmTwoFactorOn(w.ctx, 'alice', totpCode(setup.secret, w.clock.ms));
  w.clock.ms += STEP;
  const renewed = await renewRecoveryCodes(w.ctx, 'alice', totpCode(setup.secret, w.clock.ms));
  assert.equal(renewed.recoveryCodes.length, 10);
  assert.equal(renewed.recoveryCodes.filter((c) => recoveryCodes.includes(c)).length, 0);
  await rejects(turnTwoFactorOff(w.ctx, 'alice', recoveryCodes[0] ?? ''), 'invalid_code', 'wrong');
  await turnTwoFactorOff(w.ctx, 'alice', renewed.recoveryCodes[0] ?? '');
  assert.equal((await twoFactorStatus(w.ctx, 'alice')).on, false);
});

it('a secret waiting for its first code can be shown again, and never once two-factor is on', async () => {
  const w = await world();
  await buildAccount(w.ctx, 'alice');
  assert.equal(await pendingTwoFactorSetup(w.ctx, 'alice'), null);
  const setup = await startTwoFactor(w.ctx, 'alice');
  const again = await pendingTwoFactorSetup(w.ctx, 'alice');
  assert.equal(again?.secret, setup.secret);
  assert.equal(again?.uri, setup.uri);
  await confirmTwoFactorOn(w.ctx, 'alice', totpCode(setup.secret, w.clock.ms));
  assert.equal(await pendingTwoFactorSetup(w.ctx, 'alice'), null);
});
