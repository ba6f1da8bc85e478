import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { revokeToken } from '../src/app/revoke-token.js';
import { generateToken } from '../src/domain/secrets.js';
import { ALL_SCOPES, type TestApp, makeApp } from './support/app.js';

describe('API authentication', () => {
  let app: TestApp;
  let good: string;
  before(async () => {
    app = await makeApp();
    good = await app.token(ALL_SCOPES, { name: 'good' });
  });
  after(() => app.close());

  const cases: Array<{ name: string; headers: () => Record<string, string>; status: number; error?: string }> = [
    { name: 'Bearer', headers: () => ({ authorization: `Bearer ${good}` }), status: 200 },
    { name: 'bearer in lower case', headers: () => ({ authorization: `bearer ${good}` }), status: 200 },
    { name: 'BEARER in upper case', headers: () => ({ authorization: `BEARER ${good}` }), status: 200 },
    { name: 'X-Api-Key', headers: () => ({ 'x-api-key': good }), status: 200 },
    { name: 'both, same token', headers: () => ({ authorization: `Bearer ${good}`, 'x-api-key': good }), status: 200 },
    {
      name: 'both, different tokens',
      headers: () => ({ authorization: `Bearer ${good}`, 'x-api-key': generateToken() }),
      status: 400,
      error: 'conflicting_credentials',
    },
    { name: 'no token', headers: () => ({}), status: 401, error: 'missing_token' },
    { name: 'empty bearer', headers: () => ({ authorization: 'Bearer ' }), status: 401, error: 'invalid_token' },
    {
      name: 'Basic scheme',
      headers: () => ({ authorization: 'Basic YWRtaW46eA==' }),
      status: 401,
      error: 'invalid_token',
    },
    {
      name: 'malformed token',
      headers: () => ({ authorization: 'Bearer hello' }),
      status: 401,
      error: 'invalid_token',
    },
    {
      name: 'bad checksum',
      headers: () => ({ authorization: `Bearer ${good.slice(0, -1)}${good.endsWith('A') ? 'B' : 'A'}` }),
      status: 401,
      error: 'invalid_token',
    },
    {
      name: 'unknown well-formed token',
      headers: () => ({ authorization: `Bearer ${generateToken()}` }),
      status: 401,
      error: 'invalid_token',
    },
  ];

  for (const c of cases) {
    it(`${c.name} → ${c.status}${c.error ? ` ${c.error}` : ''}`, async () => {
      const res = await app.api('GET', 'api=ping', { headers: c.headers() });
      assert.equal(res.statusCode, c.status);
      const body = res.json();
      assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
      assert.ok(res.headers['x-request-id']);
      if (c.error) {
        assert.equal(body.ok, false);
        assert.equal(body.error, c.error);
      } else {
        assert.deepEqual(body.token, { name: 'good', scopes: ALL_SCOPES, expires_at: null });
        assert.equal(typeof body.version, 'string');
      }
      if (c.status === 401) {
        assert.equal(res.headers['www-authenticate'], 'Bearer realm="vanta", error="invalid_token"');
      }
    });
  }

  it('a token in the query string does not authenticate', async () => {
    const res = await app.api('GET', `api=ping&token=${good}&access_token=${good}`);
    assert.equal(res.json().error, 'missing_token');
  });

  it('expired token → 401 token_expired', async () => {
    const t = await app.token(['accounts:read'], {
      name: 'soon',
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    });
    assert.equal((await app.api('GET', 'api=ping', { token: t })).statusCode, 200);
    const real = app.rt.ctx.now;
    app.rt.ctx.now = () => new Date(Date.now() + 120_000);
    try {
      const res = await app.api('GET', 'api=ping', { token: t });
      assert.equal(res.statusCode, 401);
      assert.equal(res.json().error, 'token_expired');
    } finally {
      app.rt.ctx.now = real;
    }
  });

  it('revoked token → 401 token_revoked, at once', async () => {
    const t = await app.token(['accounts:read'], { name: 'to-revoke' });
    assert.equal((await app.api('GET', 'api=accounts', { token: t })).statusCode, 200);
    await revokeToken(app.rt.ctx, 'to-revoke');
    const res = await app.api('GET', 'api=accounts', { token: t });
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().error, 'token_revoked');
  });

  it('allowed CIDRs: inside → 200, outside → 403 ip_not_allowed', async () => {
    const t = await app.token(['accounts:read'], { name: 'office', allowedCidrs: ['10.1.0.0/16', '::1'] });
    assert.equal((await app.api('GET', 'api=ping', { token: t, ip: '10.1.2.3' })).statusCode, 200);
    assert.equal((await app.api('GET', 'api=ping', { token: t, ip: '::1' })).statusCode, 200);
    const res = await app.api('GET', 'api=ping', { token: t, ip: '10.2.0.1' });
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().error, 'ip_not_allowed');
  });

  it('records last use time and address, batched until flushed', async () => {
    const t = await app.token(['accounts:read'], { name: 'usage' });
    await app.api('GET', 'api=ping', { token: t, ip: '192.0.2.7' });
    let row = await app.rt.ctx.store.tokens.findByName('usage');
    assert.equal(row?.lastUsedAt, null, 'a read call does not write to the store on its own path');
    await app.rt.tokenUsage.flush();
    row = await app.rt.ctx.store.tokens.findByName('usage');
    assert.equal(row?.lastUsedIp, '192.0.2.7');
    assert.ok(row?.lastUsedAt && Date.parse(row.lastUsedAt) > Date.now() - 60_000);
  });

  it('an unauthenticated caller learns nothing about routes', async () => {
    for (const query of ['api=nope', 'api=account&user=ghost', 'api=accounts']) {
      for (const method of ['GET', 'POST', 'DELETE', 'PUT']) {
        const res = await app.api(method, query);
        assert.equal(res.statusCode, 401, `${method} ${query}`);
        assert.equal(res.json().error, 'missing_token');
      }
    }
  });

  it('the user panel answers / without api= with its page, and other methods there with 405', async () => {
    const page = await app.panel.inject({ method: 'GET', url: '/' });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.match(page.body, /^<!doctype html>\n<html lang="en">/);
    assert.match(page.body, /<h1>Vanta Panel<\/h1>/);
    const post = await app.panel.inject({ method: 'POST', url: '/' });
    assert.equal(post.statusCode, 405);
    assert.equal(post.json().error, 'method_not_allowed');
  });

  it('sends no permissive CORS headers', async () => {
    const res = await app.api('OPTIONS', 'api=accounts', {
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(res.headers['access-control-allow-origin'], undefined);
    assert.equal(res.statusCode, 401);
  });
});

describe('API failed-attempt limit', () => {
  it('blocks an address after too many bad tokens, with Retry-After, and not other addresses', async () => {
    const app = await makeApp({ VANTA_AUTH_FAIL_LIMIT: '3', VANTA_AUTH_FAIL_WINDOW: '60' });
    try {
      const good = await app.token(['accounts:read']);
      for (let i = 0; i < 3; i++) {
        assert.equal(
          (await app.api('GET', 'api=ping', { token: generateToken(), ip: '198.51.100.9' })).statusCode,
          401,
        );
      }
      const blocked = await app.api('GET', 'api=ping', { token: good, ip: '198.51.100.9' });
      assert.equal(blocked.statusCode, 429);
      assert.equal(blocked.json().error, 'rate_limited');
      const retry = Number(blocked.headers['retry-after']);
      assert.ok(retry > 0 && retry <= 60, `Retry-After ${retry}`);
      assert.equal((await app.api('GET', 'api=ping', { token: good, ip: '198.51.100.10' })).statusCode, 200);
    } finally {
      await app.close();
    }
  });
});

describe('client address behind a proxy', () => {
  for (const [name, env, peer, expected] of [
    [
      'a trusted proxy: X-Forwarded-For is honoured',
      { VANTA_TRUSTED_PROXIES: '127.0.0.1' },
      '127.0.0.1',
      '203.0.113.5',
    ],
    ['no trusted proxy: X-Forwarded-For is ignored', {}, '127.0.0.1', '127.0.0.1'],
    [
      'an untrusted peer: X-Forwarded-For is ignored',
      { VANTA_TRUSTED_PROXIES: '10.0.0.0/8' },
      '192.0.2.1',
      '192.0.2.1',
    ],
  ] as const) {
    it(name, async () => {
      const app = await makeApp({ ...env });
      try {
        const t = await app.token(['accounts:read'], { name: 'p' });
        const res = await app.api('GET', 'api=ping', {
          token: t,
          ip: peer,
          headers: { 'x-forwarded-for': '203.0.113.5' },
        });
        assert.equal(res.statusCode, 200);
        await app.rt.tokenUsage.flush();
        assert.equal((await app.rt.ctx.store.tokens.findByName('p'))?.lastUsedIp, expected);
      } finally {
        await app.close();
      }
    });
  }
});
