import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** PreparingDatabase is the part of better-sqlite3 that withStatementCache wraps. */
export interface PreparingDatabase {
  close(): void;
  prepare(sql: string): SqliteStatement & { readonly readonly?: boolean };
}

/** counted runs `onWrite` after each run of a statement that may write (better-sqlite3's `readonly` is false). */
function counted(statement: SqliteStatement, onWrite: () => void): SqliteStatement {
  return {
    reader: statement.reader,
    all(parameters) {
      try {
        return statement.all(parameters);
      } finally {
        onWrite();
      }
    },
    run(parameters) {
      try {
        return statement.run(parameters);
      } finally {
        onWrite();
      }
    },
    iterate(parameters) {
      onWrite();
      return statement.iterate(parameters);
    },
  };
}

/**
 * withStatementCache gives Kysely's SQLite dialect a database whose `prepare` hands back one compiled statement
 * per SQL text, kept in a bounded least-recently-used map: Kysely's driver prepares every query afresh, and
 * compiling is most of the cost of a small read. Reuse is safe because the dialect runs one query at a time
 * on its single connection and never leaves a statement mid-iteration between queries. With `onWrite`, every run
 * of a statement that may write is reported after it ran.
 */
export function withStatementCache(
  db: PreparingDatabase,
  max = 256,
  onWrite?: () => void,
): SqliteDatabase & { readonly size: number } {
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
      const prepared = db.prepare(sql);
      // A statement that may write (INSERT ... RETURNING reads too) reports each run, for the store's version.
      const statement = onWrite !== undefined && prepared.readonly !== true ? counted(prepared, onWrite) : prepared;
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
