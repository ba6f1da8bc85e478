import assert from 'node:assert/strict';
import type { Actor, AuditEntry } from '../../src/domain/types.js';
import type { TestApp } from './app.js';

/** ExpectedAudit is what an audit entry must say; a field left out is not looked at (outcome defaults to `ok`). */
export interface ExpectedAudit {
  action: string;
  outcome?: string;
  status?: number | null;
  actor?: Partial<Actor>;
  target?: string | null;
  params?: Record<string, unknown>;
  requestId?: string | null;
  ip?: string | null;
}

/** auditMark is the id of the newest audit entry (0 for none), to look at what a change writes after it. */
export async function auditMark(app: TestApp): Promise<number> {
  return (await app.rt.ctx.store.audit.list({ limit: 1 }))[0]?.id ?? 0;
}

/**
 * expectAudit checks the newest audit entry against `expected` and returns it. With `since` (an
 * auditMark), it also checks that it is the only entry written since then; with `expected` null,
 * that none was.
 */
export async function expectAudit(app: TestApp, expected: ExpectedAudit, since?: number): Promise<AuditEntry>;
export async function expectAudit(app: TestApp, expected: null, since: number): Promise<undefined>;
export async function expectAudit(
  app: TestApp,
  expected: ExpectedAudit | null,
  since?: number,
): Promise<AuditEntry | undefined> {
  const entries = await app.rt.ctx.store.audit.list({ limit: 10 });
  if (since !== undefined) {
    const fresh = entries.filter((e) => e.id > since);
    assert.equal(fresh.length, expected === null ? 0 : 1, `audit entries written: ${JSON.stringify(fresh)}`);
  }
  if (expected === null) return undefined;
  const entry = entries[0];
  assert.ok(entry, 'no audit entry');
  const { actor, outcome = 'ok', ...fields } = expected;
  const actual: Record<string, unknown> = { outcome: entry.outcome };
  for (const key of Object.keys(fields)) actual[key] = entry[key as keyof AuditEntry];
  assert.deepEqual(actual, { outcome, ...fields }, `audit entry ${entry.id}`);
  if (actor) {
    const shown = Object.fromEntries(Object.keys(actor).map((k) => [k, entry.actor[k as keyof Actor]]));
    assert.deepEqual(shown, actor, `actor of audit entry ${entry.id}`);
  }
  return entry;
}
