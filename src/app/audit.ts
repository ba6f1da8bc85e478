import { type ChainCheck, ChainVerifier, GENESIS_HASH } from '../domain/audit-chain.js';
import { isDomainError } from '../domain/errors.js';
import type { Actor, AuditEntry } from '../domain/types.js';
import type { AuditFilter } from '../store/store.js';
import type { AppContext } from './ports.js';

/** AuditContext is what a door knows about a change before it runs it. */
export interface AuditContext {
  actor: Actor;
  action: string;
  target: string | null;
  params: Record<string, unknown>;
  requestId?: string | null;
  ip?: string | null;
  /** statusOf gives the HTTP status a door answers for an outcome (`ok` or an error code); absent outside HTTP. */
  statusOf?: (outcome: string) => number;
}

/** audited runs a change and writes its audit entry whatever the outcome, then returns or rethrows. */
export async function audited<T>(ctx: AppContext, audit: AuditContext, fn: () => Promise<T>): Promise<T> {
  try {
    const result = await fn();
    await recordAudit(ctx, audit, 'ok', audit.statusOf?.('ok') ?? null);
    return result;
  } catch (err) {
    const outcome = isDomainError(err) ? err.code : 'internal_error';
    await recordAudit(ctx, audit, outcome, audit.statusOf?.(outcome) ?? null);
    throw err;
  }
}

/** AUDIT_TEXT_MAX is the most characters of one input string that an audit entry keeps. */
export const AUDIT_TEXT_MAX = 256;

const AUDIT_LIST_MAX = 32;

/** clipAuditText cuts a string longer than AUDIT_TEXT_MAX and marks the cut with `…`. */
export function clipAuditText(value: string): string {
  return value.length > AUDIT_TEXT_MAX ? `${value.slice(0, AUDIT_TEXT_MAX)}…` : value;
}

// Every door's inputs are bounded here, so that no caller (a form field, a JSON body, a list of
// addresses) can grow the append-only log by more than a few kilobytes an entry.
function boundParams(params: Record<string, unknown>): Record<string, unknown> {
  const bound = (value: unknown): unknown => (typeof value === 'string' ? clipAuditText(value) : value);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    if (!Array.isArray(value)) {
      out[key] = bound(value);
      continue;
    }
    const items = value.slice(0, AUDIT_LIST_MAX).map(bound);
    out[key] = value.length > AUDIT_LIST_MAX ? [...items, '…'] : items;
  }
  return out;
}

/** recordAudit appends one entry to the hash-chained audit log, its target and inputs bounded in size. */
export async function recordAudit(
  ctx: AppContext,
  audit: AuditContext,
  outcome: string,
  status: number | null,
): Promise<AuditEntry> {
  return ctx.store.audit.append({
    at: ctx.now().toISOString(),
    requestId: audit.requestId ?? null,
    actor: audit.actor,
    ip: audit.ip ?? null,
    action: audit.action,
    target: audit.target === null ? null : clipAuditText(audit.target),
    outcome,
    status,
    params: boundParams(audit.params),
  });
}

/** listAudit returns audit entries, newest first. */
export async function listAudit(ctx: AppContext, filter: AuditFilter): Promise<AuditEntry[]> {
  return ctx.store.audit.list(filter);
}

const CHAIN_PAGE = 1000;

/**
 * verifyAudit walks the whole hash chain in id order, a page at a time, and compares where it ends
 * with the head the store records, which catches the deletion of the newest entries.
 */
export async function verifyAudit(ctx: AppContext): Promise<ChainCheck> {
  const verifier = new ChainVerifier();
  let after = 0;
  for (;;) {
    const page = await ctx.store.audit.listAfter(after, CHAIN_PAGE);
    for (const entry of page) {
      if (!verifier.add(entry)) break;
    }
    const last = page[page.length - 1];
    if (page.length < CHAIN_PAGE || last === undefined) break;
    after = last.id;
  }
  return verifier.finish((await ctx.store.audit.head()) ?? { lastId: -1, lastHash: GENESIS_HASH });
}
