import type { Kysely, Selectable } from 'kysely';
import type { Plan } from '../../domain/types.js';
import type { Database, PlansTable } from '../schema.js';
import type { Store } from '../store.js';

/** toPlan maps a `plans` row to a Plan. */
export function toPlan(row: Selectable<PlansTable>): Plan {
  return {
    name: row.name,
    diskMb: row.disk_mb,
    maxDatabases: row.max_databases,
    bandwidthMb: row.bandwidth_mb,
    maxAddonDomains: row.max_addon_domains,
    maxEmailAccounts: row.max_email_accounts,
    shell: row.shell === 1,
    php: row.php === 1,
    phpMaxChildren: row.php_max_children,
    phpMemoryMb: row.php_memory_mb,
    createdAt: row.created_at,
  };
}

function limitColumns(p: Plan) {
  return {
    disk_mb: p.diskMb,
    max_databases: p.maxDatabases,
    bandwidth_mb: p.bandwidthMb,
    max_addon_domains: p.maxAddonDomains,
    max_email_accounts: p.maxEmailAccounts,
    shell: p.shell ? 1 : 0,
    php: p.php ? 1 : 0,
    php_max_children: p.phpMaxChildren,
    php_memory_mb: p.phpMemoryMb,
  };
}

/** kyselyPlans is the `plans` table. */
export function kyselyPlans(db: Kysely<Database>): Store['plans'] {
  return {
    get: async (name) => {
      const row = await db.selectFrom('plans').selectAll().where('name', '=', name).executeTakeFirst();
      return row ? toPlan(row) : undefined;
    },
    list: async () => (await db.selectFrom('plans').selectAll().orderBy('name').execute()).map(toPlan),
    insert: async (p: Plan) => {
      await db
        .insertInto('plans')
        .values({ name: p.name, ...limitColumns(p), created_at: p.createdAt })
        .execute();
    },
    update: async (p: Plan) => {
      await db.updateTable('plans').set(limitColumns(p)).where('name', '=', p.name).execute();
    },
    delete: async (name) => {
      await db.deleteFrom('plans').where('name', '=', name).execute();
    },
  };
}
