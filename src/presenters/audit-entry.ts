import { putOwn } from '../domain/records.js';
import { wellFormed } from '../domain/text.js';
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

/** wellFormedDeep makes every string in a value well-formed, so that any JSON reader accepts it. */
function wellFormedDeep(value: unknown): unknown {
  if (typeof value === 'string') return wellFormed(value);
  if (Array.isArray(value)) return value.map(wellFormedDeep);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) putOwn(out, wellFormed(key), wellFormedDeep(item));
  return out;
}

/**
 * auditEntryJson renders an audit entry for `vanta audit list --json` and vWHM's exports. Entries
 * written by older versions may hold lone surrogates, which JSON readers such as jq refuse: they
 * are printed as U+FFFD.
 */
export function auditEntryJson(e: AuditEntry): AuditEntryJson {
  return {
    id: e.id,
    at: e.at,
    actor_type: e.actor.type,
    actor_id: e.actor.id,
    actor_name: e.actor.name,
    ip: e.ip,
    action: e.action,
    target: e.target === null ? null : wellFormed(e.target),
    outcome: e.outcome,
    status: e.status,
    request_id: e.requestId,
    params: wellFormedDeep(e.params) as Record<string, unknown>,
    prev_hash: e.prevHash,
    hash: e.hash,
  };
}
