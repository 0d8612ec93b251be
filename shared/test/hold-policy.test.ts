import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ceilToMajor, holdFor, type HoldInput, MIN_HOLD } from '../src/hold-policy.ts';

const eur = (total: number, eventHold: number, tabLimit: number | null = null) => holdFor({ total, eventHold, currency: 'EUR', tabLimit });

test('the hold, case by case', () => {
  assert.equal(eur(0, 5000), 5000, 'before the first sale: the event hold');
  assert.equal(eur(-300, 5000), 5000, 'a tab refunded below zero owes nothing: as before the first sale');
  assert.equal(eur(0, 0), MIN_HOLD);
  assert.equal(eur(1100, 1000), 2100, 'half the tab (5.50) is less than the event hold: total + event hold, as before');
  assert.equal(eur(2000, 1000), 3000, 'half the tab equals the event hold');
  assert.equal(eur(3000, 1000), 4500, 'half the tab (15.00) is more: total + half');
  assert.equal(eur(3050, 1000), 4650, 'half (15.25) rounded up to a whole euro: 16.00');
  assert.equal(eur(53_499, 5000), 53_499 + 26_800, 'half (267.495) rounded up: 268.00');
  assert.equal(holdFor({ total: 3001, eventHold: 1000, currency: 'JPY' }), 3001 + 1501, 'yen have no minor unit: half rounded up to ¥1');
  assert.equal(holdFor({ total: 3001, eventHold: 1000, currency: 'KWD' }), 3001 + 2000, 'dinars have 1,000 fils: half rounded up to 2 KWD');
  // A tab limit caps the hold at limit + event hold, and never below the total + event hold.
  assert.equal(eur(1100, 1000, 1500), 2100);
  assert.equal(eur(3000, 1000, 3200), 4200, 'total + half (45.00) capped at limit + event hold (42.00)');
  assert.equal(eur(3500, 1000, 3200), 4500, 'offline sales took the tab past its limit: total + event hold');
  assert.equal(eur(0, 5000, 1000), 5000, 'the event hold before the first sale, whatever the limit');
});

test('whole major units, rounding up', () => {
  assert.equal(ceilToMajor(0, 'EUR'), 0);
  assert.equal(ceilToMajor(1, 'EUR'), 100);
  assert.equal(ceilToMajor(100, 'EUR'), 100);
  assert.equal(ceilToMajor(101, 'EUR'), 200);
  assert.equal(ceilToMajor(101, 'JPY'), 101);
  assert.equal(ceilToMajor(1001, 'BHD'), 2000);
});

const currency = fc.constantFrom('EUR', 'USD', 'GBP', 'JPY', 'KWD');
const input = fc.record({
  total: fc.integer({ min: -1_000_000, max: 1_000_000_000 }),
  eventHold: fc.integer({ min: 0, max: 10_000_000 }),
  currency,
  tabLimit: fc.option(fc.integer({ min: 0, max: 1_000_000_000 }), { nil: null }),
}) satisfies fc.Arbitrary<HoldInput>;

test('a hold is an amount in minor units that covers the tab plus the event hold, within the limit plus the event hold', () => {
  fc.assert(
    fc.property(input, (i) => {
      const hold = holdFor(i);
      const owed = Math.max(0, i.total);
      assert.ok(Number.isSafeInteger(hold), `an integer: ${hold}`);
      assert.ok(hold >= MIN_HOLD);
      assert.ok(hold >= owed + i.eventHold, 'never less than the fixed rule: the tab plus the event hold');
      if (i.tabLimit !== null && owed > 0) assert.ok(hold <= Math.max(MIN_HOLD, Math.max(i.tabLimit, owed) + i.eventHold), 'within the limit plus the event hold');
      if (i.tabLimit === null && owed > 0) assert.ok(hold >= owed * 1.5, 'at least one and a half times the tab');
    }),
    { numRuns: 2000 },
  );
});

/** The sweeper's rule on one band: a hold before the event, a new one whenever the total passes it. */
function renewals(totals: number[], hold: (total: number) => number, initial: number): { count: number; holds: number[] } {
  let current = hold(initial);
  const holds = [current];
  let count = 0;
  for (const t of totals) {
    if (t > current) {
      current = hold(t);
      holds.push(current);
      count++;
    }
  }
  return { count, holds };
}

const growth = fc.array(fc.integer({ min: 0, max: 200_000 }), { minLength: 1, maxLength: 300 });
const log15 = (x: number) => Math.log(x) / Math.log(1.5);

test('for any growing tab, renewals are at most log₁.₅(final / initial) + 1', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 1_000_000 }), growth, fc.integer({ min: 0, max: 100_000 }), currency, (initial, steps, eventHold, cur) => {
      const totals: number[] = [];
      let t = initial;
      for (const s of steps) totals.push((t += s));
      const final = totals.at(-1)!;
      const { count, holds } = renewals(totals, (total) => holdFor({ total, eventHold, currency: cur }), initial);
      assert.ok(count <= log15(final / initial) + 1 + 1e-9, `${count} renewals from ${initial} to ${final}`);
      assert.ok(holds.at(-1)! >= final, 'the last hold covers the tab');
    }),
    { numRuns: 1000 },
  );
});

test('from an empty tab, renewals are at most log₁.₅(final / event hold) + 1; with a tab limit, no more than without', () => {
  fc.assert(
    fc.property(growth, fc.integer({ min: MIN_HOLD, max: 100_000 }), fc.integer({ min: 1, max: 10_000_000 }), (steps, eventHold, limit) => {
      const totals: number[] = [];
      let t = 0;
      for (const s of steps) totals.push((t += s));
      const final = totals.at(-1)!;
      const free = renewals(totals, (total) => holdFor({ total, eventHold, currency: 'EUR' }), 0);
      assert.ok(free.count <= Math.max(0, log15(final / eventHold)) + 1 + 1e-9, `${free.count} renewals from 0 to ${final}`);
      // A tab limit is obeyed online, so totals stay within it; a hold that reaches limit + event hold is the last.
      const within = totals.map((x) => Math.min(x, limit));
      const capped = renewals(within, (total) => holdFor({ total, eventHold, currency: 'EUR', tabLimit: limit }), 0);
      const uncapped = renewals(within, (total) => holdFor({ total, eventHold, currency: 'EUR' }), 0);
      assert.ok(capped.count <= uncapped.count, `${capped.count} renewals with a limit of ${limit}, ${uncapped.count} without`);
      assert.ok(capped.holds.every((h) => h <= limit + eventHold));
    }),
    { numRuns: 1000 },
  );
});
