import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { auditMark, expectAudit } from './support/audit.js';
import { buildAccount, buildPlan } from './support/builders.js';
import { type WhmClient, basicAuth, encodeForm, whmClient, whmSuite } from './support/whm.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PAGES = ['/', '/accounts', '/accounts/new', '/plans', '/tokens', '/tokens/new', '/audit', '/admins'];
/** fieldError returns the error shown next to a form field, or null. */
function fieldError(html: string, field: string): string | null {
  return new RegExp(`id="f-${field}-error">([^<]*)<`).exec(html)?.[1] ?? null;
}

function inputValue(html: string, field: string): string | null {
  return new RegExp(`id="f-${field}" name="${field}" type="[a-z]+" value="([^"]*)"`).exec(html)?.[1] ?? null;
}

describe('vWHM sign-in, CSRF and headers', () => {
  const t = whmSuite();

  for (const url of [...PAGES, '/accounts/nosuchuser', '/audit/export.csv', '/assets/vanta.css']) {
    it(`GET ${url} needs Basic Auth: none and a wrong password get 401 with a challenge`, async () => {
      const none = await t.app.whm.inject({ method: 'GET', url });
      assert.equal(none.statusCode, 401);
      assert.match(String(none.headers['www-authenticate']), /^Basic realm="vWHM"/);
      const wrong = await t.app.whm.inject({
        method: 'GET',
        url,
        headers: { authorization: basicAuth('alice', 'not-the-password') },
      });
      assert.equal(wrong.statusCode, 401);
      assert.doesNotMatch(wrong.body, /<html/);
    });
  }

  it('a POST without Basic Auth is refused before anything runs', async () => {
    const mark = await auditMark(t.app);
    const res = await t.app.whm.inject({
      method: 'POST',
      url: '/plans',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'name=nope',
    });
    assert.equal(res.statusCode, 401);
    assert.equal(await t.app.rt.ctx.store.plans.get('nope'), undefined);
    await expectAudit(t.app, null, mark);
  });

  for (const url of PAGES) {
    it(`GET ${url} is a page with a strict CSP, no inline script or style, and the signed-in admin`, async () => {
      const res = await t.whm.get(url);
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/html/);
      const csp = String(res.headers['content-security-policy']);
      for (const part of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"])
        assert.ok(csp.includes(part), csp);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.equal(res.headers['x-frame-options'], 'DENY');
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.doesNotMatch(res.body, /<script(?![^>]*\bsrc=)[^>]*>/, 'inline script');
      assert.doesNotMatch(res.body, /<style|\sstyle="|\son[a-z]+="/, 'inline style or handler');
      assert.match(res.body, /Signed in as <strong>alice<\/strong>/);
      assert.match(res.body, /<nav aria-label="Main">/);
      for (const label of ['Dashboard', 'Accounts', 'Plans', 'API Tokens', 'Audit Log', 'Admins'])
        assert.ok(res.body.includes(`>${label}</a>`), label);
      // Every input has a label pointing at it.
      for (const m of res.body.matchAll(/<(?:input|select|textarea) id="([^"]+)"/g))
        assert.ok(res.body.includes(`for="${m[1]}"`), `no label for ${m[1]}`);
    });
  }

  it('assets are served with a long cache and versioned URLs; htmx comes from node_modules', async () => {
    const page = await t.whm.get('/');
    const urls = [...page.body.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((m) => m[1] ?? '');
    assert.equal(urls.length, 3, urls.join(' '));
    for (const url of urls) {
      assert.match(url, /\?v=[0-9a-f]{12}$/);
      const res = await t.whm.get(url);
      assert.equal(res.statusCode, 200, url);
      assert.match(String(res.headers['cache-control']), /max-age=31536000/);
    }
    const htmx = await t.whm.get(urls.find((u) => u.includes('htmx')) ?? '');
    assert.match(htmx.body, /htmx/);
    assert.ok(htmx.body.length > 20_000);
    const css = await t.whm.get(urls.find((u) => u.includes('.css')) ?? '');
    assert.match(css.body, /prefers-color-scheme: ?dark/);
    assert.match(css.body, /@media \(max-width: ?40rem\)/);
    const script = await t.whm.get(urls.find((u) => u.includes('vanta.js')) ?? '');
    assert.match(script.body, /data-copy/);
  });

  it('the stylesheet and the script are files the build copies next to the bundle', () => {
    for (const name of ['vanta.css', 'vanta.js']) {
      const source = readFileSync(join(ROOT, 'src', 'http', 'ui', 'static', name), 'utf8');
      assert.equal(readFileSync(join(ROOT, 'dist', 'static', name), 'utf8'), source, name);
    }
  });

  const csrfCases: Array<[string, { csrf?: string | null; dropCookie?: boolean }]> = [
    ['no token', { csrf: null }],
    ['a made-up token', { csrf: 'abc-not-a-token' }],
    ['a real token but no CSRF cookie', { dropCookie: true }],
  ];
  for (const [name, opts] of csrfCases) {
    it(`a form POST with ${name} gets 403 and changes nothing`, async () => {
      const mark = await auditMark(t.app);
      let res: Awaited<ReturnType<WhmClient['post']>>;
      if (opts.dropCookie) {
        const token = await t.whm.csrfFrom('/plans');
        res = await t.app.whm.inject({
          method: 'POST',
          url: '/plans',
          headers: {
            authorization: basicAuth('alice', 'correct-horse-battery-9'),
            'content-type': 'application/x-www-form-urlencoded',
          },
          payload: encodeForm({ name: 'csrfplan', _csrf: token }),
        });
      } else {
        res = await t.whm.post('/plans', { name: 'csrfplan' }, { csrf: opts.csrf });
      }
      assert.equal(res.statusCode, 403);
      assert.match(res.body, /Form refused/);
      assert.equal(await t.app.rt.ctx.store.plans.get('csrfplan'), undefined);
      await expectAudit(t.app, null, mark);
    });
  }

  it('a token from one admin session works with its own cookie only (a second client cannot reuse it)', async () => {
    const token = await t.whm.csrfFrom('/plans');
    const other = await whmClient(t.app, 'bob', 'another-strong-pass-7');
    await other.get('/');
    const res = await other.post('/plans', { name: 'crossplan' }, { csrf: token });
    assert.equal(res.statusCode, 403);
    assert.equal(await t.app.rt.ctx.store.plans.get('crossplan'), undefined);
  });

  it('unknown records answer 404 pages', async () => {
    for (const url of ['/accounts/nosuchuser', '/tokens/999/revoke', '/plans/none/edit']) {
      const res = await t.whm.get(url);
      assert.equal(res.statusCode, 404, url);
      assert.match(res.body, /Not found/);
    }
  });
});

describe('vWHM accounts', () => {
  const t = whmSuite(async (t) => {
    await buildPlan(t.app.rt.ctx, 'basic');
    await buildPlan(t.app.rt.ctx, 'pro', { diskMb: 10_000 });
  });

  it('creates an account with a generated password, shown once on an uncached page, and audits it as the admin', async () => {
    const res = await t.whm.post(
      '/accounts',
      { user: 'carol', domain: 'Carol.Example', email: 'c@carol.example', plan: 'basic', password_mode: 'generate' },
      { from: '/accounts/new' },
    );
    assert.equal(res.statusCode, 201);
    assert.equal(res.headers['cache-control'], 'no-store');
    const password = /id="new-password">([^<]+)</.exec(res.body)?.[1];
    assert.ok(password && password.length >= 16, res.body);
    assert.match(res.body, /only time it is shown/);
    const account = await t.app.rt.ctx.store.accounts.get('carol');
    assert.equal(account?.status, 'active');
    assert.equal(account?.domain, 'carol.example');
    assert.ok(account && (await t.app.rt.ctx.hasher.verify(account.passwordHash, password)));
    assert.ok(await t.app.rt.ctx.host.systemUsers.exists('carol'));
    const entry = await expectAudit(t.app, {
      action: 'account.create',
      target: 'carol',
      actor: { type: 'admin', name: 'alice' },
    });
    assert.ok(!JSON.stringify(entry).includes(password));
    const page = await t.whm.get('/accounts/carol');
    assert.ok(!page.body.includes(password), 'the password is shown again');
  });

  it('creates an account with a given password and redirects to it with a flash message', async () => {
    const secret = 'my-own-secret-42';
    const res = await t.whm.post(
      '/accounts',
      { user: 'dave', domain: 'dave.example', password_mode: 'set', password: secret, plan: '' },
      { from: '/accounts/new' },
    );
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/accounts/dave');
    const page = await t.whm.get('/accounts/dave');
    assert.match(page.body, /role="status">Created account dave\.</);
    const again = await t.whm.get('/accounts/dave');
    assert.doesNotMatch(again.body, /Created account dave/, 'the flash shows once');
    const entry = await expectAudit(t.app, { action: 'account.create', target: 'dave' });
    assert.ok(!JSON.stringify(entry).includes(secret));
  });

  const invalid: Array<[string, Record<string, string>, string, Record<string, unknown>]> = [
    ['a bad user name', { user: 'Bad User', domain: 'x.example' }, 'user', { user: 'Bad User', domain: 'x.example' }],
    ['a reserved user name', { user: 'root', domain: 'x.example' }, 'user', { user: 'root', domain: 'x.example' }],
    ['an IP as domain', { user: 'erin', domain: '10.0.0.1' }, 'domain', { user: 'erin', domain: '10.0.0.1' }],
    [
      'a bad email',
      { user: 'erin', domain: 'erin.example', email: 'nope' },
      'email',
      { user: 'erin', domain: 'erin.example', email: 'nope' },
    ],
    [
      'a short password',
      { user: 'erin', domain: 'erin.example', password_mode: 'set', password: 'short' },
      'password',
      { user: 'erin', domain: 'erin.example', password: 'short' },
    ],
    [
      'an unknown plan',
      { user: 'erin', domain: 'erin.example', plan: 'gold' },
      'plan',
      { user: 'erin', domain: 'erin.example', plan: 'gold' },
    ],
  ];
  for (const [name, form, field, apiBody] of invalid) {
    it(`create with ${name} re-shows the form with the API's message at the ${field} field, keeping input but not the password`, async () => {
      const token = await t.app.token(['accounts:write']);
      const api = await t.app.api('POST', 'api=accounts', { token, body: apiBody });
      const apiError = JSON.parse(api.body) as { error: string; message: string };
      const res = await t.whm.post('/accounts', form, { from: '/accounts/new' });
      assert.equal(res.statusCode, api.statusCode);
      assert.equal(fieldError(res.body, field), apiError.message.replace(/"/g, '&quot;'));
      assert.match(res.body, /aria-invalid="true"/);
      assert.equal(inputValue(res.body, 'domain'), form.domain);
      assert.equal(inputValue(res.body, 'password'), '');
      assert.equal(await t.app.rt.ctx.store.accounts.get(form.user ?? ''), undefined);
      await expectAudit(t.app, { action: 'account.create', outcome: apiError.error, actor: { name: 'alice' } });
    });
  }

  it('an account that exists already is a form-level error', async () => {
    const res = await t.whm.post('/accounts', { user: 'carol', domain: 'other.example' }, { from: '/accounts/new' });
    assert.equal(res.statusCode, 409);
    assert.match(res.body, /role="alert">account carol already exists</);
  });

  it('the list searches, filters by status and plan, and pages', async () => {
    for (let i = 0; i < 27; i++) {
      await buildAccount(t.app.rt.ctx, `site${String(i).padStart(2, '0')}`, {
        domain: `web${i}.example`,
        plan: i % 3 === 0 ? 'pro' : null,
        password: undefined,
      });
    }
    const users = (html: string) =>
      [...html.matchAll(/<td data-label="User"><a href="\/accounts\/([a-z0-9]+)">/g)].map((m) => m[1]);
    const first = await t.whm.get('/accounts');
    assert.equal(users(first.body).length, 25);
    assert.match(first.body, /29 accounts match/);
    const next = /href="(\/accounts\?after=[^"]+)">Next page/.exec(first.body)?.[1];
    assert.ok(next);
    const second = await t.whm.get(next.replace(/&amp;/g, '&'));
    assert.equal(users(second.body).length, 4);
    assert.equal(new Set([...users(first.body), ...users(second.body)]).size, 29);
    assert.deepEqual(users((await t.whm.get('/accounts?q=site1')).body), [
      'site10',
      'site11',
      'site12',
      'site13',
      'site14',
      'site15',
      'site16',
      'site17',
      'site18',
      'site19',
    ]);
    assert.deepEqual(users((await t.whm.get('/accounts?plan=pro&q=site0')).body), [
      'site00',
      'site03',
      'site06',
      'site09',
    ]);
    assert.deepEqual(users((await t.whm.get('/accounts?q=dave')).body), ['dave']);
    assert.equal((await t.whm.get('/accounts?status=bogus')).statusCode, 400);
    assert.equal((await t.whm.get('/accounts?after=garbage')).statusCode, 400);
  });

  it('suspends with a reason, then unsuspends, each audited as the admin', async () => {
    const res = await t.whm.post('/accounts/dave/suspend', { reason: 'unpaid invoice' }, { from: '/accounts/dave' });
    assert.equal(res.statusCode, 303);
    const account = await t.app.rt.ctx.store.accounts.get('dave');
    assert.equal(account?.status, 'suspended');
    assert.equal(account?.suspendReason, 'unpaid invoice');
    await expectAudit(t.app, {
      action: 'account.suspend',
      target: 'dave',
      params: { user: 'dave', reason: 'unpaid invoice' },
      actor: { name: 'alice' },
    });
    const page = await t.whm.get('/accounts/dave');
    assert.match(page.body, /Suspended dave\./);
    assert.match(page.body, /unpaid invoice/);
    assert.match(page.body, /action="\/accounts\/dave\/unsuspend"/);
    assert.equal((await t.whm.post('/accounts/dave/unsuspend', {}, { from: '/accounts/dave' })).statusCode, 303);
    assert.equal((await t.app.rt.ctx.store.accounts.get('dave'))?.status, 'active');
  });

  it('a reason with control characters is refused at the reason field', async () => {
    const res = await t.whm.post('/accounts/dave/suspend', { reason: 'bad\u0007reason' }, { from: '/accounts/dave' });
    assert.equal(res.statusCode, 400);
    assert.match(fieldError(res.body, 'reason') ?? '', /control characters/);
    assert.equal((await t.app.rt.ctx.store.accounts.get('dave'))?.status, 'active');
  });

  it('changes the plan, and refuses an unknown one', async () => {
    assert.equal(
      (await t.whm.post('/accounts/dave/plan', { plan: 'pro' }, { from: '/accounts/dave' })).statusCode,
      303,
    );
    assert.equal((await t.app.rt.ctx.store.accounts.get('dave'))?.plan, 'pro');
    const bad = await t.whm.post('/accounts/dave/plan', { plan: 'gold' }, { from: '/accounts/dave' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /no plan named gold/);
    assert.equal((await t.app.rt.ctx.store.accounts.get('dave'))?.plan, 'pro');
  });

  it('sets a given password, or generates one and shows it once', async () => {
    const weak = await t.whm.post('/accounts/dave/password', { password: 'short' }, { from: '/accounts/dave' });
    assert.equal(weak.statusCode, 400);
    assert.match(fieldError(weak.body, 'password') ?? '', /10-128 characters/);
    assert.equal(inputValue(weak.body, 'password'), '');
    assert.equal(
      (await t.whm.post('/accounts/dave/password', { password: 'another-good-one-1' }, { from: '/accounts/dave' }))
        .statusCode,
      303,
    );
    const account = await t.app.rt.ctx.store.accounts.get('dave');
    assert.ok(account && (await t.app.rt.ctx.hasher.verify(account.passwordHash, 'another-good-one-1')));
    const generated = await t.whm.post('/accounts/dave/password', { password: '' }, { from: '/accounts/dave' });
    assert.equal(generated.statusCode, 200);
    assert.equal(generated.headers['cache-control'], 'no-store');
    const password = /id="new-password">([^<]+)</.exec(generated.body)?.[1] ?? '';
    const updated = await t.app.rt.ctx.store.accounts.get('dave');
    assert.ok(updated && (await t.app.rt.ctx.hasher.verify(updated.passwordHash, password)));
    const entry = await expectAudit(t.app, { action: 'account.password', target: 'dave' });
    assert.ok(!JSON.stringify(entry).includes(password));
  });

  it('terminates only after the user name is typed', async () => {
    const wrong = await t.whm.post('/accounts/dave/terminate', { confirm: 'dav' }, { from: '/accounts/dave' });
    assert.equal(wrong.statusCode, 400);
    assert.match(fieldError(wrong.body, 'confirm') ?? '', /type the user name/);
    assert.ok(await t.app.rt.ctx.store.accounts.get('dave'));
    // The entry records the status the form answered.
    await expectAudit(t.app, { action: 'account.terminate', outcome: 'invalid_parameter', status: 400 });
    const ok = await t.whm.post('/accounts/dave/terminate', { confirm: 'dave' }, { from: '/accounts/dave' });
    assert.equal(ok.statusCode, 303);
    assert.equal(ok.headers.location, '/accounts');
    assert.equal(await t.app.rt.ctx.store.accounts.get('dave'), undefined);
    assert.equal(await t.app.rt.ctx.host.systemUsers.exists('dave'), false);
    await expectAudit(t.app, { action: 'account.terminate', status: 200, actor: { name: 'alice' } });
  });

  it('the dashboard counts accounts by status and plan use', async () => {
    await t.whm.post('/accounts/carol/suspend', { reason: '' }, { from: '/accounts/carol' });
    const res = await t.whm.get('/');
    assert.match(res.body, /status=active">active<\/a><\/th><td class="num">27</);
    assert.match(res.body, /status=suspended">suspended<\/a><\/th><td class="num">1</);
    assert.match(res.body, /plan=pro">pro<\/a><\/th><td class="num">9 accounts</);
    assert.match(res.body, /plan=basic">basic<\/a><\/th><td class="num">1 account</);
    assert.match(res.body, /account\.suspend/);
  });
});

describe('vWHM plans', () => {
  const t = whmSuite();

  it('adds a plan; empty limits are unlimited', async () => {
    const res = await t.whm.post('/plans', { name: 'starter', disk_mb: '500', max_databases: '', shell: 'on' });
    assert.equal(res.statusCode, 303);
    const plan = await t.app.rt.ctx.store.plans.get('starter');
    assert.deepEqual([plan?.diskMb, plan?.maxDatabases, plan?.shell], [500, null, true]);
    await expectAudit(t.app, { action: 'plan.add', actor: { name: 'alice' } });
  });

  it('refuses a bad name or limit at its field and keeps the input', async () => {
    const badName = await t.whm.post('/plans', { name: 'Big Plan', disk_mb: '5' });
    assert.equal(badName.statusCode, 400);
    assert.match(fieldError(badName.body, 'name') ?? '', /plan name must be/);
    assert.equal(inputValue(badName.body, 'disk_mb'), '5');
    const badLimit = await t.whm.post('/plans', { name: 'big', disk_mb: '-5' });
    assert.equal(badLimit.statusCode, 400);
    assert.match(fieldError(badLimit.body, 'disk_mb') ?? '', /whole number/);
    assert.equal(await t.app.rt.ctx.store.plans.get('big'), undefined);
    const dup = await t.whm.post('/plans', { name: 'starter' });
    assert.equal(dup.statusCode, 409);
    assert.match(dup.body, /plan starter already exists/);
  });

  it('keeps at most 256 characters of an oversized form field in the audit entry', async () => {
    const res = await t.whm.post('/plans', { name: 'p'.repeat(100_000), disk_mb: '5'.repeat(50_000) });
    assert.equal(res.statusCode, 400);
    const entry = await expectAudit(t.app, {
      action: 'plan.add',
      outcome: 'invalid_parameter',
      target: `${'p'.repeat(256)}…`,
    });
    assert.equal(entry.params.name, `${'p'.repeat(256)}…`);
    assert.equal(entry.params.disk_mb, `${'5'.repeat(256)}…`);
  });

  it('edits a plan', async () => {
    const form = await t.whm.get('/plans/starter/edit');
    assert.equal(inputValue(form.body, 'disk_mb'), '500');
    const res = await t.whm.post(
      '/plans/starter',
      { disk_mb: '', max_databases: '3' },
      { from: '/plans/starter/edit' },
    );
    assert.equal(res.statusCode, 303);
    const plan = await t.app.rt.ctx.store.plans.get('starter');
    assert.deepEqual([plan?.diskMb, plan?.maxDatabases, plan?.shell], [null, 3, false]);
    await expectAudit(t.app, { action: 'plan.update', target: 'starter' });
    const bad = await t.whm.post('/plans/starter', { max_databases: 'lots' }, { from: '/plans/starter/edit' });
    assert.equal(bad.statusCode, 400);
    assert.equal((await t.app.rt.ctx.store.plans.get('starter'))?.maxDatabases, 3);
  });

  it('sets PHP: the add form starts with PHP on, 5 workers of 256 MiB; off, the list says so', async () => {
    const php = (html: string) => /name="php" value="on" checked/.test(html);
    const form = await t.whm.get('/plans');
    assert.equal(php(form.body), true, 'PHP is on for a new plan');
    assert.deepEqual([inputValue(form.body, 'php_max_children'), inputValue(form.body, 'php_memory_mb')], ['5', '256']);
    const res = await t.whm.post('/plans', { name: 'static', php_max_children: '3', php_memory_mb: '128' });
    assert.equal(res.statusCode, 303, res.body);
    const plan = await t.app.rt.ctx.store.plans.get('static');
    assert.deepEqual([plan?.php, plan?.phpMaxChildren, plan?.phpMemoryMb], [false, 3, 128], 'unchecked is off');
    const list = (await t.whm.get('/plans')).body;
    assert.match(list, /<td data-label="PHP">off<\/td>/);
    const edit = await t.whm.get('/plans/static/edit');
    assert.equal(php(edit.body), false);
    assert.equal(inputValue(edit.body, 'php_max_children'), '3');
    const on = await t.whm.post('/plans/static', { php: 'on', php_memory_mb: '' }, { from: '/plans/static/edit' });
    assert.equal(on.statusCode, 303, on.body);
    const edited = await t.app.rt.ctx.store.plans.get('static');
    assert.deepEqual(
      [edited?.php, edited?.phpMaxChildren, edited?.phpMemoryMb],
      [true, 5, 256],
      'empty is the default',
    );
    assert.match((await t.whm.get('/plans')).body, /<td data-label="PHP">5 × 256 MiB<\/td>/);
    const bad = await t.whm.post('/plans', { name: 'big', php: 'on', php_max_children: '0' });
    assert.equal(bad.statusCode, 400);
    assert.match(fieldError(bad.body, 'php_max_children') ?? '', /whole number from 1 to 1000/);
    assert.equal(inputValue(bad.body, 'php_max_children'), '0');
    assert.equal(php(bad.body), true, 'the input is kept');
    assert.equal(await t.app.rt.ctx.store.plans.get('big'), undefined);
    assert.equal((await t.whm.post('/plans/static/delete', {})).statusCode, 303);
  });

  it('refuses to delete a plan in use, saying why, and deletes it once unused', async () => {
    await buildAccount(t.app.rt.ctx, 'frank', { plan: 'starter' });
    const refused = await t.whm.post('/plans/starter/delete', {});
    assert.equal(refused.statusCode, 409);
    assert.match(refused.body, /Cannot delete plan starter: plan starter is used by 1 account\(s\)/);
    assert.ok(await t.app.rt.ctx.store.plans.get('starter'));
    await expectAudit(t.app, { action: 'plan.delete', outcome: 'plan_in_use', status: 409 });
    await t.whm.post('/accounts/frank/plan', { plan: '' }, { from: '/accounts/frank' });
    assert.equal((await t.whm.post('/plans/starter/delete', {})).statusCode, 303);
    assert.equal(await t.app.rt.ctx.store.plans.get('starter'), undefined);
  });
});

describe('vWHM API tokens', () => {
  const t = whmSuite();

  let secret = '';
  it('issues a token with the chosen scopes, shows it once on an uncached page, and never again', async () => {
    const res = await t.whm.post(
      '/tokens',
      { name: 'billing', scopes: ['accounts:read'], expires: '', allowed_cidrs: '' },
      { from: '/tokens/new' },
    );
    assert.equal(res.statusCode, 201);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.match(res.body, /only time it is shown/);
    assert.match(res.body, /data-copy="new-token"/);
    secret = /id="new-token">([^<]+)</.exec(res.body)?.[1] ?? '';
    assert.match(secret, /^vp_[A-Za-z0-9]{32}$/);
    assert.equal((await t.app.api('GET', 'api=accounts', { token: secret })).statusCode, 200);
    assert.equal(
      (await t.app.api('POST', 'api=accounts', { token: secret, body: { user: 'gina', domain: 'gina.example' } }))
        .statusCode,
      403,
    );
    const list = await t.whm.get('/tokens');
    assert.ok(!list.body.includes(secret));
    assert.ok(list.body.includes(`${secret.slice(0, 7)}…`), 'the prefix is listed');
    const token = await t.app.rt.ctx.store.tokens.findByName('billing');
    assert.equal(token?.createdBy, 'admin:alice');
    const entries = await t.app.rt.ctx.store.audit.list({ limit: 100 });
    assert.ok(!JSON.stringify(entries).includes(secret), 'the secret is in the audit log');
    assert.ok(!JSON.stringify(entries).includes(secret.slice(3)), 'the secret is in the audit log');
  });

  it('the list shows when and from where a token was last used', async () => {
    await t.app.api('GET', 'api=ping', { token: secret, ip: '198.51.100.7' });
    const list = await t.whm.get('/tokens');
    const row = /<tr data-token="billing">(.*?)<\/tr>/s.exec(list.body)?.[1] ?? '';
    assert.match(row, /data-field="last-ip">198\.51\.100\.7</);
    assert.match(row, /data-field="last-used">\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC</);
    assert.match(row, /data-field="status">active</);
  });

  const invalid: Array<[string, Record<string, string | string[]>, string, RegExp]> = [
    ['an empty name', { name: '', scopes: ['accounts:read'] }, 'name', /token name must be/],
    ['a taken name', { name: 'billing' }, 'name', /already exists/],
    ['an unknown scope', { name: 'x1', scopes: ['accounts:everything'] }, 'scopes', /unknown scope/],
    ['a past expiry', { name: 'x2', expires: '2001-01-01' }, 'expires', /expiry must be in the future/],
    ['a bad date', { name: 'x3', expires: '31/12/2030' }, 'expires', /date such as/],
    ['a bad address', { name: 'x4', allowed_cidrs: '10.0.0.0/8\nnot-an-ip' }, 'allowed_cidrs', /not-an-ip/],
    [
      'too many addresses',
      { name: 'x5', allowed_cidrs: Array.from({ length: 101 }, (_, i) => `10.0.${i}.0/24`).join('\n') },
      'allowed_cidrs',
      /at most 100 addresses/,
    ],
  ];
  for (const [name, form, field, message] of invalid) {
    it(`issuing with ${name} shows the error at ${field} and issues nothing`, async () => {
      const before = (await t.app.rt.ctx.store.tokens.list()).length;
      const res = await t.whm.post('/tokens', form, { from: '/tokens/new' });
      assert.ok(res.statusCode === 400 || res.statusCode === 409, String(res.statusCode));
      assert.match(fieldError(res.body, field) ?? '', message);
      assert.doesNotMatch(res.body, /id="new-token"/);
      assert.equal((await t.app.rt.ctx.store.tokens.list()).length, before);
      await expectAudit(t.app, {
        action: 'token.create',
        outcome: res.statusCode === 409 ? 'token_exists' : 'invalid_parameter',
        status: res.statusCode,
      });
    });
  }

  it('shows markup in a token name as text, in table cells and attributes alike', async () => {
    const name = `<img src=x onerror=alert(1)>"'&`;
    const res = await t.whm.post(
      '/tokens',
      { name, scopes: [], expires: '', allowed_cidrs: '' },
      { from: '/tokens/new' },
    );
    assert.equal(res.statusCode, 201);
    for (const url of ['/tokens', '/', '/audit']) {
      const page = await t.whm.get(url);
      assert.ok(!page.body.includes('<img'), `raw markup on ${url}`);
      assert.ok(page.body.includes('&lt;img src=x onerror=alert(1)&gt;'), `the name is not shown on ${url}`);
    }
    assert.match(
      (await t.whm.get('/tokens')).body,
      /data-token="&lt;img src=x onerror=alert\(1\)&gt;&quot;&#39;&amp;"/,
    );
  });

  it('keeps at most 32 allowed addresses of a refused token in its audit entry', async () => {
    const addresses = Array.from({ length: 5000 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`);
    const res = await t.whm.post(
      '/tokens',
      { name: 'many-ips', scopes: [], expires: '1999-01-01', allowed_cidrs: addresses.join('\n') },
      { from: '/tokens/new' },
    );
    assert.equal(res.statusCode, 400);
    const entry = await expectAudit(t.app, { action: 'token.create', outcome: 'invalid_parameter' });
    assert.deepEqual(entry.params.allowed_cidrs, [...addresses.slice(0, 32), '…']);
  });

  it('an expiry date makes the token work through that day, and keeps the allowed addresses', async () => {
    const res = await t.whm.post(
      '/tokens',
      {
        name: 'partner',
        scopes: ['accounts:read', 'accounts:write'],
        expires: '2099-03-04',
        allowed_cidrs: '203.0.113.0/24, 2001:db8::1',
      },
      { from: '/tokens/new' },
    );
    assert.equal(res.statusCode, 201);
    const token = await t.app.rt.ctx.store.tokens.findByName('partner');
    assert.equal(token?.expiresAt, '2099-03-05T00:00:00.000Z');
    assert.deepEqual(token?.allowedCidrs, ['203.0.113.0/24', '2001:db8::1/128']);
    assert.deepEqual(token?.scopes, ['accounts:read', 'accounts:write']);
  });

  it('revokes after a confirmation page; the API then answers token_revoked', async () => {
    const token = await t.app.rt.ctx.store.tokens.findByName('billing');
    assert.ok(token);
    const confirm = await t.whm.get(`/tokens/${token.id}/revoke`);
    assert.match(confirm.body, /Revoke token <span class="mono">billing<\/span>\?/);
    assert.equal(token.revokedAt, null, 'the confirmation page changed something');
    const res = await t.whm.post(`/tokens/${token.id}/revoke`, {}, { from: `/tokens/${token.id}/revoke` });
    assert.equal(res.statusCode, 303);
    const api = await t.app.api('GET', 'api=accounts', { token: secret });
    assert.equal(api.statusCode, 401);
    assert.equal(JSON.parse(api.body).error, 'token_revoked');
    const list = await t.whm.get('/tokens');
    assert.match(/<tr data-token="billing">(.*?)<\/tr>/s.exec(list.body)?.[1] ?? '', /data-field="status">revoked</);
    await expectAudit(t.app, { action: 'token.revoke', target: 'billing', actor: { name: 'alice' } });
  });

  it('the dashboard lists tokens never used or expiring within 7 days', async () => {
    const soon = new Date(Date.now() + 3 * 86_400_000).toISOString();
    await t.app.token(['accounts:read'], { name: 'soon', expiresAt: soon });
    const res = await t.whm.get('/');
    const section = /<h2 id="h-tokens">(.*?)<\/section>/s.exec(res.body)?.[1] ?? '';
    assert.match(section, /partner<\/a> never used/);
    assert.match(section, /soon<\/a> expires \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC, never used/);
    assert.doesNotMatch(section, /billing/, 'a revoked token is not worth a look');
  });
});

describe('vWHM audit log', () => {
  const t = whmSuite(async (t) => {
    await t.whm.post('/plans', { name: 'one' });
    await t.whm.post('/plans', { name: '=HYPERLINK("http://x")' });
    await t.whm.post('/plans', { name: 'two' });
    const bob = await whmClient(t.app, 'bob', 'strong-password-of-b-1');
    await bob.post('/plans', { name: 'three' });
  });

  const ids = (html: string) => [...html.matchAll(/<td data-label="#">(\d+)</g)].map((m) => Number(m[1]));

  it('shows entries newest first and an intact hash chain', async () => {
    const res = await t.whm.get('/audit');
    assert.deepEqual(ids(res.body), [4, 3, 2, 1]);
    assert.match(res.body, /Intact: all 4 entries/);
  });

  it('filters by action, actor, outcome, target and date range', async () => {
    assert.deepEqual(ids((await t.whm.get('/audit?actor=bob')).body), [4]);
    assert.deepEqual(ids((await t.whm.get('/audit?actor=admin%3Aalice')).body), [3, 2, 1]);
    assert.deepEqual(ids((await t.whm.get('/audit?actor=token%3Aalice')).body), []);
    assert.deepEqual(ids((await t.whm.get('/audit?outcome=invalid_parameter')).body), [2]);
    assert.deepEqual(ids((await t.whm.get('/audit?target=two&action=plan.add')).body), [3]);
    const today = new Date().toISOString().slice(0, 10);
    assert.deepEqual(ids((await t.whm.get(`/audit?from=${today}&to=${today}`)).body), [4, 3, 2, 1]);
    assert.deepEqual(ids((await t.whm.get('/audit?to=2001-01-01')).body), []);
    const bad = await t.whm.get('/audit?from=yesterday');
    assert.equal(bad.statusCode, 400);
    assert.match(fieldError(bad.body, 'from') ?? '', /date such as/);
    const reversed = await t.whm.get('/audit?from=2030-01-02&to=2030-01-01');
    assert.equal(reversed.statusCode, 400);
  });

  it('pages with "Older entries"', async () => {
    for (let i = 0; i < 55; i++)
      await t.app.rt.ctx.store.audit.append({
        at: new Date().toISOString(),
        requestId: null,
        actor: { type: 'system', id: null, name: 'filler' },
        ip: null,
        action: 'test.fill',
        target: null,
        outcome: 'ok',
        status: null,
        params: {},
      });
    const first = await t.whm.get('/audit');
    assert.equal(ids(first.body).length, 50);
    assert.equal(ids(first.body)[0], 59);
    const older = /href="(\/audit\?before=\d+)">Older entries/.exec(first.body)?.[1];
    assert.equal(older, '/audit?before=10');
    const second = await t.whm.get(older ?? '');
    assert.deepEqual(ids(second.body), [9, 8, 7, 6, 5, 4, 3, 2, 1]);
    assert.doesNotMatch(second.body, /Older entries/);
  });

  it('exports the filtered rows as CSV with formula cells defused', async () => {
    const res = await t.whm.get('/audit/export.csv?action=plan.add');
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/csv/);
    assert.match(String(res.headers['content-disposition']), /^attachment; filename="vanta-audit-[\d-]+\.csv"$/);
    const lines = res.body.trimEnd().split('\r\n');
    assert.equal(
      lines[0],
      'id,at,actor_type,actor_id,actor_name,ip,action,target,outcome,status,request_id,params,prev_hash,hash',
    );
    assert.equal(lines.length, 5);
    assert.deepEqual(
      lines.slice(1).map((l) => l.split(',')[0]),
      ['4', '3', '2', '1'],
    );
    const formula = lines.find((l) => l.startsWith('2,')) ?? '';
    assert.ok(formula.includes(`"'=HYPERLINK(""http://x"")"`), formula);
    assert.doesNotMatch(res.body, /,=HYPERLINK/);
  });

  it('exports the filtered rows as JSON Lines', async () => {
    const res = await t.whm.get('/audit/export.jsonl?actor=filler');
    assert.match(String(res.headers['content-type']), /^application\/x-ndjson/);
    assert.match(String(res.headers['content-disposition']), /^attachment; filename="vanta-audit-[\d-]+\.jsonl"$/);
    const rows = res.body
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(rows.length, 55);
    assert.equal(rows[0].id, 59);
    assert.equal(rows[0].actor_name, 'filler');
    assert.deepEqual(rows[0].params, {});
  });

  it('shows a broken chain', async () => {
    const db = new BetterSqlite3(join(t.app.dir, 'vanta.db'));
    db.exec('drop trigger audit_log_no_update;');
    db.exec("update audit_log set target = 'mallory' where id = 3");
    db.close();
    const res = await t.whm.get('/audit');
    assert.match(res.body, /role="alert">BROKEN at entry 3: entry 3 was changed after it was written/);
  });
});

describe('vWHM admins', () => {
  const t = whmSuite();

  it('adds an admin who can then sign in; the password is not audited', async () => {
    const res = await t.whm.post('/admins', { name: 'hank', password: 'good-password-for-h' });
    assert.equal(res.statusCode, 303);
    const signIn = await t.app.whm.inject({
      method: 'GET',
      url: '/',
      headers: { authorization: basicAuth('hank', 'good-password-for-h') },
    });
    assert.equal(signIn.statusCode, 200);
    const entry = await expectAudit(t.app, { action: 'admin.add', target: 'hank', actor: { name: 'alice' } });
    assert.ok(!JSON.stringify(entry).includes('good-password-for-h'));
  });

  it('refuses a weak password, a bad name and a taken name', async () => {
    const weak = await t.whm.post('/admins', { name: 'ivy', password: 'short' });
    assert.equal(weak.statusCode, 400);
    assert.match(fieldError(weak.body, 'password') ?? '', /10-128/);
    assert.equal(inputValue(weak.body, 'name'), 'ivy');
    const bad = await t.whm.post('/admins', { name: 'Ivy!', password: 'long-enough-pass-1' });
    assert.match(fieldError(bad.body, 'name') ?? '', /admin name must be/);
    const taken = await t.whm.post('/admins', { name: 'hank', password: 'long-enough-pass-1' });
    assert.equal(taken.statusCode, 409);
    assert.equal(await t.app.rt.ctx.store.admins.get('ivy'), undefined);
  });

  it('changes the own password only with the current one', async () => {
    const wrong = await t.whm.post('/admins/password', {
      current: 'not-my-password',
      new_password: 'brand-new-password-2',
    });
    assert.equal(wrong.statusCode, 400);
    assert.match(fieldError(wrong.body, 'current') ?? '', /not correct/);
    const weak = await t.whm.post('/admins/password', { current: 'correct-horse-battery-9', new_password: 'short' });
    assert.match(fieldError(weak.body, 'new_password') ?? '', /10-128/);
    const csrf = await t.whm.csrfFrom('/admins');
    const ok = await t.whm.post(
      '/admins/password',
      { current: 'correct-horse-battery-9', new_password: 'brand-new-password-2' },
      { csrf },
    );
    assert.equal(ok.statusCode, 200);
    assert.match(ok.body, /Password changed/);
    const old = await t.app.whm.inject({
      method: 'GET',
      url: '/',
      headers: { authorization: basicAuth('alice', 'correct-horse-battery-9') },
    });
    assert.equal(old.statusCode, 401);
    const fresh = await t.app.whm.inject({
      method: 'GET',
      url: '/',
      headers: { authorization: basicAuth('alice', 'brand-new-password-2') },
    });
    assert.equal(fresh.statusCode, 200);
    const entry = await expectAudit(t.app, { action: 'admin.passwd', target: 'alice' });
    assert.ok(!JSON.stringify(entry).includes('brand-new-password-2'));
  });
});
