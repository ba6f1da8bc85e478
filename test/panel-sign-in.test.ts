import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setAccountPassword } from '../src/app/set-account-password.js';
import { suspendAccount } from '../src/app/suspend-account.js';
import { terminateAccount } from '../src/app/terminate-account.js';
import { ALL_SCOPES, type TestApp, makeApp } from './support/app.js';
import { auditMark, expectAudit } from './support/audit.js';
import { BUILT_PASSWORD, buildAccount } from './support/builders.js';
import { PANEL_ORIGIN, panelClient } from './support/panel.js';
import { csrfOf, encodeForm } from './support/whm.js';

const MINUTE = 60_000;

/** clocked builds an app whose clock the test moves. */
async function clocked(env: Record<string, string> = {}): Promise<{ app: TestApp; clock: { ms: number } }> {
  const clock = { ms: Date.parse('2026-07-01T08:00:00.000Z') };
  const app = await makeApp(env, { now: () => new Date(clock.ms) });
  return { app, clock };
}

function setCookie(res: { headers: Record<string, unknown> }, name: string): string | undefined {
  const raw = res.headers['set-cookie'];
  const all = Array.isArray(raw) ? raw : raw === undefined ? [] : [String(raw)];
  return all.find((c) => c.startsWith(`${name}=`));
}

describe('user panel sign-in', () => {
  let app: TestApp;
  let clock: { ms: number };
  before(async () => {
    ({ app, clock } = await clocked({ VANTA_TRUSTED_PROXIES: '10.0.0.1' }));
    await buildAccount(app.rt.ctx, 'alice');
    await buildAccount(app.rt.ctx, 'bob');
  });
  after(() => app.close());

  it('GET / without a session is the sign-in form: labelled fields, a CSRF token, a self-only CSP', async () => {
    const res = await panelClient(app).get('/');
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.match(res.body, /<label for="f-user">User name<\/label>/);
    assert.match(res.body, /<label for="f-password">Password<\/label>/);
    assert.match(res.body, /autocomplete="current-password"/);
    assert.ok(csrfOf(res.body));
    const csp = String(res.headers['content-security-policy']);
    for (const part of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"]) {
      assert.ok(csp.includes(part), csp);
    }
    assert.doesNotMatch(res.body, /<script>|<style>| style=/);
    assert.equal(res.headers['cache-control'], 'no-store');
  });

  it('the right password sets an HttpOnly, SameSite=Lax session cookie and opens the dashboard, audited', async () => {
    const browser = panelClient(app);
    const mark = await auditMark(app);
    const res = await browser.signIn('alice', BUILT_PASSWORD);
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/');
    const cookie = setCookie(res, 'vanta_session') ?? '';
    assert.match(cookie, /; HttpOnly/);
    assert.match(cookie, /; SameSite=Lax/);
    assert.doesNotMatch(cookie, /; Secure/, 'plain http from a client, not a proxy');
    await expectAudit(
      app,
      {
        action: 'owner.sign_in',
        actor: { type: 'owner', name: 'alice' },
        target: 'alice',
        params: { via: 'password' },
        status: 200,
        ip: '127.0.0.1',
      },
      mark,
    );
    const home = await browser.get('/');
    assert.equal(home.statusCode, 200);
    assert.match(home.body, /Signed in as <strong>alice<\/strong>/);
    assert.match(home.body, /alice\.example/);
  });

  it('the cookie is Secure when a trusted proxy reports https, and not when an untrusted client claims it', async () => {
    const signInVia = async (ip: string) => {
      const page = await app.panel.inject({ method: 'GET', url: '/', remoteAddress: ip });
      const cookies = page.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
      return app.panel.inject({
        method: 'POST',
        url: '/sign-in',
        remoteAddress: ip,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-forwarded-proto': 'https',
          'x-forwarded-for': '198.51.100.7',
          origin: ip === '10.0.0.1' ? 'https://localhost:80' : PANEL_ORIGIN,
          'sec-fetch-site': 'same-origin',
          cookie: cookies,
        },
        payload: encodeForm({ user: 'bob', password: BUILT_PASSWORD, _csrf: csrfOf(page.body) }),
      });
    };
    const proxied = await signInVia('10.0.0.1');
    assert.equal(proxied.statusCode, 303, proxied.body);
    assert.match(setCookie(proxied, 'vanta_session') ?? '', /; Secure/);
    const direct = await signInVia('192.0.2.50');
    assert.equal(direct.statusCode, 303, direct.body);
    assert.doesNotMatch(setCookie(direct, 'vanta_session') ?? '', /; Secure/);
  });

  it('a wrong password, an unknown user and a terminated account are the same 401 form, each failure audited as anonymous', async () => {
    await buildAccount(app.rt.ctx, 'carol');
    await terminateAccount(app.rt.ctx, 'carol');
    for (const [user, password] of [
      ['alice', 'not-the-password'],
      ['zed', BUILT_PASSWORD],
      ['carol', BUILT_PASSWORD],
    ] as const) {
      const browser = panelClient(app, '192.0.2.77');
      const mark = await auditMark(app);
      const res = await browser.signIn(user, password);
      assert.equal(res.statusCode, 401);
      assert.match(res.body, /The user name or password is not correct\./);
      assert.equal(setCookie(res, 'vanta_session'), undefined);
      assert.ok(!res.body.includes(password));
      const entry = await expectAudit(
        app,
        {
          action: 'owner.sign_in',
          outcome: 'invalid_credentials',
          status: 401,
          actor: { type: 'anonymous' },
          target: user,
          params: { via: 'password' },
          ip: '192.0.2.77',
        },
        mark,
      );
      assert.ok(!JSON.stringify(entry).includes(password));
    }
  });

  it('a form without its CSRF token, with another one, or from another origin is refused and changes nothing', async () => {
    const browser = panelClient(app);
    const mark = await auditMark(app);
    const none = await browser.post('/sign-in', { user: 'alice', password: BUILT_PASSWORD }, { csrf: null });
    assert.equal(none.statusCode, 403);
    const forged = await browser.post('/sign-in', { user: 'alice', password: BUILT_PASSWORD }, { csrf: 'forged' });
    assert.equal(forged.statusCode, 403);
    const crossSite = await browser.post(
      '/sign-in',
      { user: 'alice', password: BUILT_PASSWORD },
      { headers: { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' } },
    );
    assert.equal(crossSite.statusCode, 403);
    for (const res of [none, forged, crossSite]) assert.equal(setCookie(res, 'vanta_session'), undefined);
    // The cross-site post is what a CSRF attack looks like: recorded, before its body is read.
    await expectAudit(
      app,
      {
        action: 'owner.form',
        outcome: 'cross_origin',
        status: 403,
        actor: { type: 'anonymous' },
        params: { path: '/sign-in', origin: 'http://evil.example', sec_fetch_site: 'cross-site' },
      },
      mark,
    );
  });

  it('a suspended account with the right password gets the suspended page and no session', async () => {
    await buildAccount(app.rt.ctx, 'dave');
    await suspendAccount(app.rt.ctx, 'dave', 'unpaid');
    const mark = await auditMark(app);
    const res = await panelClient(app).signIn('dave', BUILT_PASSWORD);
    assert.equal(res.statusCode, 409);
    assert.match(res.body, /This account is suspended/);
    assert.ok(!res.body.includes('unpaid'), 'the reason is for the provider');
    assert.equal(setCookie(res, 'vanta_session'), undefined);
    await expectAudit(
      app,
      {
        action: 'owner.sign_in',
        outcome: 'account_suspended',
        status: 409,
        target: 'dave',
        actor: { type: 'anonymous' },
      },
      mark,
    );
  });

  it('sign-out ends the session on the server, and the old cookie opens nothing', async () => {
    const browser = panelClient(app);
    await browser.signIn('alice', BUILT_PASSWORD);
    const cookie = browser.cookies.get('vanta_session') ?? '';
    const mark = await auditMark(app);
    const out = await browser.post('/sign-out', {}, { from: '/' });
    assert.equal(out.statusCode, 303);
    await expectAudit(
      app,
      { action: 'owner.sign_out', actor: { type: 'owner', name: 'alice' }, target: 'alice' },
      mark,
    );
    const replay = await app.panel.inject({
      method: 'GET',
      url: '/databases',
      headers: { cookie: `vanta_session=${cookie}` },
    });
    assert.equal(replay.statusCode, 303);
    assert.equal(replay.headers.location, '/');
  });

  it('a session ends after 30 idle minutes: pages send the browser to sign in again', async () => {
    const browser = panelClient(app);
    await browser.signIn('alice', BUILT_PASSWORD);
    clock.ms += 29 * MINUTE;
    assert.equal((await browser.get('/password')).statusCode, 200);
    clock.ms += 31 * MINUTE;
    const late = await browser.get('/password');
    assert.equal(late.statusCode, 303);
    assert.equal(late.headers.location, '/');
    const home = await browser.get('/');
    assert.match(home.body, /Sign in/);
  });

  it('a session ends 12 hours after sign-in however busy', async () => {
    const browser = panelClient(app);
    await browser.signIn('alice', BUILT_PASSWORD);
    for (let i = 0; i < 24; i++) {
      clock.ms += 29 * MINUTE;
      assert.equal((await browser.get('/password')).statusCode, 200);
    }
    clock.ms += 25 * MINUTE;
    assert.equal((await browser.get('/password')).statusCode, 303);
  });

  it('a POST with an ended session changes nothing and asks to sign in again', async () => {
    const browser = panelClient(app);
    await browser.signIn('alice', BUILT_PASSWORD);
    const page = await browser.get('/password');
    clock.ms += 31 * MINUTE;
    const mark = await auditMark(app);
    const res = await browser.post(
      '/password',
      { current: BUILT_PASSWORD, new_password: 'never-set-this-one' },
      { csrf: csrfOf(page.body) },
    );
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/');
    await expectAudit(app, null, mark);
  });

  it('sessions end when the password is set through the API, vWHM or the CLI (the use case they share)', async () => {
    const browser = panelClient(app);
    await browser.signIn('bob', BUILT_PASSWORD);
    await setAccountPassword(app.rt.ctx, 'bob', 'another-long-secret');
    assert.equal((await browser.get('/password')).statusCode, 303);
    await setAccountPassword(app.rt.ctx, 'bob', BUILT_PASSWORD);
  });

  it('/?api= is the API exactly as before, session cookie or not', async () => {
    const browser = panelClient(app);
    await browser.signIn('alice', BUILT_PASSWORD);
    const withCookie = await app.panel.inject({
      method: 'GET',
      url: '/?api=ping',
      headers: { cookie: `vanta_session=${browser.cookies.get('vanta_session')}` },
    });
    assert.equal(withCookie.statusCode, 401);
    assert.equal(withCookie.json().error, 'missing_token');
    const token = await app.token(ALL_SCOPES);
    const ping = await app.api('GET', 'api=ping', { token });
    assert.equal(ping.statusCode, 200);
    assert.equal(ping.json().ok, true);
  });
});

describe('user panel sign-in throttling', () => {
  let app: TestApp;
  let clock: { ms: number };
  before(async () => {
    ({ app, clock } = await clocked());
    await buildAccount(app.rt.ctx, 'alice');
  });
  after(() => app.close());

  it('ten failures for one account get a 429 page with Retry-After, even for the right password, each audited', async () => {
    for (let i = 0; i < 10; i++) {
      const res = await panelClient(app, `198.51.100.${i}`).signIn('alice', 'wrong-password');
      assert.equal(res.statusCode, 401);
    }
    const mark = await auditMark(app);
    const res = await panelClient(app, '203.0.113.9').signIn('alice', BUILT_PASSWORD);
    assert.equal(res.statusCode, 429);
    assert.ok(Number(res.headers['retry-after']) > 0);
    assert.match(res.body, /too many failed sign-ins for this account; try again in \d+ minutes?/);
    await expectAudit(
      app,
      { action: 'owner.sign_in', outcome: 'rate_limited', status: 429, target: 'alice', ip: '203.0.113.9' },
      mark,
    );
    const failures = await app.rt.ctx.store.audit.list({
      limit: 100,
      action: 'owner.sign_in',
      outcome: 'invalid_credentials',
    });
    assert.equal(failures.length, 10);
    clock.ms += 16 * MINUTE;
    assert.equal((await panelClient(app, '203.0.113.9').signIn('alice', BUILT_PASSWORD)).statusCode, 303);
  });

  it('twenty failures from one address refuse every name from it, and other addresses are not held up', async () => {
    for (let i = 0; i < 20; i++) await panelClient(app, '192.0.2.200').signIn(`nobody${i}`, 'wrong-password');
    assert.equal((await panelClient(app, '192.0.2.200').signIn('alice', BUILT_PASSWORD)).statusCode, 429);
    assert.equal((await panelClient(app, '192.0.2.201').signIn('alice', BUILT_PASSWORD)).statusCode, 303);
  });
});
