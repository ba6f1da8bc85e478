import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DB_USER_HOSTS,
  connectionsStatement,
  copyUserStatement,
  createDatabaseStatement,
  createUserStatement,
  credentialsStatement,
  databasesUnderStatement,
  dropDatabaseStatement,
  dropUserStatement,
  escapePattern,
  grantStatement,
  isLockedInCreateUser,
  killStatement,
  lockStatement,
  quoteIdent,
  setPasswordStatement,
  showCreateUserStatement,
  usersStatement,
} from './sql.js';

describe('DB_USER_HOSTS', () => {
  it('is the socket and both loopbacks, localhost first (the form older versions made alone)', () => {
    assert.deepEqual(DB_USER_HOSTS, ['localhost', '127.0.0.1', '::1']);
  });
});

describe('isLockedInCreateUser', () => {
  const table: Array<[string, boolean]> = [
    ["CREATE USER `alice_wp`@`localhost` IDENTIFIED BY PASSWORD '*2AB9F118F58C8E9A4B6B3E50F52D85BF5BF30886'", false],
    [
      "CREATE USER `alice_wp`@`localhost` IDENTIFIED BY PASSWORD '*2AB9F118F58C8E9A4B6B3E50F52D85BF5BF30886' ACCOUNT LOCK",
      true,
    ],
    ["CREATE USER `alice_wp`@`::1` IDENTIFIED BY PASSWORD '*B690' PASSWORD EXPIRE ACCOUNT LOCK", true],
    // MySQL 8 always says which.
    ["CREATE USER `alice_wp`@`127.0.0.1` IDENTIFIED WITH 'caching_sha2_password' AS '$A$005$x' ACCOUNT UNLOCK", false],
    ["CREATE USER `alice_wp`@`localhost` IDENTIFIED WITH 'ed25519' AS ' ACCOUNT LOCK ' ACCOUNT UNLOCK", false],
    ["CREATE USER `a ACCOUNT LOCK`@`localhost` IDENTIFIED WITH 'x' AS 'it''s ACCOUNT LOCK\\\\' ACCOUNT UNLOCK", false],
    ["CREATE USER `a`@`localhost` IDENTIFIED WITH 'x' AS 'y\\' ACCOUNT LOCK' ACCOUNT UNLOCK", false],
    ["CREATE USER `a``ACCOUNT LOCK`@`localhost` IDENTIFIED WITH 'x' AS 'y' ACCOUNT LOCK", true],
    ['', false],
  ];
  for (const [text, expected] of table)
    it(`${text.slice(-40)} → ${expected}`, () => assert.equal(isLockedInCreateUser(text), expected));
});

describe('quoteIdent', () => {
  const table: Array<[string, string]> = [
    ['alice_wp', '`alice_wp`'],
    ['a`b', '`a``b`'],
    ['``', '``````'],
    ['a\'b"c', '`a\'b"c`'],
    ['a\\_b', '`a\\_b`'],
    ['with space', '`with space`'],
    ['x'.repeat(64), `\`${'x'.repeat(64)}\``],
  ];
  for (const [input, expected] of table)
    it(`${JSON.stringify(input)} → ${expected}`, () => assert.equal(quoteIdent(input), expected));
  for (const bad of ['', 'a\0b', 'x'.repeat(65)]) {
    it(`refuses ${JSON.stringify(bad.slice(0, 10))}…`, () => assert.throws(() => quoteIdent(bad)));
  }
});

describe('escapePattern', () => {
  const table: Array<[string, string]> = [
    ['alice_wp', 'alice\\_wp'],
    ['a%b', 'a\\%b'],
    ['a\\b', 'a\\\\b'],
    ['a_b%c\\d_', 'a\\_b\\%c\\\\d\\_'],
    ['plain', 'plain'],
  ];
  for (const [input, expected] of table)
    it(`${JSON.stringify(input)} → ${expected}`, () => assert.equal(escapePattern(input), expected));
});

describe('statements', () => {
  const grants =
    'SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, REFERENCES, INDEX, ALTER, CREATE TEMPORARY TABLES, LOCK TABLES, ' +
    'EXECUTE, CREATE VIEW, SHOW VIEW, CREATE ROUTINE, ALTER ROUTINE, EVENT, TRIGGER';
  const table: Array<[string, unknown, unknown]> = [
    [
      'create database',
      createDatabaseStatement('alice_wp'),
      { sql: 'CREATE DATABASE `alice_wp` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci', values: [] },
    ],
    ['drop database', dropDatabaseStatement('alice_wp'), { sql: 'DROP DATABASE IF EXISTS `alice_wp`', values: [] }],
    [
      'create user',
      createUserStatement('alice_wp', 'localhost', "pw'\\", false),
      { sql: 'CREATE USER ?@? IDENTIFIED BY ?', values: ['alice_wp', 'localhost', "pw'\\"], secret: true },
    ],
    [
      'create locked user',
      createUserStatement('alice_wp', 'localhost', 'pw', true),
      { sql: 'CREATE USER ?@? IDENTIFIED BY ? ACCOUNT LOCK', values: ['alice_wp', 'localhost', 'pw'], secret: true },
    ],
    [
      'grant, with _ escaped',
      grantStatement('alice_wp', 'alice_wp', 'localhost'),
      { sql: `GRANT ${grants} ON \`alice\\_wp\`.* TO ?@?`, values: ['alice_wp', 'localhost'] },
    ],
    [
      'set password',
      setPasswordStatement('alice_wp', 'localhost', 'pw'),
      { sql: 'ALTER USER ?@? IDENTIFIED BY ?', values: ['alice_wp', 'localhost', 'pw'], secret: true },
    ],
    ['lock', lockStatement('alice_wp', '%', true), { sql: 'ALTER USER ?@? ACCOUNT LOCK', values: ['alice_wp', '%'] }],
    [
      'unlock',
      lockStatement('alice_wp', 'localhost', false),
      { sql: 'ALTER USER ?@? ACCOUNT UNLOCK', values: ['alice_wp', 'localhost'] },
    ],
    [
      'drop user',
      dropUserStatement('alice_wp', 'localhost'),
      { sql: 'DROP USER IF EXISTS ?@?', values: ['alice_wp', 'localhost'] },
    ],
    [
      'copy a user to another host form, locked',
      copyUserStatement('alice_wp', '127.0.0.1', 'mysql_native_password', '*2AB9'),
      {
        sql: 'CREATE USER ?@? IDENTIFIED WITH ? AS ? ACCOUNT LOCK',
        values: ['alice_wp', '127.0.0.1', 'mysql_native_password', '*2AB9'],
        secret: true,
      },
    ],
    [
      'show create user',
      showCreateUserStatement('alice_wp', '::1'),
      { sql: 'SHOW CREATE USER ?@?', values: ['alice_wp', '::1'] },
    ],
    [
      'credentials',
      credentialsStatement(['alice_wp', 'alice_shop']),
      {
        sql: 'SELECT User AS user, Host AS host, plugin, authentication_string AS authentication FROM mysql.user WHERE User IN (?, ?) ORDER BY User, Host',
        values: ['alice_wp', 'alice_shop'],
      },
    ],
    [
      'grant to the IPv6 loopback form',
      grantStatement('alice_wp', 'alice_wp', '::1'),
      { sql: `GRANT ${grants} ON \`alice\\_wp\`.* TO ?@?`, values: ['alice_wp', '::1'] },
    ],
    ['kill', killStatement(42), { sql: 'KILL CONNECTION ?', values: [42] }],
    [
      'databases under a prefix',
      databasesUnderStatement('alice_'),
      {
        sql: 'SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ? ORDER BY SCHEMA_NAME',
        values: ['alice\\_%'],
      },
    ],
    [
      'users by name',
      usersStatement(['alice_wp']),
      {
        sql: 'SELECT User AS user, Host AS host FROM mysql.user WHERE User IN (?) ORDER BY User, Host',
        values: ['alice_wp'],
      },
    ],
    [
      'users by prefix and names',
      usersStatement(['alice_wp', 'alice_shop'], 'alice_'),
      {
        sql: 'SELECT User AS user, Host AS host FROM mysql.user WHERE User LIKE ? OR User IN (?, ?) ORDER BY User, Host',
        values: ['alice\\_%', 'alice_wp', 'alice_shop'],
      },
    ],
    [
      'users by prefix only',
      usersStatement([], 'alice_'),
      {
        sql: 'SELECT User AS user, Host AS host FROM mysql.user WHERE User LIKE ? ORDER BY User, Host',
        values: ['alice\\_%'],
      },
    ],
    [
      'connections',
      connectionsStatement(['alice_wp', 'alice_shop']),
      {
        sql: 'SELECT ID AS id FROM information_schema.PROCESSLIST WHERE USER IN (?, ?)',
        values: ['alice_wp', 'alice_shop'],
      },
    ],
  ];
  for (const [name, actual, expected] of table) it(name, () => assert.deepEqual(actual, expected));

  it('an identifier that needs quoting stays one identifier', () => {
    assert.equal(
      dropDatabaseStatement('a`; DROP DATABASE x; --').sql,
      'DROP DATABASE IF EXISTS `a``; DROP DATABASE x; --`',
    );
  });
  it('empty lists are refused rather than sent as IN ()', () => {
    assert.throws(() => connectionsStatement([]));
    assert.throws(() => usersStatement([]));
    assert.throws(() => credentialsStatement([]));
  });
});
