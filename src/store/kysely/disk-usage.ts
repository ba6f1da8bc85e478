import { type Kysely, sql } from 'kysely';
import type { Database } from '../schema.js';
import type { Store } from '../store.js';

/** kyselyDiskUsage is the `disk_usage` table: each account's last disk measurement. */
export function kyselyDiskUsage(db: Kysely<Database>): Store['diskUsage'] {
  return {
    get: async (account) => {
      const row = await db.selectFrom('disk_usage').selectAll().where('account', '=', account).executeTakeFirst();
      return row ? { bytes: row.bytes, measuredAt: row.measured_at } : undefined;
    },
    set: async (account, reading) => {
      // Through a select, so that a measurement finishing after its account was terminated keeps nothing.
      await sql`insert into disk_usage (account, bytes, measured_at)
        select ${account}, ${reading.bytes}, ${reading.measuredAt} where exists (select 1 from accounts where "user" = ${account})
        on conflict (account) do update set bytes = excluded.bytes, measured_at = excluded.measured_at`.execute(db);
    },
    unmeasured: async (limit) => {
      const rows = await db
        .selectFrom('accounts')
        .leftJoin('disk_usage', 'disk_usage.account', 'accounts.user')
        .select('accounts.user')
        .where('accounts.status', 'in', ['active', 'suspended'])
        .where('disk_usage.account', 'is', null)
        .orderBy('accounts.user')
        .limit(limit)
        .execute();
      return rows.map((r) => r.user);
    },
  };
}
