import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fullDatabaseName } from './database-names.js';
import { DomainError } from './errors.js';

const outcome = (name: string) => {
  try {
    return fullDatabaseName('alice', name);
  } catch (err) {
    return err instanceof DomainError ? err.code : 'thrown';
  }
};

describe('fullDatabaseName', () => {
  const table: Array<[string, string]> = [
    ['wp', 'alice_wp'],
    ['alice_wp', 'alice_wp'],
    ['2shop', 'alice_2shop'],
    ['a'.repeat(32), `alice_${'a'.repeat(32)}`],
    ['a'.repeat(33), 'invalid_database'],
    ['', 'invalid_database'],
    ['alice_', 'invalid_database'],
    ['bob_wp', 'invalid_database'],
    ['alice_alice_wp', 'invalid_database'],
    ['Wp', 'invalid_database'],
    ['w_p', 'invalid_database'],
    ['w%', 'invalid_database'],
    ['w p', 'invalid_database'],
    ["w'p", 'invalid_database'],
    ['w"p', 'invalid_database'],
    ['w`p', 'invalid_database'],
    ['w\\p', 'invalid_database'],
    ['wp\n', 'invalid_database'],
    ['wp\0', 'invalid_database'],
    ['ẃp', 'invalid_database'],
  ];
  for (const [input, expected] of table) {
    it(`${JSON.stringify(input)} → ${expected}`, () => assert.equal(outcome(input), expected));
  }
});
