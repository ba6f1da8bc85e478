import type { Kysely, Selectable } from 'kysely';
import type { Scope } from '../../domain/scopes.js';
import type { ApiToken } from '../../domain/types.js';
import type { ApiTokensTable, Database } from '../schema.js';
import type { NewToken, Store, TokenUse } from '../store.js';
import { CommittedCache } from './committed-cache.js';

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

/**
 * kyselyTokens is the `api_tokens` table. With `dataVersion`, lookups by hash are answered from memory until this
 * connection writes a token or another connection commits, so a revocation from the CLI or another process still
 * counts on the very next request. Unknown hashes are never remembered, so guessing cannot fill the map.
 */
export function kyselyTokens(db: Kysely<Database>, dataVersion?: () => number): Store['tokens'] {
  const byHash = new CommittedCache<string, ApiToken>(dataVersion);
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
      const token = await byHash.read(hash, async () => {
        const row = await db.selectFrom('api_tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst();
        return row ? toToken(row) : undefined;
      });
      // Callers get their own copy, so changing it cannot change what the next caller sees.
      return token && { ...token, scopes: [...token.scopes], allowedCidrs: [...token.allowedCidrs] };
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
