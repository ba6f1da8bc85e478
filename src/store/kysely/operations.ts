import type { Kysely, Selectable } from 'kysely';
import type { Database, OperationsTable } from '../schema.js';
import type { OperationRecord, Store } from '../store.js';

/** toOperation maps an `operations` row to an OperationRecord. */
export function toOperation(row: Selectable<OperationsTable>): OperationRecord {
  return {
    id: row.id,
    op: row.op,
    account: row.account,
    params: JSON.parse(row.params) as Record<string, unknown>,
    step: row.step,
    owner: row.owner,
    startedAt: row.started_at,
  };
}

/** kyselyOperations is the `operations` table: the journal of host operations in progress. */
export function kyselyOperations(db: Kysely<Database>): Store['operations'] {
  return {
    begin: async (op) => {
      const row = await db
        .insertInto('operations')
        .values({
          op: op.op,
          account: op.account,
          params: JSON.stringify(op.params),
          step: null,
          owner: op.owner,
          started_at: op.startedAt,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },
    setStep: async (id, step) => {
      await db.updateTable('operations').set({ step }).where('id', '=', id).execute();
    },
    finish: async (id) => {
      await db.deleteFrom('operations').where('id', '=', id).execute();
    },
    list: async () => (await db.selectFrom('operations').selectAll().orderBy('id').execute()).map(toOperation),
  };
}
