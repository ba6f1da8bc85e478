import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseOwner, parseProcStat } from './process-owner.js';

it('parseProcStat finds the state and the start time after the last parenthesis of the name', () => {
  const tail = '1 1 1 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 100';
  const cases: Array<[string, ReturnType<typeof parseProcStat>]> = [
    [`42 (node) S ${tail}`, { state: 'S', startTime: '987654' }],
    [`42 (a b) (c)) Z ${tail}`, { state: 'Z', startTime: '987654' }],
    ['42 (node) S 1 2', null],
    ['garbage', null],
  ];
  for (const [text, expected] of cases) assert.deepEqual(parseProcStat(text), expected, text);
});

it('parseOwner reads owner strings with and without a start time', () => {
  assert.deepEqual(parseOwner('0a1b2c3d:1234@98765-deadbeef'), { boot: '0a1b2c3d', pid: 1234, startTime: '98765' });
  assert.deepEqual(parseOwner('0a1b2c3d:1234-deadbeef'), { boot: '0a1b2c3d', pid: 1234, startTime: null });
  assert.equal(parseOwner('gone'), null);
  assert.equal(parseOwner('deadboot:1'), null);
});
