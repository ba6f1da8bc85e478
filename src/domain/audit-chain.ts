import { createHash } from 'node:crypto';
import { putOwn } from './records.js';
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
    for (const key of Object.keys(value).sort())
      putOwn(out, key, canonicalParams((value as Record<string, unknown>)[key]));
    return out;
  }
  return value;
}

/** ChainBreak is one place where the audit chain does not hold. */
export interface ChainBreak {
  /** id is the entry at fault (for a head that does not match, the entry the head records). */
  id: number;
  reason: string;
}

/**
 * ChainCheck is the outcome of walking the audit chain: every entry is checked, so every break is
 * reported (the first MAX_BREAKS of them; `breakCount` says how many there are). `brokenAt` and
 * `reason` repeat the first break.
 */
export type ChainCheck =
  | { ok: true; entries: number }
  | { ok: false; entries: number; brokenAt: number | null; reason: string; breaks: ChainBreak[]; breakCount: number };

/** MAX_BREAKS bounds the breaks a check keeps, so a log rewritten whole does not fill memory. */
export const MAX_BREAKS = 1000;

/**
 * ChainVerifier walks audit entries in id order and checks each against the one before it: that
 * no id is skipped, that it links to the stored hash of the one before, and that its own hash
 * matches its contents. A break does not stop the walk: an edit further on is reported too.
 */
export class ChainVerifier {
  private prevHash = GENESIS_HASH;
  private prevId = 0;
  private count = 0;
  private readonly breaks: ChainBreak[] = [];
  private breakCount = 0;

  /** add checks the next entry. */
  add(entry: AuditEntry): void {
    if (entry.id !== this.prevId + 1) {
      const gap = entry.id - this.prevId - 1;
      const missing =
        gap === 1 ? `entry ${this.prevId + 1} is missing` : `entries ${this.prevId + 1}-${entry.id - 1} are missing`;
      this.fail(entry.id, `${missing} (next is ${entry.id})`);
    } else if (entry.prevHash !== this.prevHash) {
      this.fail(entry.id, `entry ${entry.id} does not link to entry ${this.prevId}`);
    }
    if (auditHash(entry.id, entry.prevHash, entry) !== entry.hash) {
      this.fail(entry.id, `entry ${entry.id} was changed after it was written`);
    }
    this.prevHash = entry.hash;
    this.prevId = entry.id;
    this.count++;
  }

  /** finish compares the end of the walk with the recorded head, which catches deleted newest entries. */
  finish(head: { lastId: number; lastHash: string }): ChainCheck {
    if (head.lastId !== this.prevId || head.lastHash !== this.prevHash) {
      this.fail(head.lastId, `the log ends at entry ${this.prevId} but its head records entry ${head.lastId}`);
    }
    const first = this.breaks[0];
    if (first === undefined) return { ok: true, entries: this.count };
    return {
      ok: false,
      entries: this.count,
      brokenAt: first.id,
      reason: first.reason,
      breaks: this.breaks,
      breakCount: this.breakCount,
    };
  }

  private fail(id: number, reason: string): void {
    this.breakCount++;
    if (this.breaks.length < MAX_BREAKS) this.breaks.push({ id, reason });
  }
}
