import type { AuditEntry } from '../domain/types.js';

/** AuditEntryJson is one audit entry as every door prints it: flat, with snake_case keys, as the API spells them. */
export interface AuditEntryJson {
  id: number;
  at: string;
  actor_type: string;
  actor_id: string | null;
  actor_name: string;
  ip: string | null;
  action: string;
  target: string | null;
  outcome: string;
  status: number | null;
  request_id: string | null;
  params: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

/** auditEntryJson renders an audit entry for `vanta audit list --json` and vWHM's exports. */
export function auditEntryJson(e: AuditEntry): AuditEntryJson {
  return {
    id: e.id,
    at: e.at,
    actor_type: e.actor.type,
    actor_id: e.actor.id,
    actor_name: e.actor.name,
    ip: e.ip,
    action: e.action,
    target: e.target,
    outcome: e.outcome,
    status: e.status,
    request_id: e.requestId,
    params: e.params,
    prev_hash: e.prevHash,
    hash: e.hash,
  };
}
