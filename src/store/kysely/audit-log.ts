import { type Kysely, type Selectable, sql } from 'kysely';
import { auditHash, canonicalParams } from '../../domain/audit-chain.js';
import { wellFormed } from '../../domain/text.js';
import type { ActorType, AuditEntry, AuditInput } from '../../domain/types.js';
import type { AuditLogTable, Database } from '../schema.js';
import type { AuditFilter, Store } from '../store.js';

/** toAuditEntry maps an `audit_log` row to an AuditEntry. */
export function toAuditEntry(row: Selectable<AuditLogTable>): AuditEntry {
  return {
    id: row.id,
    at: row.at,
    requestId: row.request_id,
    actor: { type: row.actor_type as ActorType, id: row.actor_id, name: row.actor_name },
    ip: row.ip,
    action: row.action,
    target: row.target,
    outcome: row.outcome,
    status: row.status,
    params: JSON.parse(row.params) as Record<string, unknown>,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/**
 * auditRow is the row an entry is stored as. Text is made well-formed first, as writing it as
 * UTF-8 would, and the params are stored as canonical JSON, so reading the row back gives exactly
 * what was hashed.
 */
function auditRow(id: number, prevHash: string, entry: AuditInput): Selectable<AuditLogTable> {
  const text = (value: string | null) => (value === null ? null : wellFormed(value));
  return {
    id,
    at: wellFormed(entry.at),
    request_id: text(entry.requestId),
    actor_type: wellFormed(entry.actor.type),
    actor_id: text(entry.actor.id),
    actor_name: wellFormed(entry.actor.name),
    ip: text(entry.ip),
    action: wellFormed(entry.action),
    target: text(entry.target),
    outcome: wellFormed(entry.outcome),
    status: entry.status,
    params: wellFormed(JSON.stringify(canonicalParams(entry.params))),
    prev_hash: prevHash,
    hash: '',
  };
}

/** kyselyAudit is the append-only `audit_log` table and its one-row head, `audit_head`. */
export function kyselyAudit(db: Kysely<Database>): Store['audit'] {
  return {
    append: async (entry: AuditInput) =>
      // An immediate transaction takes the write lock before reading the head, so two processes
      // appending at once queue up instead of forking the chain.
      db.connection().execute(async (conn) => {
        await sql`begin immediate`.execute(conn);
        try {
          const head = await conn
            .selectFrom('audit_head')
            .select(['last_id', 'last_hash'])
            .where('id', '=', 1)
            .executeTakeFirstOrThrow();
          const id = head.last_id + 1;
          const row = auditRow(id, head.last_hash, entry);
          // The hash is of the entry as it is read back from the row, so verify recomputes the same.
          const stored = toAuditEntry(row);
          const hash = auditHash(id, head.last_hash, stored);
          await conn
            .insertInto('audit_log')
            .values({ ...row, hash })
            .execute();
          await conn.updateTable('audit_head').set({ last_id: id, last_hash: hash }).where('id', '=', 1).execute();
          await sql`commit`.execute(conn);
          return { ...stored, hash };
        } catch (err) {
          await sql`rollback`.execute(conn);
          throw err;
        }
      }),
    list: async (filter: AuditFilter) => {
      let query = db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(filter.limit);
      if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
      if (filter.since) query = query.where('at', '>=', filter.since);
      if (filter.until) query = query.where('at', '<', filter.until);
      if (filter.action) query = query.where('action', '=', filter.action);
      if (filter.actor) query = query.where('actor_name', '=', filter.actor);
      if (filter.actorType) query = query.where('actor_type', '=', filter.actorType);
      if (filter.outcome) query = query.where('outcome', '=', filter.outcome);
      if (filter.target) query = query.where('target', '=', filter.target);
      return (await query.execute()).map(toAuditEntry);
    },
    listAfter: async (afterId, limit) =>
      (await db.selectFrom('audit_log').selectAll().where('id', '>', afterId).orderBy('id').limit(limit).execute()).map(
        toAuditEntry,
      ),
    head: async () => {
      const head = await db.selectFrom('audit_head').select(['last_id', 'last_hash']).executeTakeFirst();
      return head ? { lastId: head.last_id, lastHash: head.last_hash } : undefined;
    },
  };
}
