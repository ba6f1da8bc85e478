import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** PreparingDatabase is the part of better-sqlite3 that withStatementCache wraps. */
export interface PreparingDatabase {
  close(): void;
  prepare(sql: string): SqliteStatement;
}

/**
 * withStatementCache gives Kysely's SQLite dialect a database whose `prepare` hands back one compiled statement
 * per SQL text, kept in a bounded least-recently-used map: Kysely's driver prepares every query afresh, and
 * compiling is most of the cost of a small read. Reuse is safe because the dialect runs one query at a time
 * on its single connection and never leaves a statement mid-iteration between queries.
 */
export function withStatementCache(db: PreparingDatabase, max = 256): SqliteDatabase & { readonly size: number } {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => {
      cache.clear();
      db.close();
    },
    prepare: (sql) => {
      const hit = cache.get(sql);
      if (hit !== undefined) {
        // Re-inserting moves the entry to the young end of the map's insertion order.
        cache.delete(sql);
        cache.set(sql, hit);
        return hit;
      }
      const statement = db.prepare(sql);
      cache.set(sql, statement);
      if (cache.size > max) {
        const oldest = cache.keys().next().value;
        if (oldest !== undefined) cache.delete(oldest);
      }
      return statement;
    },
    get size() {
      return cache.size;
    },
  };
}
