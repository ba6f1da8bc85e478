import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { KyselyStore } from './kysely/kysely-store.js';
import { migrations } from './migrations/index.js';
import { oncePerTurn } from './once-per-turn.js';
import { withStatementCache } from './statement-cache.js';
import type { Database } from './schema.js';

/** openSqliteStore opens (or creates) the panel's SQLite file in WAL mode and applies pending migrations. */
export async function openSqliteStore(file: string): Promise<KyselyStore> {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const sqlite = new BetterSqlite3(file, { timeout: 15_000 });
  chmodSync(file, 0o600);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  let writes = 0;
  const database = withStatementCache(sqlite, undefined, () => {
    writes++;
  });
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  const { error, results } = await new Migrator({ db, provider: migrations }).migrateToLatest();
  if (error) {
    await db.destroy();
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`store migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  const dataVersion = sqlite.prepare('pragma data_version').pluck();
  return new KyselyStore(db, { dataVersion: oncePerTurn(() => dataVersion.get() as number), writes: () => writes });
}
