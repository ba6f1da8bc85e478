import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ApiScenario, runApiScenarios } from './support/api-scenarios.js';
import { ALL_SCOPES, type TestApp, makeApp } from './support/app.js';
import { expectAudit } from './support/audit.js';
import { buildPlan } from './support/builders.js';

const big = (bytes: number) =>
  JSON.stringify({ user: 'bob', domain: 'bob.example', email: `${'x'.repeat(bytes)}@bob.example` });

describe('account API scenarios', () => {
  let app: TestApp;
  let token: string;
  before(async () => {
    app = await makeApp({ VANTA_PUBLIC_IP: '203.0.113.7' });
    token = await app.token(ALL_SCOPES, { name: 'billing' });
    await buildPlan(app.rt.ctx, 'starter', { diskMb: 1024, maxDatabases: 2 });
    await buildPlan(app.rt.ctx, 'pro');
  });
  after(() => app.close());

  const home = (user: string) => join(app.dir, 'homes', user);
  const site = (user: string) => join(app.dir, 'nginx', 'sites', `${user}.conf`);

  const scenarios: ApiScenario[] = [
    // create
    {
      name: 'create with a generated password',
      method: 'POST',
      query: 'api=accounts',
      body: { user: 'alice', domain: 'Alice.Example', email: 'owner@alice.example', plan: 'starter' },
      status: 201,
      audit: 'account.create',
      check: async (b) => {
        const account = b.account as Record<string, unknown>;
        assert.deepEqual(
          { ...account, created_at: typeof account.created_at },
          {
            user: 'alice',
            domain: 'alice.example',
            email: 'owner@alice.example',
            plan: 'starter',
            status: 'active',
            ip: '203.0.113.7',
            suspend_reason: null,
            created_at: 'string',
            suspended_at: null,
            databases: [],
            tls: { status: 'none', expires_at: null },
          },
        );
        assert.match(b.password as string, /^[A-Za-z0-9]{20,}$/);
        assert.match(readFileSync(join(home('alice'), 'public_html', 'index.html'), 'utf8'), /alice\.example/);
        const conf = readFileSync(site('alice'), 'utf8');
        assert.match(conf, /server_name alice\.example www\.alice\.example;/);
        assert.doesNotMatch(conf, /return 503/);
      },
    },
    {
      name: 'create with a given password returns no password',
      method: 'POST',
      query: 'api=accounts',
      body: { user: 'bob', domain: 'bücher.example', password: 'correct horse battery' },
      status: 201,
      audit: 'account.create',
      check: (b) => {
        assert.equal(b.password, undefined);
        assert.equal((b.account as Record<string, unknown>).domain, 'xn--bcher-kva.example');
        assert.equal((b.account as Record<string, unknown>).plan, null);
      },
    },
    {
      name: 'create: same user',
      method: 'POST',
      query: 'api=accounts',
      body: { user: 'alice', domain: 'other.example' },
      status: 409,
      error: 'account_exists',
      audit: 'account.create',
    },
    {
      name: 'create: same domain',
      method: 'POST',
      query: 'api=accounts',
      body: { user: 'carol', domain: 'ALICE.example' },
      status: 409,
      error: 'domain_exists',
      audit: 'account.create',
    },
    {
      name: 'create: no body',
      method: 'POST',
      query: 'api=accounts',
      status: 400,
      error: 'missing_parameter',
      param: 'user',
      audit: 'account.create',
    },
    {
      name: 'create: no domain',
      method: 'POST',
      query: 'api=accounts',
      body: { user: 'carol' },
      status: 400,
      error: 'missing_parameter',
      param: 'domain',
      audit: 'account.create',
    },
    {
      name: 'create: user of the wrong type',
      method: 'POST',
      query: 'api=accounts',
      body: { user: 7, domain: 'c.example' },
      status: 400,
      error: 'invalid_parameter',
      param: 'user',
      audit: 'account.create',
    },
    {
      name: 'create: unknown field',
      method: 'POST',
      query: 'api=accounts',
      body: { user: 'carol', domain: 'c.example', shell: true },
      status: 400,
      error: 'unknown_field',
      param: 'shell',
      audit: 'account.create',
    },
    ...['Carol', 'root', 'nginx', 'testing', 'a-b', 'carol_x', 'abcdefghijklmnopq', '1abc', ''].map(
      (user): ApiScenario => ({
        name: `create: invalid user ${JSON.stringify(user)}`,
        method: 'POST',
        query: 'api=accounts',
        body: { user, domain: 'c.example' },
        status: 400,
        error: 'invalid_user',
        param: 'user',
        audit: 'account.create',
      }),
    ),
    ...[
      'localhost',
      '192.0.2.1',
      '[::1]',
      '-a.example',
      'a..example',
      'a_b.example',
      `${'a'.repeat(64)}.example`,
      'example.123',
      `${'a.'.repeat(127)}com`,
    ].map(
      (domain): ApiScenario => ({
        name: `create: invalid domain ${domain.slice(0, 30)}`,
        method: 'POST',
        query: 'api=accounts',
        body: { user: 'carol', domain },
        status: 400,
        error: 'invalid_domain',
        param: 'domain',
        audit: 'account.create',
      }),
    ),
    ...['nope', 'a@', '@b.example', 'a b@c.example', 'a@localhost'].map(
      (email): ApiScenario => ({
        name: `create: invalid email ${email}`,
        method: 'POST',
        query: 'api=accounts',
        body: { user: 'carol', domain: 'c.example', email },
        status: 400,
        error: 'invalid_email',
        param: 'email',
        audit: 'account.create',
      }),
    ),
    {
      name: 'create: short password',
      method: 'POST',
      query: 'api=accounts',
      body: { user: 'carol', domain: 'c.example', password: 'short' },
      status: 400,
      error: 'weak_password',
      audit: 'account.create',
    },
    {
      name: 'create: password holds the user',
      method: 'POST',
      query: 'api=accounts',
      body: { user: 'carol', domain: 'c.example', password: 'xxCAROLxx-123' },
      status: 400,
      error: 'weak_password',
      audit: 'account.create',
    },
    {
      name: 'create: password too long',
      method: 'POST',
      query: 'api=accounts',
      body: { user: 'carol', domain: 'c.example', password: 'x'.repeat(129) },
      status: 400,
      error: 'weak_password',
      audit: 'account.create',
    },
    {
      name: 'create: unknown plan',
      method: 'POST',
      query: 'api=accounts',
      body: { user: 'carol', domain: 'c.example', plan: 'gold' },
      status: 400,
      error: 'unknown_plan',
      param: 'plan',
      audit: 'account.create',
    },
    {
      name: 'create: form body',
      method: 'POST',
      query: 'api=accounts',
      rawBody: 'user=carol',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      status: 415,
      error: 'unsupported_media_type',
      audit: 'account.create',
    },
    {
      name: 'create: body without content type',
      method: 'POST',
      query: 'api=accounts',
      rawBody: '{"user":"carol"}',
      status: 415,
      error: 'unsupported_media_type',
      audit: 'account.create',
    },
    {
      name: 'create: bad JSON',
      method: 'POST',
      query: 'api=accounts',
      rawBody: '{"user":',
      headers: { 'content-type': 'application/json' },
      status: 400,
      error: 'invalid_json',
      audit: 'account.create',
    },
    {
      name: 'create: JSON array',
      method: 'POST',
      query: 'api=accounts',
      rawBody: '[1]',
      headers: { 'content-type': 'application/json' },
      status: 400,
      error: 'invalid_json',
      audit: 'account.create',
    },
    {
      name: 'create: charset in content type',
      method: 'POST',
      query: 'api=accounts',
      rawBody: '{"user":"carol"}',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      status: 400,
      error: 'missing_parameter',
      param: 'domain',
      audit: 'account.create',
    },
    {
      name: 'create: body just over 64 KiB',
      method: 'POST',
      query: 'api=accounts',
      rawBody: big(64 * 1024),
      headers: { 'content-type': 'application/json' },
      status: 413,
      error: 'payload_too_large',
      audit: 'account.create',
    },
    {
      name: 'create: body over 1 MiB',
      method: 'POST',
      query: 'api=accounts',
      rawBody: big(1100 * 1024),
      headers: { 'content-type': 'application/json' },
      status: 413,
      error: 'payload_too_large',
    },
    // read
    {
      name: 'get account',
      method: 'GET',
      query: 'api=account&user=alice',
      status: 200,
      check: (b) => assert.equal((b.account as Record<string, unknown>).user, 'alice'),
    },
    {
      name: 'get account: missing user',
      method: 'GET',
      query: 'api=account',
      status: 400,
      error: 'missing_parameter',
      param: 'user',
    },
    {
      name: 'get account: not found',
      method: 'GET',
      query: 'api=account&user=ghost',
      status: 404,
      error: 'account_not_found',
    },
    {
      name: 'get account: impossible name',
      method: 'GET',
      query: 'api=account&user=Bad%20Name',
      status: 400,
      error: 'invalid_user',
    },
    {
      name: 'get account: user twice',
      method: 'GET',
      query: 'api=account&user=alice&user=bob',
      status: 400,
      error: 'invalid_parameter',
      param: 'user',
    },
    // suspend / unsuspend
    {
      name: 'suspend with a reason in the body',
      method: 'POST',
      query: 'api=account&action=suspend',
      body: { user: 'alice', reason: 'unpaid invoice' },
      status: 200,
      audit: 'account.suspend',
      check: (b) => {
        const a = b.account as Record<string, unknown>;
        assert.equal(b.changed, true);
        assert.equal(a.status, 'suspended');
        assert.equal(a.suspend_reason, 'unpaid invoice');
        assert.equal(typeof a.suspended_at, 'string');
        assert.match(readFileSync(site('alice'), 'utf8'), /return 503;/);
        const record = JSON.parse(readFileSync(join(app.dir, 'sandbox', 'users', 'alice.json'), 'utf8'));
        assert.equal(record.locked, true);
        assert.equal(record.expired, true);
      },
    },
    {
      name: 'suspend again: not changed',
      method: 'POST',
      query: 'api=account&action=suspend&user=alice',
      status: 200,
      audit: 'account.suspend',
      check: (b) => assert.equal(b.changed, false),
    },
    {
      name: 'suspend: reason too long',
      method: 'POST',
      query: 'api=account&action=suspend&user=alice',
      body: { reason: 'x'.repeat(256) },
      status: 400,
      error: 'invalid_parameter',
      param: 'reason',
      audit: 'account.suspend',
    },
    {
      name: 'suspend: user differs between query and body',
      method: 'POST',
      query: 'api=account&action=suspend&user=alice',
      body: { user: 'bob' },
      status: 400,
      error: 'conflicting_parameters',
      audit: 'account.suspend',
    },
    {
      name: 'suspend: no user',
      method: 'POST',
      query: 'api=account&action=suspend',
      status: 400,
      error: 'missing_parameter',
      param: 'user',
      audit: 'account.suspend',
    },
    {
      name: 'suspend: not found',
      method: 'POST',
      query: 'api=account&action=suspend&user=ghost',
      status: 404,
      error: 'account_not_found',
      audit: 'account.suspend',
    },
    {
      name: 'unsuspend with no body at all',
      method: 'POST',
      query: 'api=account&action=unsuspend&user=alice',
      status: 200,
      audit: 'account.unsuspend',
      check: (b) => {
        const a = b.account as Record<string, unknown>;
        assert.equal(b.changed, true);
        assert.equal(a.status, 'active');
        assert.equal(a.suspend_reason, null);
        assert.doesNotMatch(readFileSync(site('alice'), 'utf8'), /return 503;/);
        assert.equal(JSON.parse(readFileSync(join(app.dir, 'sandbox', 'users', 'alice.json'), 'utf8')).locked, false);
      },
    },
    {
      name: 'unsuspend an active account: not changed',
      method: 'POST',
      query: 'api=account&action=unsuspend&user=alice',
      status: 200,
      audit: 'account.unsuspend',
      check: (b) => assert.equal(b.changed, false),
    },
    {
      name: 'unknown action',
      method: 'POST',
      query: 'api=account&action=explode&user=alice',
      status: 400,
      error: 'unknown_action',
      audit: 'api.unknown',
    },
    {
      name: 'missing action',
      method: 'POST',
      query: 'api=account&user=alice',
      status: 400,
      error: 'unknown_action',
      audit: 'api.unknown',
    },
    // password
    {
      name: 'password: generated',
      method: 'POST',
      query: 'api=account&action=password&user=alice',
      status: 200,
      audit: 'account.password',
      check: async (b) => {
        assert.equal(b.user, 'alice');
        assert.match(b.password as string, /^[A-Za-z0-9]{20,}$/);
        const record = await app.rt.ctx.store.accounts.get('alice');
        assert.ok(record && (await app.rt.ctx.hasher.verify(record.passwordHash, b.password as string)));
      },
    },
    {
      name: 'password: given',
      method: 'POST',
      query: 'api=account&action=password',
      body: { user: 'alice', password: 'a much better secret' },
      status: 200,
      audit: 'account.password',
      check: async (b) => {
        assert.deepEqual(b, { ok: true, user: 'alice' });
        const record = await app.rt.ctx.store.accounts.get('alice');
        assert.ok(record && (await app.rt.ctx.hasher.verify(record.passwordHash, 'a much better secret')));
      },
    },
    {
      name: 'password: weak',
      method: 'POST',
      query: 'api=account&action=password&user=alice',
      body: { password: 'alice12345678' },
      status: 400,
      error: 'weak_password',
      audit: 'account.password',
    },
    {
      name: 'password: wrong type',
      method: 'POST',
      query: 'api=account&action=password&user=alice',
      body: { password: 1234567890 },
      status: 400,
      error: 'invalid_parameter',
      param: 'password',
      audit: 'account.password',
    },
    // plan
    {
      name: 'plan: set',
      method: 'POST',
      query: 'api=account&action=plan&user=alice',
      body: { plan: 'pro' },
      status: 200,
      audit: 'account.plan',
      check: (b) => {
        assert.equal(b.changed, true);
        assert.equal((b.account as Record<string, unknown>).plan, 'pro');
      },
    },
    {
      name: 'plan: same again',
      method: 'POST',
      query: 'api=account&action=plan&user=alice',
      body: { plan: 'pro' },
      status: 200,
      audit: 'account.plan',
      check: (b) => assert.equal(b.changed, false),
    },
    {
      name: 'plan: clear',
      method: 'POST',
      query: 'api=account&action=plan&user=alice',
      body: { plan: null },
      status: 200,
      audit: 'account.plan',
      check: (b) => assert.equal((b.account as Record<string, unknown>).plan, null),
    },
    {
      name: 'plan: missing',
      method: 'POST',
      query: 'api=account&action=plan&user=alice',
      status: 400,
      error: 'missing_parameter',
      param: 'plan',
      audit: 'account.plan',
    },
    {
      name: 'plan: unknown',
      method: 'POST',
      query: 'api=account&action=plan&user=alice',
      body: { plan: 'gold' },
      status: 400,
      error: 'unknown_plan',
      audit: 'account.plan',
    },
    {
      name: 'plan: wrong type',
      method: 'POST',
      query: 'api=account&action=plan&user=alice',
      body: { plan: 3 },
      status: 400,
      error: 'invalid_parameter',
      param: 'plan',
      audit: 'account.plan',
    },
    // routes
    { name: 'unknown api', method: 'GET', query: 'api=reboot', status: 404, error: 'unknown_api' },
    {
      name: 'wrong method on accounts',
      method: 'DELETE',
      query: 'api=accounts',
      status: 405,
      error: 'method_not_allowed',
      audit: 'api.unknown',
      check: (_b, res) => assert.equal(res.headers.allow, 'GET, POST'),
    },
    {
      name: 'wrong method on ping',
      method: 'POST',
      query: 'api=ping',
      status: 405,
      error: 'method_not_allowed',
      audit: 'api.unknown',
      check: (_b, res) => assert.equal(res.headers.allow, 'GET'),
    },
    {
      name: 'PUT on account',
      method: 'PUT',
      query: 'api=account&user=alice',
      status: 405,
      error: 'method_not_allowed',
      audit: 'api.unknown',
      check: (_b, res) => assert.equal(res.headers.allow, 'GET, POST, DELETE'),
    },
    // terminate
    {
      name: 'terminate: not found',
      method: 'DELETE',
      query: 'api=account&user=ghost',
      status: 404,
      error: 'account_not_found',
      audit: 'account.terminate',
    },
    {
      name: 'terminate: unknown field',
      method: 'DELETE',
      query: 'api=account',
      body: { user: 'bob', force: true },
      status: 400,
      error: 'unknown_field',
      param: 'force',
      audit: 'account.terminate',
    },
    {
      name: 'terminate with the user in the body',
      method: 'DELETE',
      query: 'api=account',
      body: { user: 'bob' },
      status: 200,
      audit: 'account.terminate',
      check: async (b) => {
        assert.deepEqual(b, { ok: true, user: 'bob', dropped_databases: [] });
        assert.equal(existsSync(home('bob')), false);
        assert.equal(existsSync(site('bob')), false);
        assert.equal(existsSync(join(app.dir, 'sandbox', 'users', 'bob.json')), false);
        assert.equal(await app.rt.ctx.store.accounts.get('bob'), undefined);
      },
    },
    {
      name: 'terminate again: gone',
      method: 'DELETE',
      query: 'api=account&user=bob',
      status: 404,
      error: 'account_not_found',
      audit: 'account.terminate',
    },
  ];

  runApiScenarios(
    {
      app: () => app,
      token: () => token,
      actor: 'billing',
      secrets: ['correct horse', 'a much better secret', 'alice12345678', 'xxCAROLxx'],
    },
    scenarios,
  );

  it('records the non-secret inputs and the target of a create', async () => {
    const [entry] = await app.rt.ctx.store.audit.list({ limit: 1, action: 'account.create', outcome: 'ok' });
    assert.equal(entry?.target, 'bob');
    assert.deepEqual(entry?.params, { domain: 'bücher.example', password: '[redacted]', user: 'bob' });
  });
});

describe('account list paging and filters', () => {
  let app: TestApp;
  let token: string;
  const users = Array.from({ length: 23 }, (_, i) => `u${String(i).padStart(2, '0')}`);
  before(async () => {
    app = await makeApp();
    token = await app.token(ALL_SCOPES);
    await buildPlan(app.rt.ctx, 'starter');
    for (const [i, user] of users.entries()) {
      const res = await app.api('POST', 'api=accounts', {
        token,
        body: {
          user,
          domain: `${user}.${i % 2 ? 'odd' : 'even'}.example`,
          password: 'long enough secret',
          plan: i < 5 ? 'starter' : null,
        },
      });
      assert.equal(res.statusCode, 201);
    }
    for (const user of ['u01', 'u02', 'u03']) {
      assert.equal((await app.api('POST', `api=account&action=suspend&user=${user}`, { token })).statusCode, 200);
    }
  });
  after(() => app.close());

  it('walks every page with the cursor, in order, without overlap', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await app.api('GET', `api=accounts&limit=10${cursor ? `&after=${encodeURIComponent(cursor)}` : ''}`, {
        token,
      });
      assert.equal(res.statusCode, 200);
      const body = res.json();
      assert.equal(body.total, 23);
      seen.push(...body.accounts.map((a: { user: string }) => a.user));
      cursor = body.next;
      pages++;
    } while (cursor !== null && pages < 10);
    assert.equal(pages, 3);
    assert.deepEqual(seen, users);
  });

  it('defaults to 100 per page and reports no next page', async () => {
    const body = (await app.api('GET', 'api=accounts', { token })).json();
    assert.equal(body.accounts.length, 23);
    assert.equal(body.next, null);
  });

  const filters: Array<[string, number, string[]?]> = [
    ['status=suspended', 3, ['u01', 'u02', 'u03']],
    ['status=active', 20],
    ['plan=starter', 5, ['u00', 'u01', 'u02', 'u03', 'u04']],
    ['plan=starter&status=active', 2, ['u00', 'u04']],
    ['q=odd', 11],
    ['q=u1', 10],
    ['q=u2', 3, ['u20', 'u21', 'u22']],
    ['q=%25', 0],
    ['q=_', 0],
  ];
  for (const [query, total, expected] of filters) {
    it(`filters by ${query} → ${total}`, async () => {
      const body = (await app.api('GET', `api=accounts&${query}`, { token })).json();
      assert.equal(body.total, total);
      assert.equal(body.accounts.length, total);
      if (expected)
        assert.deepEqual(
          body.accounts.map((a: { user: string }) => a.user),
          expected,
        );
    });
  }

  for (const query of [
    'limit=0',
    'limit=1001',
    'limit=abc',
    'limit=1.5',
    'after=garbage',
    'status=gone',
    'limit=1&limit=2',
  ]) {
    it(`refuses ${query}`, async () => {
      const res = await app.api('GET', `api=accounts&${query}`, { token });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().error, 'invalid_parameter');
    });
  }
});

describe('audit entries of refused calls', () => {
  it('name the target and the non-secret body inputs even when the token is missing or lacks the scope', async () => {
    const app = await makeApp();
    try {
      const reader = await app.token(['accounts:read']);
      const body = { user: 'zed', domain: 'zed.example', password: 'never-in-the-log-1' };
      await app.api('POST', 'api=accounts', { body });
      await expectAudit(app, {
        action: 'account.create',
        outcome: 'missing_token',
        actor: { type: 'anonymous', id: null, name: 'anonymous' },
        target: 'zed',
        params: { domain: 'zed.example', password: '[redacted]', user: 'zed' },
      });
      await app.api('POST', 'api=accounts&user=other', { token: reader, body });
      // Create acts on the body user, so the audit names it.
      await expectAudit(app, { action: 'account.create', outcome: 'insufficient_scope', target: 'zed' });
    } finally {
      await app.close();
    }
  });
});

describe('audit entries of oversized inputs', () => {
  it('keep at most 256 characters of the target and of each input, whatever the caller sends', async () => {
    const app = await makeApp();
    try {
      const long = 'z'.repeat(20_000);
      await app.api('POST', `api=accounts&note=${'q'.repeat(5000)}`, { body: { user: long, domain: long } });
      await expectAudit(app, {
        action: 'account.create',
        outcome: 'missing_token',
        target: `${'z'.repeat(256)}…`,
        params: { domain: `${'z'.repeat(256)}…`, note: `${'q'.repeat(256)}…`, user: `${'z'.repeat(256)}…` },
      });
    } finally {
      await app.close();
    }
  });
});
