import { type ChainCheck, ChainVerifier, GENESIS_HASH } from '../domain/audit-chain.js';
import { isDomainError } from '../domain/errors.js';
import { putOwn } from '../domain/records.js';
import { clipText } from '../domain/text.js';
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

/** AUDIT_TEXT_MAX is the most code points of one input string (or input name) that an audit entry keeps. */
export const AUDIT_TEXT_MAX = 256;

/** AUDIT_LIST_MAX is the most items of a list input, and the most inputs of an entry, that an audit entry keeps. */
const AUDIT_LIST_MAX = 32;

/** clipAuditText makes a string well-formed and cuts it past AUDIT_TEXT_MAX code points, marking the cut with `…`. */
export function clipAuditText(value: string): string {
  return clipText(value, AUDIT_TEXT_MAX);
}

// Every door's inputs are bounded and made well-formed here, so that no caller (a form field, a
// JSON body, a list of addresses) can grow the append-only log by more than a few kilobytes an
// entry, or hand it text whose stored form differs from what was hashed.
function boundValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return clipAuditText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 0) return '[structured]';
  if (Array.isArray(value)) {
    const items = value.slice(0, AUDIT_LIST_MAX).map((item) => boundValue(item, depth + 1));
    return value.length > AUDIT_LIST_MAX ? [...items, '…'] : items;
  }
  return boundParams(value as Record<string, unknown>, depth + 1);
}

function boundParams(params: Record<string, unknown>, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = Object.keys(params);
  for (const key of keys.slice(0, AUDIT_LIST_MAX)) putOwn(out, clipAuditText(key), boundValue(params[key], depth));
  if (keys.length > AUDIT_LIST_MAX) putOwn(out, '…', `${keys.length - AUDIT_LIST_MAX} more`);
  return out;
}

const text = (value: string | null | undefined): string | null => (value == null ? null : clipAuditText(value));

/** recordAudit appends one entry to the hash-chained audit log, every text in it well-formed and bounded in size. */
export async function recordAudit(
  ctx: AppContext,
  audit: AuditContext,
  outcome: string,
  status: number | null,
): Promise<AuditEntry> {
  return ctx.store.audit.append({
    at: ctx.now().toISOString(),
    requestId: text(audit.requestId),
    actor: { type: audit.actor.type, id: text(audit.actor.id), name: clipAuditText(audit.actor.name) },
    ip: text(audit.ip),
    action: clipAuditText(audit.action),
    target: text(audit.target),
    outcome: clipAuditText(outcome),
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
 * verifyAudit walks the whole hash chain in id order, a page at a time, checking every entry (so
 * every break is reported), and compares where it ends with the head the store records, which
 * catches the deletion of the newest entries.
 */
export async function verifyAudit(ctx: AppContext): Promise<ChainCheck> {
  const verifier = new ChainVerifier();
  let after = 0;
  for (;;) {
    const page = await ctx.store.audit.listAfter(after, CHAIN_PAGE);
    for (const entry of page) verifier.add(entry);
    const last = page[page.length - 1];
    if (page.length < CHAIN_PAGE || last === undefined) break;
    after = last.id;
  }
  return verifier.finish((await ctx.store.audit.head()) ?? { lastId: -1, lastHash: GENESIS_HASH });
}
