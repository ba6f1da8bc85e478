import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { listEndpoints } from '../src/http/api/endpoints.js';
import { apiPath, errorCodesOf } from '../src/http/api/openapi.js';
import { ALL_SCOPES, type TestApp, apiSuite, makeApp } from './support/app.js';
import { expectAudit } from './support/audit.js';
import { documentedErrorCodes } from './support/docs.js';

type Doc = Record<string, unknown> & { paths: Record<string, Record<string, Operation>> };
interface Operation {
  operationId: string;
  parameters?: unknown[];
  responses: Record<string, { content?: { 'application/json': { schema: unknown } } }>;
}

describe('the OpenAPI 3.1 document', () => {
  let app: TestApp;
  let token: string;
  let doc: Doc;
  before(async () => {
    app = await makeApp({ VANTA_PUBLIC_IP: '203.0.113.7' });
    token = await app.token(ALL_SCOPES, { name: 'billing' });
    const res = await app.api('GET', 'api=openapi');
    assert.equal(res.statusCode, 200, res.body);
    doc = res.json() as Doc;
  });
  after(() => app.close());

  it('is served at GET /?api=openapi without a token, as JSON, and at its alias /api/openapi', async () => {
    const res = await app.api('GET', 'api=openapi');
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(doc.openapi, '3.1.0');
    const alias = await app.panel.inject({ method: 'GET', url: '/api/openapi' });
    assert.deepEqual(alias.json(), doc);
  });

  it('is valid OpenAPI 3.1 for a real validator (@seriousme/openapi-schema-validator)', async () => {
    const validator = new Validator();
    const result = await validator.validate(doc);
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
    assert.equal(validator.version, '3.1');
  });

  it('describes every call of the endpoint table, each with its own operationId', () => {
    const ids = new Set<string>();
    for (const call of listEndpoints()) {
      const op = doc.paths[apiPath(call)]?.[call.method.toLowerCase()];
      assert.ok(op, `${call.method} ${apiPath(call)} is missing`);
      assert.equal(op.operationId, call.endpoint.operationId);
      assert.ok(!ids.has(op.operationId), `operationId ${op.operationId} twice`);
      ids.add(op.operationId);
      for (const status of call.endpoint.success)
        assert.ok(op.responses[String(status)], `${op.operationId} ${status}`);
    }
    const described = Object.values(doc.paths).flatMap((item) => Object.keys(item)).length;
    assert.equal(described, listEndpoints().length + 1, 'the calls of the table and the document itself, nothing else');
  });

  it('names only error codes that docs/api.md documents, each under the status the table gives it', () => {
    const documented = documentedErrorCodes();
    let seen = 0;
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const op of Object.values(item)) {
        for (const [status, response] of Object.entries(op.responses)) {
          const schema = response.content?.['application/json'].schema as {
            allOf?: { properties?: { error?: { enum: string[] } } }[];
          };
          for (const code of schema?.allOf?.[1]?.properties?.error?.enum ?? []) {
            seen++;
            assert.equal(documented.get(code), Number(status), `${path} ${op.operationId}: ${code}`);
          }
        }
      }
    }
    assert.ok(seen > 100, `only ${seen} codes: the walk is broken`);
  });

  it('lists the Idempotency-Key header on every POST, and only there', () => {
    for (const call of listEndpoints()) {
      const op = doc.paths[apiPath(call)]?.[call.method.toLowerCase()];
      const hasKey = JSON.stringify(op?.parameters ?? []).includes('IdempotencyKey');
      assert.equal(hasKey, call.method === 'POST', op?.operationId);
      assert.equal(errorCodesOf(call).includes('idempotency_key_reused'), call.method === 'POST');
    }
  });

  it("the API's real answers match the document's response schemas", async () => {
    const validator = new Validator();
    await validator.validate(doc);
    const resolved = validator.resolveRefs() as Doc;
    const ajv = new Ajv2020({ strict: true, validateFormats: false });
    const check = async (path: string, method: string, res: { statusCode: number; json(): unknown }) => {
      const schema =
        resolved.paths[path]?.[method]?.responses[String(res.statusCode)]?.content?.['application/json'].schema;
      assert.ok(schema, `${method} ${path} ${res.statusCode} is not described`);
      const validate = ajv.compile(schema as object);
      assert.ok(validate(res.json()), `${method} ${path} ${res.statusCode}: ${JSON.stringify(validate.errors)}`);
    };
    const post = (query: string, body?: unknown) => app.api('POST', query, { token, body });
    await check('/api/ping', 'get', await app.api('GET', 'api=ping', { token }));
    await check('/api/plans', 'post', await post('api=plans', { name: 'starter', disk_mb: 100 }));
    await check('/api/plans', 'post', await post('api=plans', { name: 'starter', disk_mb: 200 }));
    await check('/api/plans', 'get', await app.api('GET', 'api=plans', { token }));
    await check(
      '/api/accounts',
      'post',
      await post('api=accounts', { user: 'alice', domain: 'alice.example', plan: 'starter' }),
    );
    await check('/api/accounts', 'post', await post('api=accounts', { user: 'alice', domain: 'alice.example' }));
    await check('/api/accounts', 'get', await app.api('GET', 'api=accounts', { token }));
    await check('/api/account', 'get', await app.api('GET', 'api=account&user=alice', { token }));
    await check('/api/account/suspend', 'post', await post('api=account&action=suspend&user=alice', { reason: 'x' }));
    await check('/api/account/unsuspend', 'post', await post('api=account&action=unsuspend&user=alice'));
    await check('/api/account/password', 'post', await post('api=account&action=password&user=alice'));
    await check('/api/account/plan', 'post', await post('api=account&action=plan&user=alice', { plan: null }));
    await check('/api/account/login', 'post', await post('api=account&action=login&user=alice'));
    await check('/api/account', 'delete', await app.api('DELETE', 'api=account&user=alice', { token }));
    await check('/api/account', 'delete', await app.api('DELETE', 'api=account&user=alice', { token }));
    await check('/api/accounts', 'get', await app.api('GET', 'api=accounts', { token: 'vp_nope' }));
  });

  it('any other method on ?api=openapi is an API call like the others: a token first, then 405 with Allow: GET', async () => {
    const anonymous = await app.api('POST', 'api=openapi');
    assert.equal(anonymous.statusCode, 401);
    const res = await app.api('POST', 'api=openapi', { token });
    assert.equal(res.statusCode, 405);
    assert.equal(res.headers.allow, 'GET');
    await expectAudit(app, { action: 'api.unknown', outcome: 'method_not_allowed', status: 405 });
  });
});

describe('the alias paths /api/NAME[/ACTION]', () => {
  const suite = apiSuite();

  const call = (method: string, url: string, body?: unknown, auth = true) =>
    suite.app.panel.inject({
      method: method as 'GET',
      url,
      headers: {
        ...(auth ? { authorization: `Bearer ${suite.token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      payload: body === undefined ? undefined : JSON.stringify(body),
    });

  it('answer as /?api=NAME[&action=ACTION], audited the same way', async () => {
    const made = await call('POST', '/api/accounts', { user: 'alias', domain: 'alias.example' });
    assert.equal(made.statusCode, 201, made.body);
    await expectAudit(suite.app, { action: 'account.create', target: 'alias', status: 201 });
    const suspended = await call('POST', '/api/account/suspend?user=alias', { reason: 'unpaid' });
    assert.equal(suspended.statusCode, 200, suspended.body);
    assert.equal(suspended.json().account.status, 'suspended');
    await expectAudit(suite.app, { action: 'account.suspend', target: 'alias', status: 200 });
    const got = await call('GET', '/api/account?user=alias');
    assert.equal(got.json().account.suspend_reason, 'unpaid');
    const gone = await call('DELETE', '/api/account?user=alias');
    assert.equal(gone.json().user, 'alias');
  });

  it('authenticate first, like every call', async () => {
    const res = await call('GET', '/api/accounts', undefined, false);
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().error, 'missing_token');
  });

  it('the path names the call: api and action in the query do not change it', async () => {
    const res = await call('GET', '/api/ping?api=accounts&action=suspend');
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json().token.scopes, ALL_SCOPES);
  });

  for (const [method, url, status, error] of [
    ['GET', '/api/nothing', 404, 'unknown_api'],
    ['GET', '/api/ping/extra', 404, 'unknown_api'],
    ['POST', '/api/account/teleport?user=x', 400, 'unknown_action'],
    ['PUT', '/api/plans', 405, 'method_not_allowed'],
  ] as const) {
    it(`${method} ${url} → ${status} ${error}`, async () => {
      const res = await call(method, url);
      assert.equal(res.statusCode, status, res.body);
      assert.equal(res.json().error, error);
    });
  }
});
