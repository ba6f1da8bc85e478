import assert from 'node:assert/strict';
import { METHODS } from 'node:http';
import { before, describe, it } from 'node:test';
import { addAdmin } from '../src/app/admins.js';
import { generateToken } from '../src/domain/secrets.js';
import { apiSuite } from './support/app.js';
import { auditMark, expectAudit } from './support/audit.js';
import { logCapture } from './support/log-capture.js';
import { rawExchange } from './support/raw-socket.js';
import { basicAuth } from './support/whm.js';

// Regression tests of issue 16 (hardening) for the account API: each describe names its finding.

describe('16.8: the unknown-field check looks at own properties only', () => {
  const t = apiSuite();

  for (const field of ['toString', '__proto__', 'constructor', 'hasOwnProperty', 'valueOf']) {
    it(`a body field named ${field} is an unknown field`, async () => {
      // Raw JSON: `__proto__` in a JSON text is an own property, whatever an object literal would make of it.
      const rawBody = `{"user":"carol","domain":"carol.example","${field}":{}}`;
      const res = await t.app.api('POST', 'api=accounts', {
        token: t.token,
        rawBody,
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(res.statusCode, 400, res.body);
      assert.deepEqual([res.json().error, res.json().param], ['unknown_field', field]);
      assert.equal(await t.app.rt.ctx.store.accounts.get('carol'), undefined);
    });
  }
});

describe('16.7: secrets in a query string never reach the server log', () => {
  const log = logCapture();
  const t = apiSuite({}, { logger: log.logger });
  const secrets = ['S3cretTok', 'S3cretKey', 'S3cretPass', 'S3cretSecret', 'S3cretAccess', 'S3cretBare', 'S3cretAuth'];
  const query = [
    'api=ping',
    `token=${secrets[0]}`,
    `API_KEY=${secrets[1]}`,
    `Password=${secrets[2]}`,
    `client_secret=${secrets[3]}`,
    `access_token=${secrets[4]}`,
    `key=${secrets[5]}`,
    `%61uth=${secrets[6]}`,
    'user=alice',
  ].join('&');

  it('on the API listener and on vWHM, whatever the answer', async () => {
    log.clear();
    assert.equal((await t.app.api('GET', query, { token: t.token })).statusCode, 200);
    assert.equal((await t.app.api('POST', query)).statusCode, 401);
    assert.equal((await t.app.whm.inject({ method: 'GET', url: `/accounts?${query}` })).statusCode, 401);
    assert.equal((await t.app.panel.inject({ method: 'GET', url: `/nowhere?${query}` })).statusCode, 404);
    const text = log.text();
    const urls = text.split('\n').filter((l) => l.includes('"url"'));
    assert.ok(urls.length >= 4, `the requests are logged with their URL:\n${text}`);
    for (const secret of secrets) assert.ok(!text.includes(secret), `${secret} is in the log:\n${text}`);
    assert.match(text, /"url":"\/\?api=ping&token=\[redacted\]&API_KEY=\[redacted\]/);
    assert.match(text, /user=alice/, 'other parameters are kept');
  });
});

describe('16.6: the API and vWHM have separate limiters, and a valid token is served while its address is throttled', () => {
  const t = apiSuite({ VANTA_AUTH_FAIL_LIMIT: '3', VANTA_AUTH_FAIL_WINDOW: '600' });
  const password = 'correct-horse-battery-9';
  const whmAs = (pw: string, ip: string) =>
    t.app.whm.inject({
      method: 'GET',
      url: '/',
      headers: { authorization: basicAuth('alice', pw) },
      remoteAddress: ip,
    });
  before(async () => {
    await addAdmin(t.app.rt.ctx, 'alice', password);
  });

  it('mistyped vWHM passwords from an address do not lock out its API token', async () => {
    const ip = '198.51.100.20';
    for (let i = 0; i < 3; i++) assert.equal((await whmAs('wrong-password-1', ip)).statusCode, 401);
    assert.equal((await whmAs(password, ip)).statusCode, 429, 'vWHM keeps throttling password guesses');
    assert.equal((await t.app.api('GET', 'api=ping', { token: t.token, ip })).statusCode, 200);
  });

  it('failing tokens throttle failing tokens only: a valid token from the same address is served', async () => {
    const ip = '198.51.100.21';
    for (let i = 0; i < 3; i++) {
      assert.equal((await t.app.api('GET', 'api=ping', { token: generateToken(), ip })).statusCode, 401);
    }
    const throttled = await t.app.api('POST', 'api=accounts', { token: generateToken(), ip });
    assert.equal(throttled.statusCode, 429);
    assert.equal(throttled.json().error, 'rate_limited');
    assert.ok(Number(throttled.headers['retry-after']) > 0);
    await expectAudit(t.app, { action: 'account.create', outcome: 'rate_limited', status: 429, ip });
    assert.equal((await t.app.api('GET', 'api=ping', { token: t.token, ip })).statusCode, 200);
    const created = await t.app.api('POST', 'api=accounts', {
      token: t.token,
      ip,
      body: { user: 'nina', domain: 'nina.example' },
    });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal((await whmAs(password, ip)).statusCode, 200, 'vWHM has a limiter of its own');
  });
});

describe('16.10: every method no call accepts answers 405 with Allow and an api.unknown entry, before its body is read', () => {
  const t = apiSuite();
  // Every method Node's HTTP parser knows, but CONNECT (a tunnel, never a request to a path).
  const methods = METHODS.filter((m) => !['GET', 'HEAD', 'POST', 'DELETE', 'CONNECT'].includes(m));

  for (const method of methods) {
    it(`${method} /?api=accounts`, async () => {
      const mark = await auditMark(t.app);
      const res = await t.app.api(method, 'api=accounts&user=alice', {
        token: t.token,
        // A body that would be refused if it were parsed: it must not be.
        rawBody: '{not json',
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(res.statusCode, 405, res.body);
      assert.equal(res.json().error, 'method_not_allowed');
      assert.equal(res.headers.allow, 'GET, POST');
      await expectAudit(t.app, { action: 'api.unknown', outcome: 'method_not_allowed', status: 405 }, mark);
    });
  }

  it('without a token the same calls answer 401, still audited as api.unknown', async () => {
    for (const method of ['TRACE', 'PROPFIND', 'QUERY']) {
      const mark = await auditMark(t.app);
      const res = await t.app.api(method, 'api=accounts');
      assert.equal(res.statusCode, 401, `${method}: ${res.body}`);
      assert.equal(res.json().error, 'missing_token');
      await expectAudit(t.app, { action: 'api.unknown', outcome: 'missing_token', status: 401 }, mark);
    }
  });

  it('on a real socket, a SEARCH with a large body is answered without reading it', async () => {
    await t.app.panel.listen({ host: '127.0.0.1', port: 0 });
    const address = t.app.panel.server.address();
    assert.ok(address && typeof address === 'object');
    const reply = await rawExchange(
      address.port,
      `SEARCH /?api=accounts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.token}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 100000000\r\n\r\n{"partial":',
    );
    assert.match(reply, /^HTTP\/1\.1 405 /);
    assert.match(reply, /\r\nallow: GET, POST\r\n/i);
    assert.match(reply, /"error":"method_not_allowed"/);
  });
});

describe('16.12: the user-panel home has a self-only Content-Security-Policy', () => {
  const t = apiSuite();

  it('GET / sends the policy, and the page needs nothing inline', async () => {
    const res = await t.app.panel.inject({ method: 'GET', url: '/' });
    assert.equal(res.statusCode, 200);
    const csp = String(res.headers['content-security-policy']);
    for (const part of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"])
      assert.ok(csp.includes(part), csp);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
    assert.doesNotMatch(res.body, /<style|<script|\sstyle="|\son[a-z]+="/);
  });
});

describe('16.12: expected race conflicts are logged below error level', () => {
  const log = logCapture();
  const t = apiSuite({}, { logger: log.logger });

  it('parallel creates of one name and of one domain: account_exists, account_busy, domain_exists at warn at most', async () => {
    const replies = await Promise.all([
      ...Array.from({ length: 12 }, (_, i) =>
        t.app.api('POST', 'api=accounts', { token: t.token, body: { user: 'race', domain: `race${i}.example` } }),
      ),
      ...Array.from({ length: 12 }, (_, i) =>
        t.app.api('POST', 'api=accounts', {
          token: t.token,
          body: { user: `dom${'abcdefghijkl'[i]}`, domain: 'same.example' },
        }),
      ),
    ]);
    const errors = new Set(replies.map((r) => (r.statusCode < 300 ? 'created' : String(r.json().error))));
    assert.ok(errors.has('created'));
    for (const e of errors) assert.ok(['created', 'account_exists', 'account_busy', 'domain_exists'].includes(e), e);
    const loud = log.entries().filter((l) => l.level >= 50);
    assert.deepEqual(loud, [], 'nothing at error level');
  });
});

describe("16.12: a trusted proxy's X-Forwarded-For is used only when it is an address", () => {
  const log = logCapture();
  const t = apiSuite({ VANTA_TRUSTED_PROXIES: '127.0.0.1' }, { logger: log.logger });

  for (const [forwarded, expected] of [
    ['203.0.113.5', '203.0.113.5'],
    ['::ffff:203.0.113.6', '203.0.113.6'],
    ['not-an-address', '127.0.0.1'],
    ['198.51.100.1, <script>', '127.0.0.1'],
    ['unknown', '127.0.0.1'],
  ] as const) {
    it(`X-Forwarded-For: ${forwarded} → ${expected}`, async () => {
      log.clear();
      const mark = await auditMark(t.app);
      const res = await t.app.api('POST', 'api=nothing', {
        token: t.token,
        ip: '127.0.0.1',
        headers: { 'x-forwarded-for': forwarded },
      });
      assert.equal(res.statusCode, 404);
      await expectAudit(t.app, { action: 'api.unknown', outcome: 'unknown_api', ip: expected }, mark);
      if (expected === '127.0.0.1') assert.match(log.text(), /X-Forwarded-For.*not an address/);
    });
  }
});
