import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ALL_SCOPES, type TestApp, makeApp } from './support/app.js';

// Regression tests of issue 16 (hardening) for the account API: each describe names its finding.

describe('16.8: the unknown-field check looks at own properties only', () => {
  let app: TestApp;
  let token: string;
  before(async () => {
    app = await makeApp();
    token = await app.token(ALL_SCOPES);
  });
  after(() => app.close());

  for (const field of ['toString', '__proto__', 'constructor', 'hasOwnProperty', 'valueOf']) {
    it(`a body field named ${field} is an unknown field`, async () => {
      // Raw JSON: `__proto__` in a JSON text is an own property, whatever an object literal would make of it.
      const rawBody = `{"user":"carol","domain":"carol.example","${field}":{}}`;
      const res = await app.api('POST', 'api=accounts', {
        token,
        rawBody,
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(res.statusCode, 400, res.body);
      assert.deepEqual([res.json().error, res.json().param], ['unknown_field', field]);
      assert.equal(await app.rt.ctx.store.accounts.get('carol'), undefined);
    });
  }
});
