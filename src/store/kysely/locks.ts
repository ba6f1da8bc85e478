import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { Store } from '../store.js';

/** kyselyLocks is the `locks` table: named locks shared by every process on the store. */
export function kyselyLocks(db: Kysely<Database>): Store['locks'] {
  return {
    acquire: async (key, owner, nowMs, ttlMs) => {
      const result = await db
        .insertInto('locks')
        .values({ key, owner, expires_at: nowMs + ttlMs })
        .onConflict((oc) =>
          oc
            .column('key')
            .doUpdateSet({ owner, expires_at: nowMs + ttlMs })
            .where('locks.expires_at', '<', nowMs),
        )
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    release: async (key, owner) => {
      await db.deleteFrom('locks').where('key', '=', key).where('owner', '=', owner).execute();
    },
    list: async () => db.selectFrom('locks').select(['key', 'owner']).orderBy('key').execute(),
  };
}
