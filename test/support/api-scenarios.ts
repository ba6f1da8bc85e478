import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import type { TestApp } from './app.js';
import { auditMark, expectAudit } from './audit.js';

/** ApiScenario is one API call and what it must answer: status, body, and the audit entry it writes. */
export interface ApiScenario {
  name: string;
  method: string;
  query: string;
  body?: unknown;
  rawBody?: string | Buffer;
  /** headers are sent with the call; a function is asked when the test runs (for values made in `before`). */
  headers?: Record<string, string> | (() => Record<string, string>);
  /** token replaces the runner's token for this call; null sends none. */
  token?: string | null | (() => string);
  ip?: string;
  status: number;
  /** error is the expected error code; absent for a success. */
  error?: string;
  param?: string;
  check?: (body: Record<string, unknown>, res: LightMyRequestResponse) => void | Promise<void>;
  /** audit is the action of the one entry the call writes; absent for calls that write none (reads). */
  audit?: string;
}

/** ScenarioRun says which app and token the scenarios use, and whom their audit entries name. */
export interface ScenarioRun {
  app: () => TestApp;
  token: () => string;
  /** actor is the name of the runner's token, which the audit entries of its calls name. */
  actor: string;
  /** secrets are strings that no audit entry may contain. */
  secrets?: readonly string[];
}

/**
 * runApiScenarios adds a test for each scenario, in order, through the real server with inject():
 * status, JSON body (`ok`, `error`, `message`, `param`), the scenario's own checks, the
 * `WWW-Authenticate` of a 401, and exactly one audit entry (action, outcome, status, request id,
 * actor, address, no secret), or none for a call that is not audited.
 */
export function runApiScenarios(run: ScenarioRun, scenarios: readonly ApiScenario[]): void {
  for (const s of scenarios) {
    it(`${s.name} → ${s.status}${s.error ? ` ${s.error}` : ''}`, async () => {
      const app = run.app();
      const mark = await auditMark(app);
      const chosen = s.token === undefined ? run.token() : typeof s.token === 'function' ? s.token() : s.token;
      const ip = s.ip ?? '127.0.0.1';
      const res = await app.api(s.method, s.query, {
        token: chosen ?? undefined,
        body: s.body,
        rawBody: s.rawBody,
        headers: typeof s.headers === 'function' ? s.headers() : s.headers,
        ip,
      });
      const body = res.json() as Record<string, unknown>;
      assert.equal(res.statusCode, s.status, JSON.stringify(body));
      assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
      assert.ok(res.headers['x-request-id'], 'every answer carries a request id');
      assert.equal(body.ok, s.error === undefined);
      if (s.error) {
        assert.equal(body.error, s.error);
        assert.equal(typeof body.message, 'string');
      }
      if (s.param) assert.equal(body.param, s.param);
      if (s.status === 401) {
        assert.equal(res.headers['www-authenticate'], 'Bearer realm="vanta", error="invalid_token"');
      }
      await s.check?.(body, res);
      if (!s.audit) {
        await expectAudit(app, null, mark);
        return;
      }
      const entry = await expectAudit(
        app,
        {
          action: s.audit,
          outcome: s.error ?? 'ok',
          status: s.status,
          requestId: String(res.headers['x-request-id']),
          ip,
          ...(chosen === null ? {} : { actor: { type: 'token', name: run.actor } }),
        },
        mark,
      );
      const text = JSON.stringify(entry.params);
      for (const secret of run.secrets ?? []) assert.ok(!text.includes(secret), `the audit entry holds "${secret}"`);
    });
  }
}
