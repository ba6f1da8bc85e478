import { createHash } from 'node:crypto';
import type { AuditEntry, AuditInput } from './types.js';

/** GENESIS_HASH is the previous hash of the first audit entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** auditHash chains one entry to the one before it: any edit of either changes it. */
export function auditHash(id: number, prevHash: string, entry: AuditInput): string {
  const canonical = JSON.stringify([
    id,
    prevHash,
    entry.at,
    entry.requestId,
    entry.actor.type,
    entry.actor.id,
    entry.actor.name,
    entry.ip,
    entry.action,
    entry.target,
    entry.outcome,
    entry.status,
    canonicalParams(entry.params),
  ]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/** canonicalParams sorts object keys so that the stored JSON and the hashed JSON agree. */
export function canonicalParams(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalParams);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = canonicalParams((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** ChainCheck is the outcome of walking the audit chain. */
export type ChainCheck =
  | { ok: true; entries: number }
  | { ok: false; entries: number; brokenAt: number | null; reason: string };

/** ChainVerifier walks audit entries in id order and reports the first break. */
export class ChainVerifier {
  private prevHash = GENESIS_HASH;
  private prevId = 0;
  private count = 0;
  private failure: ChainCheck | null = null;

  /** add checks the next entry; it returns false once the chain is broken. */
  add(entry: AuditEntry): boolean {
    if (this.failure) return false;
    if (entry.id !== this.prevId + 1) {
      return this.fail(entry.id, `entry ${this.prevId + 1} is missing (next is ${entry.id})`);
    }
    if (entry.prevHash !== this.prevHash)
      return this.fail(entry.id, `entry ${entry.id} does not link to entry ${this.prevId}`);
    if (auditHash(entry.id, entry.prevHash, entry) !== entry.hash) {
      return this.fail(entry.id, `entry ${entry.id} was changed after it was written`);
    }
    this.prevHash = entry.hash;
    this.prevId = entry.id;
    this.count++;
    return true;
  }

  /** finish compares the end of the walk with the recorded head, which catches deleted newest entries. */
  finish(head: { lastId: number; lastHash: string }): ChainCheck {
    if (this.failure) return this.failure;
    if (head.lastId !== this.prevId || head.lastHash !== this.prevHash) {
      return {
        ok: false,
        entries: this.count,
        brokenAt: head.lastId,
        reason: `the log ends at entry ${this.prevId} but its head records entry ${head.lastId}`,
      };
    }
    return { ok: true, entries: this.count };
  }

  private fail(id: number, reason: string): false {
    this.failure = { ok: false, entries: this.count, brokenAt: id, reason };
    return false;
  }
}
