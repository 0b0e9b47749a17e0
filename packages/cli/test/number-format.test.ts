import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { count, decimal } from '../src/status/format.js';

// The CLI groups numbers by hand (Intl.NumberFormat costs 20-30 ms of start-up): the output must
// stay what en-US Intl.NumberFormat printed before, byte for byte.
const integer = new Intl.NumberFormat('en-US');
const twoDecimals = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

describe('number formatting without Intl', () => {
  it('groups integers as en-US Intl.NumberFormat does', () => {
    for (const n of [0, 7, 999, 1000, 12_345, 999_999, 1_000_000, 2 ** 31, Number.MAX_SAFE_INTEGER, -1234]) {
      expect(count(n)).toBe(integer.format(n));
    }
    fc.assert(fc.property(fc.integer(), (n) => count(n) === integer.format(n)));
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e15, noNaN: true }),
        (x) => count(x) === integer.format(Math.round(x)),
      ),
    );
  });

  it('writes at most two decimals as Intl.NumberFormat with maximumFractionDigits 2 does', () => {
    for (const x of [
      0, 0.1, 0.125, 0.005, 1.005, 2.675, 1.999, 12_345.678, 1_000_000.5, 99.995, -12.3456, 0.001, 1e-7,
    ]) {
      expect(decimal(x)).toBe(twoDecimals.format(x));
    }
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e12, noNaN: true }), (x) => decimal(x) === twoDecimals.format(x)),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (hundredths) => {
        const x = hundredths / 100;
        return decimal(x) === twoDecimals.format(x);
      }),
    );
  });
});
