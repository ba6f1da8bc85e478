import type { ChainCheck } from '../domain/audit-chain.js';
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
}

/** audited runs a change and writes its audit entry whatever the outcome, then returns or rethrows. */
export async function audited<T>(ctx: AppContext, audit: AuditContext, fn: () => Promise<T>): Promise<T> {
  try {
    const result = await fn();
    await recordAudit(ctx, audit, 'ok', null);
    return result;
  } catch (err) {
    await recordAudit(ctx, audit, isDomainError(err) ? err.code : 'internal_error', null);
    throw err;
  }
}

/** recordAudit appends one entry to the hash-chained audit log. */
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
    target: audit.target,
    outcome,
    status,
    params: audit.params,
  });
}

/** listAudit returns audit entries, newest first. */
export async function listAudit(ctx: AppContext, filter: AuditFilter): Promise<AuditEntry[]> {
  return ctx.store.audit.list(filter);
}

/** verifyAudit walks the whole hash chain. */
export async function verifyAudit(ctx: AppContext): Promise<ChainCheck> {
  return ctx.store.audit.verify();
}
