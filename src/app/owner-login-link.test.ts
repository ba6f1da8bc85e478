import assert from 'node:assert/strict';
import { it } from 'node:test';
import { buildAccount } from '../../test/support/builders.js';
import { ownerWorlds } from '../../test/support/owner-context.js';
import { totpCode } from '../domain/totp.js';
import { createLoginLink, loginLinkUrl, redeemLoginLink } from './owner-login-link.js';
import { findOwnerSession } from './owner-sessions.js';
import { confirmTwoFactorOn, startTwoFactor } from './owner-two-factor.js';
import { suspendAccount } from './suspend-account.js';

const world = ownerWorlds();
const client = { ip: '192.0.2.20', userAgent: null };

async function rejects(promise: Promise<unknown>, code: string, reason?: string): Promise<void> {
  await assert.rejects(promise, (err: Error & { code?: string; details?: { reason?: string } }) => {
    assert.equal(err.code, code, err.message);
    if (reason !== undefined) assert.equal(err.details?.reason, reason);
    return true;
  });
}

it('a link opens a session once, within 60 seconds, without the second factor, and only its hash is kept', async () => {
  const w = await world();
  await buildAccount(w.ctx, 'alice');
  const setup = await startTwoFactor(w.ctx, 'alice');
  await confirmTwoFactorOn(w.ctx, 'alice', totpCode(setup.secret, w.clock.ms));
  const link = await createLoginLink(w.ctx, 'alice', 'token:billing');
  assert.equal(link.expiresAt, new Date(w.clock.ms + 60_000).toISOString());
  assert.equal(await w.ctx.store.loginLinks.get(link.secret), undefined, 'the secret is not a key of the store');
  w.clock.ms += 59_000;
  const opened = await redeemLoginLink(w.ctx, link.secret, client);
  assert.equal(opened.user, 'alice');
  assert.equal(opened.createdBy, 'token:billing');
  assert.equal(opened.session.record.via, 'link');
  assert.equal((await findOwnerSession(w.ctx, opened.session.id)).state, 'live');
  await rejects(redeemLoginLink(w.ctx, link.secret, client), 'invalid_login_link', 'used');
});

it('a link is refused after 60 seconds, when unknown or malformed, and for a suspended account', async () => {
  const w = await world();
  await buildAccount(w.ctx, 'alice');
  const late = await createLoginLink(w.ctx, 'alice', 'admin:ops');
  w.clock.ms += 60_000;
  await rejects(redeemLoginLink(w.ctx, late.secret, client), 'invalid_login_link', 'expired');
  await rejects(redeemLoginLink(w.ctx, 'A'.repeat(43), client), 'invalid_login_link', 'unknown');
  await rejects(redeemLoginLink(w.ctx, 'not a link', client), 'invalid_login_link', 'unknown');
  const early = await createLoginLink(w.ctx, 'alice', 'admin:ops');
  await suspendAccount(w.ctx, 'alice');
  await rejects(redeemLoginLink(w.ctx, early.secret, client), 'account_suspended');
  await rejects(createLoginLink(w.ctx, 'alice', 'admin:ops'), 'account_suspended');
  await rejects(createLoginLink(w.ctx, 'zed', 'admin:ops'), 'account_not_found');
});

it('two requests racing with one link: exactly one session opens', async () => {
  const w = await world();
  await buildAccount(w.ctx, 'alice');
  const link = await createLoginLink(w.ctx, 'alice', 'cli');
  const results = await Promise.allSettled([1, 2, 3, 4, 5].map(() => redeemLoginLink(w.ctx, link.secret, client)));
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
});

it('the URL puts the secret in the token parameter of the sign-on path, under the base given', () => {
  assert.equal(
    loginLinkUrl('https://panel.example:2083/', 'abc_-9'),
    'https://panel.example:2083/sign-on?token=abc_-9',
  );
  assert.equal(loginLinkUrl('http://127.0.0.1:2083', 'x'), 'http://127.0.0.1:2083/sign-on?token=x');
});
