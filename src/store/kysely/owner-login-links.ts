import type { Kysely, Selectable } from 'kysely';
import type { Database, OwnerLoginLinksTable } from '../schema.js';
import type { LoginLinkRecord, Store } from '../store.js';

/** toLoginLink maps an `owner_login_links` row to a LoginLinkRecord. */
export function toLoginLink(row: Selectable<OwnerLoginLinksTable>): LoginLinkRecord {
  return {
    hash: row.hash,
    account: row.account,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    usedAt: row.used_at,
    createdBy: row.created_by,
  };
}

/** kyselyLoginLinks is the `owner_login_links` table: single sign-on links, by the hash of their secrets. */
export function kyselyLoginLinks(db: Kysely<Database>): Store['loginLinks'] {
  return {
    insert: async (l) => {
      await db
        .insertInto('owner_login_links')
        .values({
          hash: l.hash,
          account: l.account,
          created_at: l.createdAt,
          expires_at: l.expiresAt,
          used_at: l.usedAt,
          created_by: l.createdBy,
        })
        .execute();
    },
    get: async (hash) => {
      const row = await db.selectFrom('owner_login_links').selectAll().where('hash', '=', hash).executeTakeFirst();
      return row ? toLoginLink(row) : undefined;
    },
    markUsed: async (hash, at) => {
      const result = await db
        .updateTable('owner_login_links')
        .set({ used_at: at })
        .where('hash', '=', hash)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    deleteByAccount: async (account) =>
      Number(
        (await db.deleteFrom('owner_login_links').where('account', '=', account).executeTakeFirst()).numDeletedRows,
      ),
    deleteExpired: async (before) =>
      Number(
        (await db.deleteFrom('owner_login_links').where('expires_at', '<', before).executeTakeFirst()).numDeletedRows,
      ),
  };
}
