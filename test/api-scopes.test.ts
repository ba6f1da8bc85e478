import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SCOPES } from '../src/domain/scopes.js';
import { type TestApp, makeApp } from './support/app.js';

// Each call is chosen so that, once past the scope check, it fails harmlessly on validation or
// lookup: the matrix proves the scope gate without changing anything.
const CALLS: Array<{ method: string; query: string; body?: unknown; scope: string | null; action?: string }> = [
  { method: 'GET', query: 'api=ping', scope: null },
  { method: 'GET', query: 'api=accounts', scope: 'accounts:read' },
  { method: 'GET', query: 'api=account&user=ghost', scope: 'accounts:read' },
  { method: 'POST', query: 'api=accounts', body: {}, scope: 'accounts:write', action: 'account.create' },
  {
    method: 'POST',
    query: 'api=account&action=suspend&user=ghost',
    scope: 'accounts:write',
    action: 'account.suspend',
  },
  {
    method: 'POST',
    query: 'api=account&action=unsuspend&user=ghost',
    scope: 'accounts:write',
    action: 'account.unsuspend',
  },
  {
    method: 'POST',
    query: 'api=account&action=password&user=ghost',
    scope: 'accounts:write',
    action: 'account.password',
  },
  {
    method: 'POST',
    query: 'api=account&action=plan&user=ghost',
    body: { plan: null },
    scope: 'accounts:write',
    action: 'account.plan',
  },
  { method: 'DELETE', query: 'api=account&user=ghost', scope: 'accounts:delete', action: 'account.terminate' },
];

const COMBOS: string[][] = [];
for (let mask = 0; mask < 1 << SCOPES.length; mask++) COMBOS.push(SCOPES.filter((_, i) => mask & (1 << i)));

describe('scope matrix: every endpoint × every scope combination', () => {
  let app: TestApp;
  const tokens = new Map<string, string>();
  before(async () => {
    app = await makeApp();
    for (const combo of COMBOS)
      tokens.set(combo.join(','), await app.token(combo, { name: `scopes:${combo.join(',') || 'none'}` }));
  });
  after(() => app.close());

  for (const combo of COMBOS) {
    for (const call of CALLS) {
      const allowed = call.scope === null || combo.includes(call.scope);
      it(`[${combo.join(',') || 'no scopes'}] ${call.method} ?${call.query} → ${allowed ? 'allowed' : '403'}`, async () => {
        const res = await app.api(call.method, call.query, { token: tokens.get(combo.join(',')), body: call.body });
        const body = res.json();
        if (allowed) {
          assert.notEqual(res.statusCode, 403, JSON.stringify(body));
          assert.ok([200, 400, 404].includes(res.statusCode), `${res.statusCode} ${JSON.stringify(body)}`);
        } else {
          assert.equal(res.statusCode, 403);
          assert.equal(body.error, 'insufficient_scope');
          assert.equal(body.required_scope, call.scope);
          assert.equal(
            res.headers['www-authenticate'],
            `Bearer realm="vanta", error="insufficient_scope", scope="${call.scope}"`,
          );
        }
        if (call.action) {
          const [entry] = await app.rt.ctx.store.audit.list({ limit: 1 });
          assert.equal(entry?.action, call.action);
          assert.equal(entry?.actor.name, `scopes:${combo.join(',') || 'none'}`);
          assert.equal(entry?.status, res.statusCode);
          assert.equal(entry?.requestId, res.headers['x-request-id']);
          if (!allowed) assert.equal(entry?.outcome, 'insufficient_scope');
        }
      });
    }
  }
});
