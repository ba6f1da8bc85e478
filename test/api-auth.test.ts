import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { revokeToken } from '../src/app/revoke-token.js';
import { generateToken } from '../src/domain/secrets.js';
import { type ApiScenario, runApiScenarios } from './support/api-scenarios.js';
import { ALL_SCOPES, type TestApp, makeApp } from './support/app.js';

describe('API authentication', () => {
  let app: TestApp;
  let good: string;
  before(async () => {
    app = await makeApp();
    good = await app.token(ALL_SCOPES, { name: 'good' });
  });
  after(() => app.close());

  // Each way of presenting a token, on ping: the token in the headers only (the runner's own is not sent).
  const ping = (name: string, headers: () => Record<string, string>, status: number, error?: string): ApiScenario => ({
    name,
    method: 'GET',
    query: 'api=ping',
    token: null,
    headers,
    status,
    error,
    check: (body) => {
      if (!error) assert.deepEqual(body.token, { name: 'good', scopes: ALL_SCOPES, expires_at: null });
      if (!error) assert.equal(typeof body.version, 'string');
    },
  });
  runApiScenarios({ app: () => app, token: () => good, actor: 'good' }, [
    ping('Bearer', () => ({ authorization: `Bearer ${good}` }), 200),
    ping('bearer in lower case', () => ({ authorization: `bearer ${good}` }), 200),
    ping('BEARER in upper case', () => ({ authorization: `BEARER ${good}` }), 200),
    ping('X-Api-Key', () => ({ 'x-api-key': good }), 200),
    ping('both, same token', () => ({ authorization: `Bearer ${good}`, 'x-api-key': good }), 200),
    ping(
      'both, different tokens',
      () => ({ authorization: `Bearer ${good}`, 'x-api-key': generateToken() }),
      400,
      'conflicting_credentials',
    ),
    ping('no token', () => ({}), 401, 'missing_token'),
    ping('empty bearer', () => ({ authorization: 'Bearer ' }), 401, 'invalid_token'),
    ping('Basic scheme', () => ({ authorization: 'Basic YWRtaW46eA==' }), 401, 'invalid_token'),
    ping('malformed token', () => ({ authorization: 'Bearer hello' }), 401, 'invalid_token'),
    ping(
      'bad checksum',
      () => ({ authorization: `Bearer ${good.slice(0, -1)}${good.endsWith('A') ? 'B' : 'A'}` }),
      401,
      'invalid_token',
    ),
    ping('unknown well-formed token', () => ({ authorization: `Bearer ${generateToken()}` }), 401, 'invalid_token'),
  ]);

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

  it('the user panel answers / without api= with its sign-in page, and other methods there with 405', async () => {
    const page = await app.panel.inject({ method: 'GET', url: '/' });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.match(page.body, /^<!doctype html>\n<html lang="en">/);
    assert.match(page.body, /<h1 id="h-sign-in">Sign in to your hosting account<\/h1>/);
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
  it('blocks bad tokens from an address after too many, with Retry-After, and not other addresses', async () => {
    const app = await makeApp({ VANTA_AUTH_FAIL_LIMIT: '3', VANTA_AUTH_FAIL_WINDOW: '60' });
    try {
      const good = await app.token(['accounts:read']);
      for (let i = 0; i < 3; i++) {
        assert.equal(
          (await app.api('GET', 'api=ping', { token: generateToken(), ip: '198.51.100.9' })).statusCode,
          401,
        );
      }
      const blocked = await app.api('GET', 'api=ping', { token: generateToken(), ip: '198.51.100.9' });
      assert.equal(blocked.statusCode, 429);
      assert.equal(blocked.json().error, 'rate_limited');
      const retry = Number(blocked.headers['retry-after']);
      assert.ok(retry > 0 && retry <= 60, `Retry-After ${retry}`);
      assert.equal((await app.api('GET', 'api=ping', { token: generateToken(), ip: '198.51.100.10' })).statusCode, 401);
      assert.equal((await app.api('GET', 'api=ping', { token: good, ip: '198.51.100.9' })).statusCode, 200);
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
