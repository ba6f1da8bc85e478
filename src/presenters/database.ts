import type { DatabaseRecord } from '../store/store.js';

/** DatabaseJson is a customer database as the doors print it. */
export interface DatabaseJson {
  database: string;
  db_user: string;
  created_at: string;
}

/** databaseJson renders a customer database record with snake_case keys. */
export function databaseJson(d: DatabaseRecord): DatabaseJson {
  return { database: d.name, db_user: d.dbUser, created_at: d.createdAt };
}
