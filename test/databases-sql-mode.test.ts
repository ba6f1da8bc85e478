import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type RowDataPacket, createConnection } from 'mysql2/promise';
import { parseMysqlUrl } from '../src/host/mariadb/mysql-url.js';
import { SESSION_SQL_MODE_RESET } from '../src/host/mariadb/sql.js';
import { MYSQL_URL } from './support/mariadb.js';

test('every panel session turns NO_BACKSLASH_ESCAPES off and keeps the other modes', async (t) => {
  const conn = await createConnection(parseMysqlUrl(MYSQL_URL));
  t.after(() => conn.end());
  const table: [string, string][] = [
    ['NO_BACKSLASH_ESCAPES,STRICT_TRANS_TABLES', 'STRICT_TRANS_TABLES'],
    ['STRICT_TRANS_TABLES,NO_BACKSLASH_ESCAPES,NO_ZERO_DATE', 'STRICT_TRANS_TABLES,NO_ZERO_DATE'],
    ['NO_BACKSLASH_ESCAPES', ''],
    ['STRICT_ALL_TABLES', 'STRICT_ALL_TABLES'],
  ];
  for (const [before, after] of table) {
    // Session scope only: other sessions on the shared server are untouched.
    await conn.query('SET SESSION sql_mode = ?', [before]);
    await conn.query(SESSION_SQL_MODE_RESET);
    const [rows] = await conn.query<RowDataPacket[]>('SELECT @@SESSION.sql_mode AS m');
    assert.equal(rows[0]?.m, after, before);
  }
});
