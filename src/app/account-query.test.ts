import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAccountQuery } from './account-query.js';
import { encodeCursor } from './list-accounts.js';

describe('parseAccountQuery', () => {
  it('turns a search into a store filter, with the page size given or the default', () => {
    assert.deepEqual(parseAccountQuery({}), { limit: 100, plan: undefined, q: undefined });
    assert.deepEqual(parseAccountQuery({}, 25).limit, 25);
    assert.deepEqual(
      parseAccountQuery({ status: 'suspended', plan: 'pro', q: 'ali', limit: '10', after: encodeCursor('alice') }),
      { status: 'suspended', plan: 'pro', q: 'ali', limit: 10, after: 'alice' },
    );
    assert.equal(parseAccountQuery({ limit: '1000' }).limit, 1000);
  });

  const refused: Array<[string, Parameters<typeof parseAccountQuery>[0], string]> = [
    ['an unknown status', { status: 'gone' }, 'status'],
    ['an empty status', { status: '' }, 'status'],
    ['a limit of 0', { limit: '0' }, 'limit'],
    ['a limit over 1000', { limit: '1001' }, 'limit'],
    ['a limit that is not a number', { limit: 'abc' }, 'limit'],
    ['a fractional limit', { limit: '1.5' }, 'limit'],
    ['an empty limit', { limit: '' }, 'limit'],
    ['a cursor that is not ours', { after: 'garbage' }, 'after'],
    ['an empty cursor', { after: '' }, 'after'],
  ];
  for (const [name, input, param] of refused) {
    it(`refuses ${name} as invalid_parameter naming ${param}`, () => {
      assert.throws(() => parseAccountQuery(input), { code: 'invalid_parameter', details: { param } });
    });
  }
});
