import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import { SCOPES } from '../src/domain/scopes.js';
import { type ApiScenario, runApiScenarios } from './support/api-scenarios.js';
import { type TestApp, makeApp } from './support/app.js';

// Each call is chosen so that, once past the scope check, it fails harmlessly on validation or
// lookup (or only reads): the matrix proves the scope gate without changing anything.
const CALLS: Array<{
  method: string;
  query: string;
  body?: unknown;
  scope: string | null;
  action?: string;
  allowed: { status: number; error?: string };
}> = [
  { method: 'GET', query: 'api=ping', scope: null, allowed: { status: 200 } },
  { method: 'GET', query: 'api=accounts', scope: 'accounts:read', allowed: { status: 200 } },
  { method: 'GET', query: 'api=usage', scope: 'accounts:read', allowed: { status: 200 } },
  {
    method: 'GET',
    query: 'api=account&user=ghost',
    scope: 'accounts:read',
    allowed: { status: 404, error: 'account_not_found' },
  },
  {
    method: 'POST',
    query: 'api=accounts',
    body: {},
    scope: 'accounts:write',
    action: 'account.create',
    allowed: { status: 400, error: 'missing_parameter' },
  },
  ...['suspend', 'unsuspend', 'password'].map((action) => ({
    method: 'POST',
    query: `api=account&action=${action}&user=ghost`,
    scope: 'accounts:write',
    action: `account.${action}`,
    allowed: { status: 404, error: 'account_not_found' },
  })),
  {
    method: 'POST',
    query: 'api=account&action=plan&user=ghost',
    body: { plan: null },
    scope: 'accounts:write',
    action: 'account.plan',
    allowed: { status: 404, error: 'account_not_found' },
  },
  { method: 'GET', query: 'api=plans', scope: 'accounts:read', allowed: { status: 200 } },
  {
    method: 'POST',
    query: 'api=plans',
    body: {},
    scope: 'plans:write',
    action: 'plan.save',
    allowed: { status: 400, error: 'missing_parameter' },
  },
  {
    method: 'POST',
    query: 'api=account&action=domain&user=ghost',
    body: { domain: 'ghost.example' },
    scope: 'accounts:write',
    action: 'account.domain',
    allowed: { status: 404, error: 'account_not_found' },
  },
  {
    method: 'DELETE',
    query: 'api=account&user=ghost',
    scope: 'accounts:delete',
    action: 'account.terminate',
    allowed: { status: 404, error: 'account_not_found' },
  },
];

const COMBOS: string[][] = [];
for (let mask = 0; mask < 1 << SCOPES.length; mask++) COMBOS.push(SCOPES.filter((_, i) => mask & (1 << i)));

describe('scope matrix: every endpoint × every scope combination', () => {
  let app: TestApp;
  const tokens = new Map<string, string>();
  const nameOf = (combo: string[]) => `scopes:${combo.join(',') || 'none'}`;
  before(async () => {
    app = await makeApp();
    for (const combo of COMBOS) tokens.set(nameOf(combo), await app.token(combo, { name: nameOf(combo) }));
  });
  after(() => app.close());

  for (const combo of COMBOS) {
    const scenarios = CALLS.map((call): ApiScenario => {
      const allowed = call.scope === null || combo.includes(call.scope);
      const name = `[${combo.join(',') || 'no scopes'}] ${call.method} ?${call.query}`;
      const base = { name, method: call.method, query: call.query, body: call.body, audit: call.action };
      if (allowed) return { ...base, ...call.allowed };
      return {
        ...base,
        status: 403,
        error: 'insufficient_scope',
        check: (body, res) => {
          assert.equal(body.required_scope, call.scope);
          assert.equal(
            res.headers['www-authenticate'],
            `Bearer realm="vanta", error="insufficient_scope", scope="${call.scope}"`,
          );
        },
      };
    });
    runApiScenarios({ app: () => app, token: () => tokens.get(nameOf(combo)) ?? '', actor: nameOf(combo) }, scenarios);
  }
});
