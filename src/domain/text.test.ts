import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DomainError } from './errors.js';
import { checkWellFormed, clipText, wellFormed } from './text.js';

it('wellFormed replaces lone surrogates with U+FFFD and keeps pairs', () => {
  assert.equal(wellFormed('a\ud800b'), 'a\ufffdb');
  assert.equal(wellFormed('\udc00'), '\ufffd');
  assert.equal(wellFormed('😀'), '😀');
  assert.equal(wellFormed('plain'), 'plain');
});

it('clipText cuts by code point, never inside a pair, and marks the cut', () => {
  const cases: Array<[string, number, string]> = [
    ['abc', 3, 'abc'],
    ['abcd', 3, 'abc…'],
    [`${'a'.repeat(255)}😀`, 256, `${'a'.repeat(255)}😀`],
    [`${'a'.repeat(255)}😀b`, 256, `${'a'.repeat(255)}😀…`],
    ['😀😀😀', 2, '😀😀…'],
    ['😀😀', 2, '😀😀'],
    ['x\ud800y', 2, 'x\ufffd…'],
  ];
  for (const [value, max, expected] of cases) assert.equal(clipText(value, max), expected, `${value} / ${max}`);
});

it('checkWellFormed refuses a lone surrogate as invalid_parameter naming the input', () => {
  assert.equal(checkWellFormed('ok 😀', 'user'), 'ok 😀');
  assert.throws(
    () => checkWellFormed('bad\ud800', 'reason'),
    (err: unknown) => err instanceof DomainError && err.code === 'invalid_parameter' && err.details.param === 'reason',
  );
});
