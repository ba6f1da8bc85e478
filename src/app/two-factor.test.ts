import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readQrSvg } from '../../test/support/qr.js';
import { KEY_BYTES, makeKeyring } from '../domain/keyring.js';
import { SealedSecretError, openSecret, sealedKeyId } from '../domain/sealed-secret.js';
import { totpCode, totpStep } from '../domain/totp.js';
import {
  TOTP_ISSUER,
  type TwoFactorState,
  beginTwoFactor,
  checkSecondFactor,
  confirmTwoFactor,
  newRecoveryCodes,
  renderQrSvg,
  resealTwoFactor,
} from './two-factor.js';

const ring = makeKeyring([Buffer.alloc(KEY_BYTES, 9)]);
const NOW = new Date('2026-03-01T12:00:10Z');
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

describe('turning two-factor on', () => {
  it('shows a secret, its otpauth URI and a QR code that reads back as that URI; keeps only the sealed secret', async () => {
    const setup = await beginTwoFactor(ring, 'alice');
    assert.match(setup.secret, /^[A-Z2-7]{32}$/);
    assert.equal(setup.secretForTyping.replaceAll(' ', ''), setup.secret);
    assert.equal(
      setup.uri,
      `otpauth://totp/Vanta%20Panel:alice?issuer=Vanta%20Panel&secret=${setup.secret}&algorithm=SHA1&digits=6&period=30`,
    );
    assert.equal(TOTP_ISSUER, 'Vanta Panel');
    assert.equal(readQrSvg(setup.qrSvg), setup.uri);
    assert.match(setup.qrSvg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 \d+ \d+"/);
    assert.doesNotMatch(setup.qrSvg, /<script|<text|<image|<foreignObject|on\w+=|href/i);
    assert.ok(!setup.sealedSecret.includes(setup.secret));
    assert.equal(openSecret(ring, setup.sealedSecret, 'totp:alice'), setup.secret);
  });

  it('the QR code of another issuer carries it', async () => {
    const setup = await beginTwoFactor(ring, 'bob', 'panel.example.net');
    assert.equal(readQrSvg(setup.qrSvg), setup.uri);
    assert.match(setup.uri, /^otpauth:\/\/totp\/panel\.example\.net:bob\?issuer=panel\.example\.net&/);
  });

  it('renders any text as a QR code it reads back (the decoder is not fooled by a blank)', async () => {
    assert.equal(readQrSvg(await renderQrSvg('hello')), 'hello');
    assert.equal(readQrSvg(await renderQrSvg('x')), 'x');
    assert.notEqual(readQrSvg(await renderQrSvg('hello')), 'hellO');
  });

  it('a first right code confirms: the state keeps the sealed secret, that step as used and ten hashed recovery codes', async () => {
    const setup = await beginTwoFactor(ring, 'alice');
    const confirmed = confirmTwoFactor(ring, 'alice', setup.sealedSecret, totpCode(setup.secret, NOW.getTime()), NOW);
    assert.ok(confirmed.ok);
    const { state, recoveryCodes } = confirmed.enrolment;
    assert.equal(state.sealedSecret, setup.sealedSecret);
    assert.equal(state.lastUsedStep, totpStep(NOW.getTime()));
    assert.equal(recoveryCodes.length, 10);
    assert.equal(state.recoveryHashes.length, 10);
    for (const [i, hash] of state.recoveryHashes.entries()) {
      assert.ok(!hash.includes((recoveryCodes[i] ?? '').slice(0, 5)));
    }
    // The code that confirmed cannot sign in afterwards.
    assert.deepEqual(checkSecondFactor(ring, 'alice', state, totpCode(setup.secret, NOW.getTime()), NOW), {
      ok: false,
      reason: 'replayed',
    });
  });

  it('a wrong or malformed first code does not confirm', async () => {
    const setup = await beginTwoFactor(ring, 'alice');
    const right = totpCode(setup.secret, NOW.getTime());
    const wrong = String((Number(right) + 500_000) % 1_000_000).padStart(6, '0');
    assert.deepEqual(confirmTwoFactor(ring, 'alice', setup.sealedSecret, wrong, NOW), { ok: false, reason: 'wrong' });
    assert.deepEqual(confirmTwoFactor(ring, 'alice', setup.sealedSecret, '12a456', NOW), {
      ok: false,
      reason: 'malformed',
    });
    assert.deepEqual(
      confirmTwoFactor(ring, 'alice', setup.sealedSecret, totpCode(setup.secret, at(-90).getTime()), NOW),
      {
        ok: false,
        reason: 'wrong',
      },
    );
  });

  it("a pending secret sealed for one owner does not confirm another's", async () => {
    const setup = await beginTwoFactor(ring, 'alice');
    assert.throws(
      () => confirmTwoFactor(ring, 'mallory', setup.sealedSecret, totpCode(setup.secret, NOW.getTime()), NOW),
      SealedSecretError,
    );
  });
});

describe('signing in with a second factor', () => {
  const enrol = async () => {
    const setup = await beginTwoFactor(ring, 'alice');
    const confirmed = confirmTwoFactor(ring, 'alice', setup.sealedSecret, totpCode(setup.secret, NOW.getTime()), NOW);
    if (!confirmed.ok) throw new Error('enrolment failed');
    return { secret: setup.secret, ...confirmed.enrolment };
  };

  it('a code of the next steps passes once; a replay, a code from the past and one two steps away do not', async () => {
    const { secret, state } = await enrol();
    const later = at(60);
    const code = totpCode(secret, later.getTime());
    const first = checkSecondFactor(ring, 'alice', state, code, later);
    assert.deepEqual(first, { ok: true, via: 'totp', lastUsedStep: totpStep(later.getTime()) });
    const stored: TwoFactorState = {
      ...state,
      lastUsedStep: first.ok && first.via === 'totp' ? first.lastUsedStep : null,
    };
    assert.deepEqual(checkSecondFactor(ring, 'alice', stored, code, later), { ok: false, reason: 'replayed' });
    assert.deepEqual(checkSecondFactor(ring, 'alice', stored, totpCode(secret, at(30).getTime()), later), {
      ok: false,
      reason: 'replayed',
    });
    assert.deepEqual(checkSecondFactor(ring, 'alice', stored, totpCode(secret, at(150).getTime()), later), {
      ok: false,
      reason: 'wrong',
    });
    assert.deepEqual(checkSecondFactor(ring, 'alice', stored, totpCode(secret, at(90).getTime()), later), {
      ok: true,
      via: 'totp',
      lastUsedStep: totpStep(later.getTime()) + 1,
    });
  });

  it('a recovery code passes, in any spelling, naming the hash to remove; removed, it does not pass again', async () => {
    const { state, recoveryCodes } = await enrol();
    const typed = (recoveryCodes[4] ?? '').toUpperCase().replaceAll('-', ' ');
    const used = checkSecondFactor(ring, 'alice', state, typed, NOW);
    assert.deepEqual(used, { ok: true, via: 'recovery_code', usedHash: state.recoveryHashes[4], remaining: 9 });
    const after: TwoFactorState = {
      ...state,
      recoveryHashes: state.recoveryHashes.filter((h) => h !== state.recoveryHashes[4]),
    };
    assert.deepEqual(checkSecondFactor(ring, 'alice', after, typed, NOW), { ok: false, reason: 'wrong' });
    assert.equal(checkSecondFactor(ring, 'alice', after, recoveryCodes[5] ?? '', NOW).ok, true);
  });

  it('answers malformed for what is neither six digits nor a recovery code', async () => {
    const { state } = await enrol();
    for (const typed of ['', '   ', '12345', 'password', 'k7m2q-9xh4t']) {
      assert.deepEqual(checkSecondFactor(ring, 'alice', state, typed, NOW), { ok: false, reason: 'malformed' }, typed);
    }
    assert.deepEqual(checkSecondFactor(ring, 'alice', state, 'k7m2q-9xh4t-c3wpa', NOW), { ok: false, reason: 'wrong' });
  });

  it('new recovery codes replace the old ones', () => {
    const { codes, hashes } = newRecoveryCodes(ring);
    assert.equal(codes.length, 10);
    assert.equal(hashes.length, 10);
    assert.equal(new Set(hashes).size, 10);
  });

  it('resealing moves a secret to the current key and leaves one already there', async () => {
    const { secret, state } = await enrol();
    assert.equal(resealTwoFactor(ring, 'alice', state.sealedSecret), null);
    const rotated = makeKeyring([Buffer.alloc(KEY_BYTES, 9), Buffer.alloc(KEY_BYTES, 10)]);
    const moved = resealTwoFactor(rotated, 'alice', state.sealedSecret);
    assert.ok(moved);
    assert.equal(sealedKeyId(moved), rotated.current.id);
    assert.equal(openSecret(makeKeyring([Buffer.alloc(KEY_BYTES, 10)]), moved, 'totp:alice'), secret);
    // Recovery codes hashed under the old key still pass while it is in the ring.
    assert.equal(
      checkSecondFactor(rotated, 'alice', { ...state, sealedSecret: moved }, totpCode(secret, at(60).getTime()), at(60))
        .ok,
      true,
    );
  });
});
