import type { Kysely, Selectable } from 'kysely';
import type { Database, IdempotencyKeysTable } from '../schema.js';
import type { IdempotencyRecord, Store } from '../store.js';

function toRecord(row: Selectable<IdempotencyKeysTable>): IdempotencyRecord {
  return {
    tokenId: row.token_id,
    keyHash: row.key_hash,
    fingerprint: row.fingerprint,
    owner: row.owner,
    status: row.status,
    response: row.response,
    createdAt: row.created_at,
  };
}

/** kyselyIdempotency is the `idempotency_keys` table. */
export function kyselyIdempotency(db: Kysely<Database>): Store['idempotency'] {
  return {
    claim: async (r, expiredBefore, staleBefore) => {
      // One statement takes the key or leaves it, so that two processes never both run a request.
      for (;;) {
        const result = await db
          .insertInto('idempotency_keys')
          .values({
            token_id: r.tokenId,
            key_hash: r.keyHash,
            fingerprint: r.fingerprint,
            owner: r.owner,
            status: null,
            response: null,
            created_at: r.createdAt,
          })
          .onConflict((oc) =>
            oc
              .columns(['token_id', 'key_hash'])
              .doUpdateSet({
                fingerprint: r.fingerprint,
                owner: r.owner,
                status: null,
                response: null,
                created_at: r.createdAt,
              })
              .where((eb) =>
                eb.or([
                  eb('idempotency_keys.created_at', '<', expiredBefore),
                  eb.and([
                    eb('idempotency_keys.status', 'is', null),
                    eb('idempotency_keys.created_at', '<', staleBefore),
                  ]),
                ]),
              ),
          )
          .executeTakeFirst();
        if (Number(result.numInsertedOrUpdatedRows ?? 0) > 0) return undefined;
        const row = await db
          .selectFrom('idempotency_keys')
          .selectAll()
          .where('token_id', '=', r.tokenId)
          .where('key_hash', '=', r.keyHash)
          .executeTakeFirst();
        // Released between the two statements: try to take it again.
        if (row) return toRecord(row);
      }
    },
    complete: async (tokenId, keyHash, owner, status, response) => {
      await db
        .updateTable('idempotency_keys')
        .set({ status, response })
        .where('token_id', '=', tokenId)
        .where('key_hash', '=', keyHash)
        .where('owner', '=', owner)
        .execute();
    },
    release: async (tokenId, keyHash, owner) => {
      await db
        .deleteFrom('idempotency_keys')
        .where('token_id', '=', tokenId)
        .where('key_hash', '=', keyHash)
        .where('owner', '=', owner)
        .where('status', 'is', null)
        .execute();
    },
    purge: async (before) => {
      const result = await db.deleteFrom('idempotency_keys').where('created_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
