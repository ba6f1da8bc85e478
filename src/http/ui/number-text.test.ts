import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { numberText } from './number-text.js';
import { mib } from './usage.js';

const localeText = (n: number, digits: number) => n.toLocaleString('en-US', { maximumFractionDigits: digits });

describe('15.5: figures are written as en-US toLocaleString writes them, without ICU (it mapped ~7 MiB)', () => {
  it('writes the edge cases as toLocaleString does', () => {
    const values = [
      0,
      -0,
      1,
      0.005,
      1.005,
      2.675,
      0.995,
      9.995,
      999.995,
      99_999.999,
      1234567.891,
      0.1 + 0.2,
      1e-7,
      5e-324,
      -0.001,
      -1234.5,
      1e21,
      123456789012345680000,
      Number.MAX_VALUE,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ];
    for (const n of values) {
      for (const digits of [0, 1, 2, 3]) assert.equal(numberText(n, digits), localeText(n, digits), `${n}, ${digits}`);
    }
  });

  it('writes any double as toLocaleString does', () => {
    fc.assert(
      fc.property(fc.double(), fc.integer({ min: 0, max: 6 }), (n, digits) => {
        assert.equal(numberText(n, digits), localeText(n, digits));
      }),
      { numRuns: 20_000 },
    );
  });

  it('writes decimal figures (a whole number of hundredths and the like) as toLocaleString does', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e12, max: 1e12 }),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 0, max: 4 }),
        (units, scale, digits) => {
          const n = units / 10 ** scale;
          assert.equal(numberText(n, digits), localeText(n, digits));
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('the pages write MiB figures without calling toLocaleString', () => {
    const original = Number.prototype.toLocaleString;
    Number.prototype.toLocaleString = () => {
      throw new Error('toLocaleString called');
    };
    try {
      assert.equal(mib(1536.125), '1,536.13 MiB');
      assert.equal(mib(0), '0 MiB');
    } finally {
      Number.prototype.toLocaleString = original;
    }
  });
});
