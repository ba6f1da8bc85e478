import type { Kysely, Selectable } from 'kysely';
import type { AdminsTable, Database } from '../schema.js';
import type { AdminRecord, Store } from '../store.js';

/** toAdmin maps an `admins` row to an AdminRecord. */
export function toAdmin(row: Selectable<AdminsTable>): AdminRecord {
  return { name: row.name, passwordHash: row.password_hash, createdAt: row.created_at, updatedAt: row.updated_at };
}

/** kyselyAdmins is the `admins` table of vWHM admins. */
export function kyselyAdmins(db: Kysely<Database>): Store['admins'] {
  return {
    get: async (name) => {
      const row = await db.selectFrom('admins').selectAll().where('name', '=', name).executeTakeFirst();
      return row ? toAdmin(row) : undefined;
    },
    count: async () => {
      const row = await db
        .selectFrom('admins')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    list: async () =>
      (await db.selectFrom('admins').select(['name', 'created_at', 'updated_at']).orderBy('name').execute()).map(
        (r) => ({
          name: r.name,
          createdAt: r.created_at,
          updatedAt: r.updated_at,
        }),
      ),
    insert: async (a: AdminRecord) => {
      await db
        .insertInto('admins')
        .values({ name: a.name, password_hash: a.passwordHash, created_at: a.createdAt, updated_at: a.updatedAt })
        .execute();
    },
    setPassword: async (name, passwordHash, at) => {
      await db
        .updateTable('admins')
        .set({ password_hash: passwordHash, updated_at: at })
        .where('name', '=', name)
        .execute();
    },
  };
}
