import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { confirmTwoFactorOn, startTwoFactor } from '../src/app/owner-two-factor.js';
import { totpCode } from '../src/domain/totp.js';
import { ALL_SCOPES, type TestApp, makeApp } from './support/app.js';
import { auditMark, expectAudit } from './support/audit.js';
import { BUILT_PASSWORD, buildAccount } from './support/builders.js';
import { type PanelClient, panelClient } from './support/panel.js';
import { whmClient } from './support/whm.js';

const STEP = 30_000;

/** fieldError returns the error shown next to a form field, or null. */
function fieldError(html: string, field: string): string | null {
  return new RegExp(`id="f-${field}-error">([^<]*)<`).exec(html)?.[1] ?? null;
}

describe('two-factor sign-in in the user panel', () => {
  let app: TestApp;
  const clock = { ms: Date.parse('2026-07-01T08:00:00.000Z') };
  let browser: PanelClient;
  let secret = '';
  let recovery: string[] = [];
  before(async () => {
    app = await makeApp({}, { now: () => new Date(clock.ms) });
    await buildAccount(app.rt.ctx, 'alice');
    browser = panelClient(app);
    assert.equal((await browser.signIn('alice', BUILT_PASSWORD)).statusCode, 303);
  });
  after(() => app.close());

  it('is off at first; setting it up shows the key once, as a QR code and as text', async () => {
    const page = await browser.get('/two-factor');
    assert.match(page.body, /Two-factor sign-in is off/);
    const mark = await auditMark(app);
    const setup = await browser.post('/two-factor/start', {}, { from: '/two-factor' });
    assert.equal(setup.statusCode, 200);
    assert.match(setup.body, /<div class="qr"[^>]*><svg/);
    secret = (/id="totp-secret">([A-Z2-7 ]+)</.exec(setup.body)?.[1] ?? '').replace(/ /g, '');
    assert.match(secret, /^[A-Z2-7]{32}$/);
    assert.equal(setup.headers['cache-control'], 'no-store');
    await expectAudit(app, { action: 'owner.two_factor_start', actor: { type: 'owner', name: 'alice' } }, mark);
    const again = await browser.get('/two-factor');
    assert.ok(!again.body.includes(secret.slice(0, 8)), 'a GET never shows the key');
  });

  it('a wrong first code shows the same key again with the error, audited; the right one turns it on with ten recovery codes', async () => {
    const mark = await auditMark(app);
    const wrong = await browser.post(
      '/two-factor/confirm',
      { code: totpCode(secret, clock.ms + 10 * STEP) },
      { from: '/two-factor' },
    );
    assert.equal(wrong.statusCode, 401);
    assert.match(fieldError(wrong.body, 'code') ?? '', /not right/);
    assert.ok(wrong.body.includes(secret.slice(0, 4)));
    await expectAudit(app, { action: 'owner.two_factor_on', outcome: 'invalid_code', status: 401 }, mark);
    const right = await browser.post(
      '/two-factor/confirm',
      { code: totpCode(secret, clock.ms) },
      { from: '/two-factor' },
    );
    assert.equal(right.statusCode, 200);
    recovery = [...right.body.matchAll(/<li>([0-9a-z]{5}-[0-9a-z]{5}-[0-9a-z]{5})<\/li>/g)].map((m) => m[1] ?? '');
    assert.equal(recovery.length, 10);
    await expectAudit(app, { action: 'owner.two_factor_on', actor: { type: 'owner', name: 'alice' }, params: {} });
    assert.match((await browser.get('/two-factor')).body, /10 recovery codes left/);
  });

  it('signing in now takes the password, then a code; the code page alone opens nothing else', async () => {
    const other = panelClient(app, '192.0.2.30');
    const first = await other.signIn('alice', BUILT_PASSWORD);
    assert.equal(first.statusCode, 303);
    assert.equal(first.headers.location, '/sign-in/code');
    const pending = other.cookies.get('vanta_session');
    for (const url of ['/', '/databases', '/password']) {
      const res = await other.get(url);
      assert.equal(res.statusCode, 303, url);
      assert.equal(res.headers.location, '/sign-in/code');
    }
    const mark = await auditMark(app);
    const wrong = await other.post('/sign-in/code', { code: '000000' }, { from: '/sign-in/code' });
    assert.equal(wrong.statusCode, 401);
    await expectAudit(
      app,
      {
        action: 'owner.sign_in',
        outcome: 'invalid_code',
        actor: { type: 'anonymous' },
        target: 'alice',
        params: { via: 'second_factor' },
      },
      mark,
    );
    clock.ms += STEP;
    const right = await other.post('/sign-in/code', { code: totpCode(secret, clock.ms) }, { from: '/sign-in/code' });
    assert.equal(right.statusCode, 303);
    assert.equal(right.headers.location, '/');
    assert.notEqual(other.cookies.get('vanta_session'), pending, 'a new session id once the code passed');
    await expectAudit(app, {
      action: 'owner.sign_in',
      actor: { type: 'owner', name: 'alice' },
      params: { via: 'totp' },
    });
    assert.equal((await other.get('/')).statusCode, 200);
  });

  it('a recovery code signs in once', async () => {
    const code = recovery[0] ?? '';
    const one = panelClient(app, '192.0.2.31');
    await one.signIn('alice', BUILT_PASSWORD);
    assert.equal((await one.post('/sign-in/code', { code }, { from: '/sign-in/code' })).statusCode, 303);
    await expectAudit(app, { action: 'owner.sign_in', params: { via: 'recovery_code' } });
    const two = panelClient(app, '192.0.2.32');
    await two.signIn('alice', BUILT_PASSWORD);
    const reused = await two.post('/sign-in/code', { code }, { from: '/sign-in/code' });
    assert.equal(reused.statusCode, 401);
    assert.match(fieldError(reused.body, 'code') ?? '', /recovery code is not valid: each one works once/);
  });

  it('new recovery codes need a current code and replace the old ones', async () => {
    clock.ms += STEP;
    const res = await browser.post(
      '/two-factor/recovery-codes',
      { code: totpCode(secret, clock.ms) },
      { from: '/two-factor' },
    );
    assert.equal(res.statusCode, 200);
    assert.equal([...res.body.matchAll(/<li>[0-9a-z-]{17}<\/li>/g)].length, 10);
    await expectAudit(app, { action: 'owner.recovery_codes' });
  });

  it('turning it off needs a current code: a used one is refused and audited, a fresh one turns it off', async () => {
    const used = totpCode(secret, clock.ms);
    const mark = await auditMark(app);
    const refused = await browser.post('/two-factor/off', { code: used }, { from: '/two-factor' });
    assert.equal(refused.statusCode, 401);
    await expectAudit(app, { action: 'owner.two_factor_off', outcome: 'invalid_code' }, mark);
    clock.ms += STEP;
    const off = await browser.post('/two-factor/off', { code: totpCode(secret, clock.ms) }, { from: '/two-factor' });
    assert.equal(off.statusCode, 303);
    await expectAudit(app, { action: 'owner.two_factor_off', actor: { type: 'owner', name: 'alice' } });
    const plain = panelClient(app, '192.0.2.33');
    const res = await plain.signIn('alice', BUILT_PASSWORD);
    assert.equal(res.headers.location, '/');
  });
});

describe('single sign-on links', () => {
  let app: TestApp;
  const clock = { ms: Date.parse('2026-07-01T08:00:00.000Z') };
  let token: string;
  before(async () => {
    app = await makeApp({}, { now: () => new Date(clock.ms) });
    token = await app.token(ALL_SCOPES, { name: 'billing' });
    await buildAccount(app.rt.ctx, 'alice');
    await buildAccount(app.rt.ctx, 'bob');
  });
  after(() => app.close());

  const login = (user: string, headers: Record<string, string> = {}) =>
    app.api('POST', `api=account&action=login&user=${user}`, { token, headers });

  it('POST ?api=account&action=login answers a one-time URL on the request origin, valid 60 s, audited without the secret', async () => {
    const mark = await auditMark(app);
    const res = await login('alice', { host: 'panel.example:2083' });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.deepEqual(Object.keys(body).sort(), ['expires_at', 'ok', 'url']);
    assert.equal(body.expires_at, new Date(clock.ms + 60_000).toISOString());
    const url = new URL(body.url);
    assert.equal(url.origin, 'http://panel.example:2083');
    assert.equal(url.pathname, '/sign-on');
    const secret = url.searchParams.get('token') ?? '';
    assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
    const entry = await expectAudit(
      app,
      {
        action: 'account.login',
        actor: { type: 'token', name: 'billing' },
        target: 'alice',
        params: { action: 'login', user: 'alice' },
        status: 200,
      },
      mark,
    );
    assert.ok(!JSON.stringify(entry).includes(secret));
  });

  it('the link opens a session once, even with two-factor on, and the audit log says who made it', async () => {
    const setup = await startTwoFactor(app.rt.ctx, 'bob');
    await confirmTwoFactorOn(app.rt.ctx, 'bob', totpCode(setup.secret, clock.ms));
    const url = new URL((await login('bob')).json().url);
    const browser = panelClient(app, '192.0.2.40');
    const mark = await auditMark(app);
    const opened = await browser.get(`${url.pathname}${url.search}`);
    assert.equal(opened.statusCode, 303);
    assert.equal(opened.headers.location, '/');
    assert.match((await browser.get('/')).body, /Signed in as <strong>bob<\/strong>/);
    await expectAudit(
      app,
      {
        action: 'owner.sign_in',
        actor: { type: 'owner', name: 'bob' },
        params: { via: 'link', created_by: 'token:billing' },
      },
      mark,
    );
    const again = await panelClient(app, '192.0.2.41').get(`${url.pathname}${url.search}`);
    assert.equal(again.statusCode, 401);
    assert.match(again.body, /already been used/);
    await expectAudit(app, {
      action: 'owner.sign_in',
      outcome: 'invalid_login_link',
      params: { via: 'link', reason: 'used' },
    });
  });

  it('a link is refused 60 seconds after it was made', async () => {
    const url = new URL((await login('alice')).json().url);
    clock.ms += 60_000;
    const late = await panelClient(app).get(`${url.pathname}${url.search}`);
    assert.equal(late.statusCode, 401);
    assert.match(late.body, /expired/);
  });

  it('VANTA_PANEL_URL sets the origin of the links', async () => {
    const configured = await makeApp({ VANTA_PANEL_URL: 'https://panel.example.net' });
    try {
      const t = await configured.token(ALL_SCOPES);
      await buildAccount(configured.rt.ctx, 'alice');
      const res = await configured.api('POST', 'api=account&action=login&user=alice', { token: t });
      assert.ok(res.json().url.startsWith('https://panel.example.net/sign-on?token='), res.body);
    } finally {
      await configured.close();
    }
  });

  it('needs accounts:write, names an existing active account, and is refused for a suspended one', async () => {
    const reader = await app.token(['accounts:read']);
    const denied = await app.api('POST', 'api=account&action=login&user=alice', { token: reader });
    assert.equal(denied.statusCode, 403);
    assert.equal(denied.json().required_scope, 'accounts:write');
    assert.equal((await login('nosuchuser')).json().error, 'account_not_found');
    await app.api('POST', 'api=account&action=suspend&user=bob', { token });
    const suspended = await login('bob');
    assert.equal(suspended.statusCode, 409);
    assert.equal(suspended.json().error, 'account_suspended');
  });

  it('vWHM "Log in as owner" makes a link on the user panel, audited as the admin', async () => {
    const admin = await whmClient(app, 'ops');
    const page = await admin.get('/accounts/alice');
    assert.match(page.body, /Log in as owner/);
    const mark = await auditMark(app);
    const res = await admin.post('/accounts/alice/login', {}, { from: '/accounts/alice' });
    assert.equal(res.statusCode, 200);
    const href = /<a class="button" href="([^"]+)" target="_blank" rel="noopener noreferrer">/.exec(res.body)?.[1];
    const target = new URL((href ?? '').replaceAll('&amp;', '&'));
    assert.equal(target.origin, 'http://localhost:2083', 'the user panel port, on the host vWHM was reached at');
    assert.equal(target.pathname, '/sign-on');
    await expectAudit(app, { action: 'account.login', actor: { type: 'admin', name: 'ops' }, target: 'alice' }, mark);
    const browser = panelClient(app);
    assert.equal((await browser.get(`${target.pathname}${target.search}`)).statusCode, 303);
    assert.match((await browser.get('/')).body, /Signed in as <strong>alice<\/strong>/);
  });
});
