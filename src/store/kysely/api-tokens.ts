import type { Kysely, Selectable } from 'kysely';
import type { Scope } from '../../domain/scopes.js';
import type { ApiToken } from '../../domain/types.js';
import type { ApiTokensTable, Database } from '../schema.js';
import type { NewToken, Store, TokenUse } from '../store.js';

/** toToken maps an `api_tokens` row to an ApiToken; the digest stays in the store. */
export function toToken(row: Selectable<ApiTokensTable>): ApiToken {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: JSON.parse(row.scopes) as Scope[],
    allowedCidrs: JSON.parse(row.allowed_cidrs) as string[],
    createdAt: row.created_at,
    createdBy: row.created_by,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
    lastUsedIp: row.last_used_ip,
  };
}

/** TOKEN_CACHE_MAX bounds the tokens kept in memory; past it the map starts again empty. */
const TOKEN_CACHE_MAX = 10_000;

/**
 * kyselyTokens is the `api_tokens` table. With `dataVersion`, lookups by hash are answered from memory: the map
 * is emptied when this connection writes a token and when SQLite reports that another connection committed, so a
 * revocation from the CLI or another process still counts on the very next request. Unknown hashes are never
 * remembered, so guessing cannot fill the map.
 */
export function kyselyTokens(db: Kysely<Database>, dataVersion?: () => number): Store['tokens'] {
  const byHash = new Map<string, ApiToken>();
  let seenVersion = dataVersion?.() ?? 0;
  const fresh = (): boolean => {
    if (dataVersion === undefined) return false;
    const now = dataVersion();
    if (now !== seenVersion) {
      seenVersion = now;
      byHash.clear();
    }
    return true;
  };
  return {
    insert: async (t: NewToken) => {
      const row = await db
        .insertInto('api_tokens')
        .values({
          name: t.name,
          token_hash: t.hash,
          prefix: t.prefix,
          scopes: JSON.stringify(t.scopes),
          allowed_cidrs: JSON.stringify(t.allowedCidrs),
          created_at: t.createdAt,
          created_by: t.createdBy,
          expires_at: t.expiresAt,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      byHash.clear();
      return toToken(row);
    },
    findByHash: async (hash) => {
      const caching = fresh();
      const hit = caching ? byHash.get(hash) : undefined;
      if (hit !== undefined) return { ...hit };
      const row = await db.selectFrom('api_tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst();
      if (!row) return undefined;
      const token = toToken(row);
      // A write that committed while the query ran shows as a new data version next time, never as a stale hit.
      if (caching && dataVersion?.() === seenVersion) {
        if (byHash.size >= TOKEN_CACHE_MAX) byHash.clear();
        byHash.set(hash, token);
      }
      return { ...token };
    },
    findByName: async (name) => {
      const row = await db.selectFrom('api_tokens').selectAll().where('name', '=', name).executeTakeFirst();
      return row ? toToken(row) : undefined;
    },
    findById: async (id) => {
      const row = await db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toToken(row) : undefined;
    },
    list: async () => (await db.selectFrom('api_tokens').selectAll().orderBy('id').execute()).map(toToken),
    revoke: async (id, at) => {
      await db
        .updateTable('api_tokens')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .execute();
      byHash.clear();
    },
    recordUse: async (uses: readonly TokenUse[]) => {
      if (uses.length === 0) return;
      await db.transaction().execute(async (tx) => {
        for (const use of uses) {
          // Never move last_used_at backwards when another process recorded a newer use.
          await tx
            .updateTable('api_tokens')
            .set({ last_used_at: use.at, last_used_ip: use.ip })
            .where('id', '=', use.id)
            .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<=', use.at)]))
            .execute();
        }
      });
    },
  };
}
