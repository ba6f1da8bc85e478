import type { Kysely, Selectable } from 'kysely';
import type { Database, DatabasesTable } from '../schema.js';
import type { DatabaseRecord, Store } from '../store.js';

/** toDatabase maps a `databases` row to a DatabaseRecord. */
export function toDatabase(row: Selectable<DatabasesTable>): DatabaseRecord {
  return { name: row.name, account: row.account, dbUser: row.db_user, createdAt: row.created_at };
}

/** kyselyDatabases is the `databases` table: the customer databases the panel made. */
export function kyselyDatabases(db: Kysely<Database>): Store['databases'] {
  return {
    get: async (name) => {
      const row = await db.selectFrom('databases').selectAll().where('name', '=', name).executeTakeFirst();
      return row ? toDatabase(row) : undefined;
    },
    listByAccount: async (account) =>
      (await db.selectFrom('databases').selectAll().where('account', '=', account).orderBy('name').execute()).map(
        toDatabase,
      ),
    countByAccount: async (account) => {
      const row = await db
        .selectFrom('databases')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('account', '=', account)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    listAll: async () => (await db.selectFrom('databases').selectAll().orderBy('name').execute()).map(toDatabase),
    insert: async (d: DatabaseRecord) => {
      await db
        .insertInto('databases')
        .values({ name: d.name, account: d.account, db_user: d.dbUser, created_at: d.createdAt })
        .execute();
    },
    delete: async (name) => {
      await db.deleteFrom('databases').where('name', '=', name).execute();
    },
  };
}
