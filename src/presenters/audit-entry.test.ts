import assert from 'node:assert/strict';
import { it } from 'node:test';
import { auditEntryJson } from './audit-entry.js';

it('auditEntryJson is flat and snake_case, with the inputs kept as an object', () => {
  const json = auditEntryJson({
    id: 12,
    at: '2026-11-27T22:17:28.667Z',
    requestId: 'req-1',
    actor: { type: 'token', id: '1', name: 'billing' },
    ip: '127.0.0.1',
    action: 'account.password',
    target: 'bob',
    outcome: 'ok',
    status: 200,
    params: { user: 'bob', password: '[redacted]' },
    prevHash: 'a'.repeat(64),
    hash: 'b'.repeat(64),
  });
  assert.deepEqual(json, {
    id: 12,
    at: '2026-11-27T22:17:28.667Z',
    actor_type: 'token',
    actor_id: '1',
    actor_name: 'billing',
    ip: '127.0.0.1',
    action: 'account.password',
    target: 'bob',
    outcome: 'ok',
    status: 200,
    request_id: 'req-1',
    params: { user: 'bob', password: '[redacted]' },
    prev_hash: 'a'.repeat(64),
    hash: 'b'.repeat(64),
  });
});
