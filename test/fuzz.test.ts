import assert from 'node:assert/strict';
import { METHODS } from 'node:http';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { addAdmin } from '../src/app/admins.js';
import { verifyAudit } from '../src/app/audit.js';
import { apiSuite } from './support/app.js';
import { buildPlan } from './support/builders.js';
import { documentedErrorCodes } from './support/docs.js';
import { basicAuth } from './support/whm.js';

// Property-based fuzzing of both listeners through inject(): random methods, paths, query strings,
// headers and bodies. Whatever comes in, the answer is never a 5xx, every error code answered is
// one docs/api.md documents (with its status), and the audit chain verifies after every run. A
// failure prints fast-check's seed and path, to replay it with `{ seed, path }`; VANTA_FUZZ_RUNS sets the
// number of cases per property (300 by default, to keep the suite quick).

const RUNS = Number(process.env.VANTA_FUZZ_RUNS ?? 300);
const DOCUMENTED = documentedErrorCodes();
const PASSWORD = 'correct-horse-battery-9';

const methods = METHODS.filter((m) => m !== 'CONNECT');

/** method is mostly one the listeners serve, sometimes any other the parser knows. */
const method = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('GET', 'POST', 'DELETE', 'HEAD') },
  { weight: 2, arbitrary: fc.constantFrom(...methods) },
);

/** pct percent-encodes text as UTF-8 bytes (a lone surrogate becomes U+FFFD, as a client would send it). */
function pct(value: string): string {
  return [...Buffer.from(value, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`,
    )
    .join('');
}

/** text is any short string, from plain words to controls, lone surrogates and markup. */
const text = fc.oneof(
  fc.constantFrom('', 'alice', 'bob', 'ghost', 'root', 'Alice.Example', 'alice.example', 'starter', 'suspend', '../x'),
  fc.string({ maxLength: 24 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('\ud800', 'a\udfffb', '😀'.repeat(130), '<script>', '%zz', '%ED%A0%80', 'a'.repeat(300)),
);

/** queryPart is one `name=value` of a query string, by names the panel reads and others. */
const queryPart = fc
  .tuple(
    fc.oneof(
      fc.constantFrom('api', 'action', 'user', 'status', 'plan', 'q', 'limit', 'after', 'token', 'api_key', 'before'),
      fc.string({ maxLength: 8 }),
    ),
    fc.oneof(
      fc.constantFrom('ping', 'accounts', 'account', 'plans', 'nope', 'suspend', 'unsuspend', 'password', 'plan'),
      fc.constantFrom('active', 'provisioning', '0', '1001', '-1', 'eyJ1IjoiYWxpY2UifQ'),
      text,
    ),
    fc.boolean(),
  )
  .map(([name, value, raw]) => (raw ? `${name}=${value}` : `${pct(name)}=${pct(value)}`));

/** apiQuery is a query string that mostly names a call, with an action and other parameters. */
const apiQuery = fc
  .tuple(
    fc.option(fc.constantFrom('ping', 'accounts', 'account', 'plans', 'nope', '', 'ACCOUNTS'), { freq: 5 }),
    fc.option(fc.constantFrom('suspend', 'unsuspend', 'password', 'plan', 'nope', ''), { freq: 2 }),
    fc.array(queryPart, { maxLength: 4 }),
  )
  .map(([api, action, parts]) => {
    const all = [...(api === null ? [] : [`api=${api}`]), ...(action === null ? [] : [`action=${action}`]), ...parts];
    return all.length === 0 ? '' : `?${all.join('&')}`;
  });

/** panelUrl is mostly `/` with an API query, sometimes another path. */
const panelUrl = fc.oneof(
  { weight: 8, arbitrary: apiQuery.map((q) => `/${q}`) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.oneof(
          fc.constantFrom('/x', '//', '/%2e%2e/', '/a%00b'),
          fc.string({ maxLength: 12 }).map((p) => `/${pct(p)}`),
        ),
        apiQuery,
      )
      .map(([p, q]) => `${p}${q}`),
  },
);

/** whmUrl is mostly one of vWHM's pages, with query parameters its pages read and others. */
const whmUrl = fc
  .tuple(
    fc.oneof(
      {
        weight: 8,
        arbitrary: fc.constantFrom('/', '/accounts', '/accounts/new', '/accounts/alice', '/accounts/alice/suspend'),
      },
      {
        weight: 8,
        arbitrary: fc.constantFrom('/accounts/alice/unsuspend', '/accounts/alice/plan', '/accounts/alice/password'),
      },
      {
        weight: 8,
        arbitrary: fc.constantFrom(
          '/accounts/alice/terminate',
          '/plans',
          '/plans/starter/edit',
          '/plans/starter/delete',
        ),
      },
      {
        weight: 8,
        arbitrary: fc.constantFrom(
          '/tokens',
          '/tokens/new',
          '/tokens/1/revoke',
          '/audit',
          '/admins',
          '/admins/password',
        ),
      },
      { weight: 4, arbitrary: fc.constantFrom('/audit/export.csv', '/audit/export.jsonl', '/assets/vwhm.css', '/x') },
      { weight: 2, arbitrary: fc.string({ maxLength: 12 }).map((p) => `/${pct(p)}`) },
    ),
    fc.array(queryPart, { maxLength: 4 }),
  )
  .map(([p, parts]) => (parts.length === 0 ? p : `${p}?${parts.join('&')}`));

/** headerValue keeps to what an HTTP header can carry. */
const headerValue = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 40,
});

/** jsonBody is a JSON object with fields the API knows, fields it does not, and values of every type. */
const jsonBody = fc
  .dictionary(
    fc.oneof(
      fc.constantFrom('user', 'domain', 'email', 'password', 'plan', 'reason', 'action', '__proto__', 'toString'),
      fc.string({ maxLength: 8 }),
    ),
    fc.oneof(
      text,
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(text, { maxLength: 3 }),
      fc.object({ maxDepth: 1 }),
    ),
    { maxKeys: 6 },
  )
  .map((o) => JSON.stringify(o));

/** createBody is a create the API may accept, or refuse for a conflict. */
const createBody = fc
  .tuple(fc.constantFrom('alice', 'bob', 'carol', 'dave'), fc.constantFrom('a.example', 'b.example', 'Alice.Example'))
  .map(([user, domain]) => JSON.stringify({ user, domain, plan: 'starter' }));

/** formBody is a urlencoded vWHM form, with or without a CSRF token. */
const formBody = fc
  .dictionary(
    fc.constantFrom('user', 'domain', 'name', 'reason', 'plan', 'password', 'confirm', '_csrf', 'scopes'),
    text,
    {
      maxKeys: 5,
    },
  )
  .map((o) => new URLSearchParams(Object.entries(o).map(([k, v]) => [k, v.toWellFormed()])).toString());

const body = fc.oneof(
  fc.constant(undefined),
  jsonBody,
  createBody,
  formBody,
  fc.constantFrom('', '{', '[]', 'null', '"x"', '{"user":"\\ud800"}', 'user=alice&domain=a.example&_csrf=x'),
  fc.string({ maxLength: 64 }),
  fc.integer({ min: 60_000, max: 80_000 }).map((n) => JSON.stringify({ user: 'x'.repeat(n) })),
);

/** checkAnswer asserts what must hold of any answer, on any listener. */
function checkAnswer(res: LightMyRequestResponse, what: string): void {
  assert.ok(res.statusCode < 500, `${what} → ${res.statusCode} ${res.body.slice(0, 300)}`);
  if (!String(res.headers['content-type'] ?? '').startsWith('application/json') || res.body === '') return;
  const answer = JSON.parse(res.body) as { ok?: boolean; error?: string };
  if (answer.ok !== false) return;
  const status = DOCUMENTED.get(String(answer.error));
  assert.ok(status !== undefined, `${what} → undocumented error code ${answer.error}`);
  assert.equal(res.statusCode, status, `${what} → ${answer.error} with status ${res.statusCode}, documented ${status}`);
}

describe('fuzzing both listeners: no 5xx, only documented error codes, and an audit chain that verifies', () => {
  const t = apiSuite();

  const requestTo = (url: fc.Arbitrary<string>) =>
    fc.record({
      method,
      url,
      body,
      contentType: fc.constantFrom(
        undefined,
        'application/json',
        'application/json; charset=utf-8',
        'text/plain',
        'application/x-www-form-urlencoded',
      ),
      credentials: fc.oneof(
        { weight: 5, arbitrary: fc.constant('valid') },
        { weight: 5, arbitrary: fc.constantFrom('none', 'garbage', 'basic', 'both') },
      ),
      extra: fc.array(
        fc.tuple(
          fc.constantFrom(
            'x-forwarded-for',
            'origin',
            'sec-fetch-site',
            'cookie',
            'x-api-key',
            'accept',
            'idempotency-key',
          ),
          headerValue,
        ),
        { maxLength: 3 },
      ),
      ip: fc.constantFrom('127.0.0.1', '198.51.100.7', '::1', '2001:db8::5'),
    });
  const request = requestTo(panelUrl);

  type FuzzRequest = typeof request extends fc.Arbitrary<infer T> ? T : never;

  const headersFor = (r: FuzzRequest, listener: 'panel' | 'whm') => {
    const headers: Record<string, string> = {};
    for (const [name, value] of r.extra) headers[name] = value;
    if (r.contentType !== undefined) headers['content-type'] = r.contentType;
    const valid = listener === 'panel' ? `Bearer ${t.token}` : basicAuth('fuzz', PASSWORD);
    switch (r.credentials) {
      case 'valid':
        headers.authorization = valid;
        break;
      case 'garbage':
        headers.authorization = 'Bearer vp_0000000000000000000000000000000x';
        break;
      case 'basic':
        headers.authorization = basicAuth('fuzz', 'wrong-password-x');
        break;
      case 'both':
        headers.authorization = valid;
        headers['x-api-key'] = 'vp_other';
        break;
    }
    return headers;
  };

  const run = async (listener: 'panel' | 'whm') => {
    await fc.assert(
      fc.asyncProperty(requestTo(listener === 'panel' ? panelUrl : whmUrl), async (r) => {
        const headers = headersFor(r, listener);
        const res = await t.app[listener].inject({
          method: r.method as 'GET',
          url: r.url,
          headers,
          payload: r.body,
          remoteAddress: r.ip,
        });
        checkAnswer(res, `${listener} ${r.method} ${r.url}`);
      }),
      { numRuns: RUNS },
    );
    const check = await verifyAudit(t.app.rt.ctx);
    assert.equal(check.ok, true, JSON.stringify(check));
  };

  it('the account API listener', async () => {
    await buildPlan(t.app.rt.ctx, 'starter');
    await run('panel');
  });

  it('authenticated account API calls with JSON bodies', async () => {
    const call = fc.record({
      method: fc.constantFrom('GET', 'POST', 'DELETE'),
      url: fc
        .tuple(fc.constantFrom('accounts', 'account', 'ping'), apiQuery)
        .map(([api, q]) => `/?api=${api}${q === '' ? '' : `&${q.slice(1)}`}`),
      body: fc.oneof(createBody, jsonBody, fc.constant(undefined)),
    });
    await fc.assert(
      fc.asyncProperty(call, async (c) => {
        const res = await t.app.panel.inject({
          method: c.method,
          url: c.url,
          headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
          payload: c.body,
        });
        checkAnswer(res, `authenticated ${c.method} ${c.url}`);
      }),
      { numRuns: RUNS },
    );
    const check = await verifyAudit(t.app.rt.ctx);
    assert.equal(check.ok, true, JSON.stringify(check));
  });

  it('the vWHM listener', async () => {
    await addAdmin(t.app.rt.ctx, 'fuzz', PASSWORD);
    await run('whm');
  });
});
