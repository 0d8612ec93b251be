import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { addMinor, applyBasisPoints, divideRounded, formatMoney, minorDigits, multiplyMinor } from '../src/money.ts';

test('divideRounded rounds half away from zero, and only then', () => {
  assert.equal(divideRounded(5, 10), 1);
  assert.equal(divideRounded(4, 10), 0);
  assert.equal(divideRounded(-5, 10), -1);
  assert.equal(divideRounded(-4, 10), 0);
  assert.equal(divideRounded(15, 10), 2);
  assert.equal(divideRounded(25, 10), 3);
  assert.throws(() => divideRounded(1, 0), /division by zero/);
});

test('divideRounded is within half a unit of the exact quotient', () => {
  fc.assert(
    fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 1, max: 1e6 }), (n, d) => {
      const q = divideRounded(n, d);
      assert.ok(Math.abs(q * d - n) * 2 <= d, `${n}/${d} -> ${q}`);
    }),
  );
});

test('applyBasisPoints: 12.5 % of 799 cents is 100 cents', () => {
  assert.equal(applyBasisPoints(799, 1250), 100);
  assert.equal(applyBasisPoints(1000, 2100), 210);
});

test('money refuses floats and overflow', () => {
  assert.throws(() => addMinor(1, 0.5), /minor units/);
  assert.throws(() => multiplyMinor(100, 1.5), /integer/);
  assert.throws(() => multiplyMinor(1e11, 1e3), /minor units/);
  assert.equal(addMinor(250, 350, -100), 500);
});

test('formatMoney follows the currency exponent', () => {
  assert.equal(minorDigits('EUR'), 2);
  assert.equal(minorDigits('JPY'), 0);
  assert.equal(formatMoney(1250, 'EUR'), '€12.50');
  assert.equal(formatMoney(1250, 'JPY'), '¥1,250');
});
