import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePid } from './pid-file.js';

test('parsePid reads digits only and never 0 or 1: `kill -USR2 0` would signal the whole process group', () => {
  const cases: [string, number | null][] = [
    ['1234\n', 1234],
    [' 77 ', 77],
    ['', null],
    ['\n', null],
    ['0', null],
    ['1', null],
    ['-5', null],
    ['0x1A', null],
    ['1e3', null],
    ['12 34', null],
  ];
  for (const [text, want] of cases) assert.equal(parsePid(text), want, JSON.stringify(text));
});
