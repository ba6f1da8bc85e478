import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUILT_PASSWORD, buildAccount } from '../../test/support/builders.js';
import { type OwnerWorld, ownerWorlds } from '../../test/support/owner-context.js';
import { totpCode } from '../domain/totp.js';
import { changeOwnerPassword } from './change-owner-password.js';
import { findOwnerSession } from './owner-sessions.js';
import { OwnerSignIn } from './owner-sign-in.js';
import { confirmTwoFactorOn, startTwoFactor, turnTwoFactorOff } from './owner-two-factor.js';
import { setAccountPassword } from './set-account-password.js';
import { suspendAccount } from './suspend-account.js';
import { terminateAccount } from './terminate-account.js';

const world = ownerWorlds();
const client = { ip: '192.0.2.10', userAgent: 'test-browser' };
const MINUTE = 60_000;

async function rejects(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (err: Error & { code?: string }) => {
    assert.equal(err.code, code, err.message);
    return true;
  });
}

async function signIn(w: OwnerWorld, user = 'alice', password = BUILT_PASSWORD, ip = client.ip) {
  return new OwnerSignIn(w.ctx, w.limiter).withPassword({ user, password, client: { ...client, ip } });
}

/** turnOnTwoFactor turns two-factor on for the user with a code computed from the shown secret; it returns the secret and recovery codes. */
async function turnOnTwoFactor(w: OwnerWorld, user = 'alice'): Promise<{ secret: string; codes: string[] }> {
  const setup = await startTwoFactor(w.ctx, user);
  const { recoveryCodes } = await confirmTwoFactorOn(w.ctx, user, totpCode(setup.secret, w.clock.ms));
  return { secret: setup.secret, codes: recoveryCodes };
}

describe('owner sign-in with a password', () => {
  it('the right password opens a session the cookie finds, and records the sign-in', async () => {
    const w = await world();
    await buildAccount(w.ctx, 'alice');
    const signed = await signIn(w, ' Alice ');
    assert.equal(signed.user, 'alice');
    assert.equal(signed.secondFactor, false);
    assert.match(signed.session.id, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(signed.session.record.idHash, signed.session.id, 'the store keeps a hash, not the id');
    const found = await findOwnerSession(w.ctx, signed.session.id);
    assert.equal(found.state, 'live');
    assert.equal(found.state === 'live' && found.session.account.user, 'alice');
    assert.deepEqual((await w.ctx.store.accounts.signIns('alice')).last, {
      at: new Date(w.clock.ms).toISOString(),
      ip: client.ip,
    });
  });

  it('a wrong password, an unknown name and a terminated account are the same failed sign-in', async () => {
    const w = await world();
    await buildAccount(w.ctx, 'alice');
    await buildAccount(w.ctx, 'bob');
    await terminateAccount(w.ctx, 'bob');
    await rejects(signIn(w, 'alice', 'not-the-password'), 'invalid_credentials');
    await rejects(signIn(w, 'nobody'), 'invalid_credentials');
    await rejects(signIn(w, 'bob'), 'invalid_credentials');
    await rejects(signIn(w, 'Robert; drop table'), 'invalid_credentials');
  });

  it('a suspended account with the right password gets account_suspended and no session; a wrong one a failed sign-in', async () => {
    const w = await world();
    await buildAccount(w.ctx, 'alice');
    await suspendAccount(w.ctx, 'alice', 'unpaid');
    await rejects(signIn(w), 'account_suspended');
    await rejects(signIn(w, 'alice', 'wrong-password'), 'invalid_credentials');
    assert.equal(await w.ctx.store.ownerSessions.deleteByAccount('alice'), 0);
  });

  it('ten failures for one user refuse even the right password, from any address, until the window passes', async () => {
    const w = await world();
    await buildAccount(w.ctx, 'alice');
    for (let i = 0; i < 10; i++)
      await rejects(signIn(w, 'alice', 'wrong-password', `198.51.100.${i}`), 'invalid_credentials');
    await assert.rejects(
      signIn(w, 'alice', BUILT_PASSWORD, '203.0.113.1'),
      (err: Error & { code?: string; details?: { retryAfter?: number } }) => {
        assert.equal(err.code, 'rate_limited');
        assert.ok((err.details?.retryAfter ?? 0) > 0);
        assert.match(err.message, /for this account/);
        return true;
      },
    );
    w.clock.ms += 16 * MINUTE;
    assert.equal((await signIn(w)).user, 'alice');
  });

  it('twenty failures from one address refuse every user from it, and other addresses still sign in', async () => {
    const w = await world();
    await buildAccount(w.ctx, 'alice');
    for (let i = 0; i < 20; i++)
      await rejects(signIn(w, `user${i}`, 'wrong-password', '2001:db8::1'), 'invalid_credentials');
    await rejects(signIn(w, 'alice', BUILT_PASSWORD, '2001:db8::2'), 'rate_limited');
    assert.equal((await signIn(w, 'alice', BUILT_PASSWORD, '192.0.2.99')).user, 'alice');
  });
});

describe('owner sessions end', () => {
  it('after 30 idle minutes, and a request within them keeps the session alive', async () => {
    const w = await world();
    await buildAccount(w.ctx, 'alice');
    const { session } = await signIn(w);
    w.clock.ms += 29 * MINUTE;
    assert.equal((await findOwnerSession(w.ctx, session.id)).state, 'live');
    w.clock.ms += 29 * MINUTE;
    assert.equal((await findOwnerSession(w.ctx, session.id)).state, 'live');
    w.clock.ms += 31 * MINUTE;
    assert.equal((await findOwnerSession(w.ctx, session.id)).state, 'ended');
    assert.equal(await w.ctx.store.ownerSessions.get(session.record.idHash), undefined);
    assert.equal((await findOwnerSession(w.ctx, session.id)).state, 'ended');
  });

  it('12 hours after sign-in however busy', async () => {
    const w = await world();
    await buildAccount(w.ctx, 'alice');
    const { session } = await signIn(w);
    for (let i = 0; i < 24; i++) {
      w.clock.ms += 29 * MINUTE;
      assert.equal((await findOwnerSession(w.ctx, session.id)).state, 'live', `after ${(i + 1) * 29} minutes`);
    }
    w.clock.ms += 25 * MINUTE;
    assert.equal((await findOwnerSession(w.ctx, session.id)).state, 'ended');
  });

  it('a cookie that cannot be a session id is not looked up', async () => {
    const w = await world();
    assert.equal((await findOwnerSession(w.ctx, undefined)).state, 'none');
    assert.equal((await findOwnerSession(w.ctx, "x' or 1=1 --")).state, 'none');
  });

  it('when the account is suspended, terminated, or its password set by the API, vWHM or the CLI', async () => {
    const w = await world();
    await buildAccount(w.ctx, 'alice');
    const first = await signIn(w);
    const second = await signIn(w);
    await setAccountPassword(w.ctx, 'alice', 'another-long-secret');
    assert.equal((await findOwnerSession(w.ctx, first.session.id)).state, 'ended');
    assert.equal((await findOwnerSession(w.ctx, second.session.id)).state, 'ended');

    const third = await signIn(w, 'alice', 'another-long-secret');
    await suspendAccount(w.ctx, 'alice');
    assert.equal((await findOwnerSession(w.ctx, third.session.id)).state, 'ended');

    await buildAccount(w.ctx, 'bob');
    const bobs = await signIn(w, 'bob');
    await terminateAccount(w.ctx, 'bob');
    assert.equal((await findOwnerSession(w.ctx, bobs.session.id)).state, 'ended');
  });

  it("an owner's own password change ends the other sessions and keeps the one that made it", async () => {
    const w = await world();
    await buildAccount(w.ctx, 'alice');
    const mine = await signIn(w);
    const other = await signIn(w);
    await rejects(
      changeOwnerPassword(w.ctx, 'alice', 'not-the-password', 'a-new-long-secret', mine.session.record.idHash),
      'invalid_parameter',
    );
    assert.equal((await findOwnerSession(w.ctx, other.session.id)).state, 'live', 'a refused change ends nothing');
    await changeOwnerPassword(w.ctx, 'alice', BUILT_PASSWORD, 'a-new-long-secret', mine.session.record.idHash);
    assert.equal((await findOwnerSession(w.ctx, mine.session.id)).state, 'live');
    assert.equal((await findOwnerSession(w.ctx, other.session.id)).state, 'ended');
    assert.ok(w.host.state.users.get('alice')?.password, 'the system user got the password too');
    await rejects(signIn(w), 'invalid_credentials');
    assert.equal((await signIn(w, 'alice', 'a-new-long-secret')).user, 'alice');
  });
});

describe('owner sign-in with two-factor on', () => {
  it('the password opens a pending session only the code completes, with a new session id', async () => {
    const w = await world();
    await buildAccount(w.ctx, 'alice');
    const { secret } = await turnOnTwoFactor(w);
    w.clock.ms += MINUTE;
    const signed = await signIn(w);
    assert.equal(signed.secondFactor, true);
    const pending = await findOwnerSession(w.ctx, signed.session.id);
    assert.equal(pending.state, 'pending');
    assert.deepEqual((await w.ctx.store.accounts.signIns('alice')).last, null, 'no sign-in until the code');
    if (pending.state !== 'pending') return;
    const flow = new OwnerSignIn(w.ctx, w.limiter);
    await rejects(flow.withCode(pending.session, '000000', client), 'invalid_code');
    const opened = await flow.withCode(pending.session, totpCode(secret, w.clock.ms), client);
    assert.equal(opened.record.via, 'totp');
    assert.notEqual(opened.id, signed.session.id);
    assert.equal((await findOwnerSession(w.ctx, opened.id)).state, 'live');
    assert.equal((await findOwnerSession(w.ctx, signed.session.id)).state, 'ended');
  });

  it('a code is accepted once: the same code cannot sign in a second time', async () => {
    const w = await world();
    await buildAccount(w.ctx, 'alice');
    const { secret } = await turnOnTwoFactor(w);
    w.clock.ms += MINUTE;
    const code = totpCode(secret, w.clock.ms);
    const flow = new OwnerSignIn(w.ctx, w.limiter);
    const pending = async () => {
      const found = await findOwnerSession(w.ctx, (await signIn(w)).session.id);
      assert.equal(found.state, 'pending');
      return found.state === 'pending' ? found.session : assert.fail();
    };
    await flow.withCode(await pending(), code, client);
    await assert.rejects(
      flow.withCode(await pending(), code, client),
      (err: Error & { details?: { reason?: string } }) => {
        assert.equal(err.details?.reason, 'replayed');
        return true;
      },
    );
  });

  it('two requests racing with one right code: exactly one signs in', async () => {
    const w = await world();
    await buildAccount(w.ctx, 'alice');
    const { secret } = await turnOnTwoFactor(w);
    w.clock.ms += MINUTE;
    const found = await findOwnerSession(w.ctx, (await signIn(w)).session.id);
    if (found.state !== 'pending') return assert.fail('no pending session');
    const flow = new OwnerSignIn(w.ctx, w.limiter);
    const code = totpCode(secret, w.clock.ms);
    const results = await Promise.allSettled([1, 2, 3, 4].map(() => flow.withCode(found.session, code, client)));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  });

  it('a recovery code signs in once, and a pending sign-in lapses after five minutes', async () => {
    const w = await world();
    await buildAccount(w.ctx, 'alice');
    const { codes } = await turnOnTwoFactor(w);
    const flow = new OwnerSignIn(w.ctx, w.limiter);
    const signed = await signIn(w);
    const found = await findOwnerSession(w.ctx, signed.session.id);
    if (found.state !== 'pending') return assert.fail('no pending session');
    const code = (codes[3] ?? '').toUpperCase();
    const opened = await flow.withCode(found.session, code, client);
    assert.equal(opened.record.via, 'recovery_code');
    assert.equal((await w.ctx.store.twoFactor.get('alice'))?.recoveryHashes.length, 9);
    const later = await signIn(w);
    const again = await findOwnerSession(w.ctx, later.session.id);
    if (again.state !== 'pending') return assert.fail('no pending session');
    await rejects(flow.withCode(again.session, code, client), 'invalid_code');
    w.clock.ms += 5 * MINUTE;
    assert.equal((await findOwnerSession(w.ctx, later.session.id)).state, 'ended');
    assert.equal(await w.ctx.store.ownerSessions.get(again.session.record.idHash), undefined);
  });

  it('wrong codes count as failed sign-ins for the account', async () => {
    const w = await world();
    await buildAccount(w.ctx, 'alice');
    await turnOnTwoFactor(w);
    const flow = new OwnerSignIn(w.ctx, w.limiter);
    const found = await findOwnerSession(w.ctx, (await signIn(w)).session.id);
    if (found.state !== 'pending') return assert.fail('no pending session');
    for (let i = 0; i < 10; i++) await rejects(flow.withCode(found.session, '123456', client), 'invalid_code');
    await rejects(flow.withCode(found.session, '123456', client), 'rate_limited');
    await rejects(signIn(w), 'rate_limited');
  });
});

describe("checks of an owner's secrets while signed in", () => {
  it('wrong current passwords and codes count as failed sign-ins, so a stolen session cannot try them at will', async () => {
    const w = await world();
    await buildAccount(w.ctx, 'alice');
    const { secret } = await turnOnTwoFactor(w);
    const flow = new OwnerSignIn(w.ctx, w.limiter);
    const { session } = await signIn(w);
    for (let i = 0; i < 5; i++) {
      await rejects(
        flow.guard('alice', client.ip, () =>
          changeOwnerPassword(w.ctx, 'alice', 'not-the-password', 'a-new-long-secret', session.record.idHash),
        ),
        'invalid_parameter',
      );
      await rejects(
        flow.guard('alice', client.ip, () => turnTwoFactorOff(w.ctx, 'alice', '000000')),
        'invalid_code',
      );
    }
    w.clock.ms += 30_000;
    await rejects(
      flow.guard('alice', client.ip, () => turnTwoFactorOff(w.ctx, 'alice', totpCode(secret, w.clock.ms))),
      'rate_limited',
    );
    assert.equal(
      (await w.ctx.store.twoFactor.get('alice'))?.enabledAt !== null,
      true,
      'still on: the check was not made',
    );
  });

  it('a refusal that is not a wrong secret (a weak new password) does not count', async () => {
    const w = await world();
    await buildAccount(w.ctx, 'alice');
    const flow = new OwnerSignIn(w.ctx, w.limiter);
    const { session } = await signIn(w);
    for (let i = 0; i < 12; i++) {
      await rejects(
        flow.guard('alice', client.ip, () =>
          changeOwnerPassword(w.ctx, 'alice', BUILT_PASSWORD, 'short', session.record.idHash),
        ),
        'weak_password',
      );
    }
    await flow.guard('alice', client.ip, () =>
      changeOwnerPassword(w.ctx, 'alice', BUILT_PASSWORD, 'a-new-long-secret', session.record.idHash),
    );
  });
});
