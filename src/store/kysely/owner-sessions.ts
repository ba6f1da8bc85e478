import type { Kysely, Selectable } from 'kysely';
import type { SessionVia } from '../../domain/session.js';
import type { Database, OwnerSessionsTable } from '../schema.js';
import type { OwnerSessionRecord, Store } from '../store.js';

/** toOwnerSession maps an `owner_sessions` row to an OwnerSessionRecord. */
export function toOwnerSession(row: Selectable<OwnerSessionsTable>): OwnerSessionRecord {
  return {
    idHash: row.id_hash,
    account: row.account,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    ip: row.ip,
    userAgent: row.user_agent,
    via: row.via as SessionVia,
  };
}

/** kyselyOwnerSessions is the `owner_sessions` table: the user panel's sessions, by the hash of their ids. */
export function kyselyOwnerSessions(db: Kysely<Database>): Store['ownerSessions'] {
  return {
    insert: async (s) => {
      await db
        .insertInto('owner_sessions')
        .values({
          id_hash: s.idHash,
          account: s.account,
          created_at: s.createdAt,
          last_seen_at: s.lastSeenAt,
          ip: s.ip,
          user_agent: s.userAgent,
          via: s.via,
        })
        .execute();
    },
    get: async (idHash) => {
      const row = await db.selectFrom('owner_sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
      return row ? toOwnerSession(row) : undefined;
    },
    touch: async (idHash, at) => {
      await db.updateTable('owner_sessions').set({ last_seen_at: at }).where('id_hash', '=', idHash).execute();
    },
    delete: async (idHash) => {
      const result = await db.deleteFrom('owner_sessions').where('id_hash', '=', idHash).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    deleteByAccount: async (account, keep) => {
      let query = db.deleteFrom('owner_sessions').where('account', '=', account);
      if (keep !== undefined) query = query.where('id_hash', '!=', keep);
      return Number((await query.executeTakeFirst()).numDeletedRows);
    },
    deleteStale: async (lastSeenBefore, createdBefore) => {
      const result = await db
        .deleteFrom('owner_sessions')
        .where((eb) => eb.or([eb('last_seen_at', '<', lastSeenBefore), eb('created_at', '<', createdBefore)]))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
