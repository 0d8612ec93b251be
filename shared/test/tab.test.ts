import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { computeTab } from '../src/tab.ts';
import type { OrderFact } from '../src/domain.ts';

const base = { terminalId: 't', eventId: 'e', stationId: 's', staffId: null, bandUid: '04A22B1A', createdAt: '2026-11-21T20:00:00Z', offline: false };

test('a tab is the same whatever order its facts arrive in, and a repeated fact counts once', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 50_000 }), { minLength: 1, maxLength: 30 }),
      fc.array(fc.nat(), { maxLength: 10 }),
      fc.integer(),
      (amounts, voidPicks, seed) => {
        const sales: OrderFact[] = amounts.map((total, i) => ({
          ...base, kind: 'sale', id: `sale-${i}`, seq: i + 1, currency: 'EUR',
          lines: [{ productId: 'p', name: 'P', quantity: 1, unitPrice: total }], total,
        }));
        const voided = new Set(voidPicks.map((p) => p % amounts.length));
        const voids: OrderFact[] = [...voided].map((i, k) => ({
          ...base, kind: 'void', id: `void-${k}`, seq: 1000 + k, voidsOrderId: `sale-${i}`, reason: 'r', supervisorId: 'sup',
        }));
        const expected = amounts.reduce((s, a, i) => (voided.has(i) ? s : s + a), 0);
        const facts = [...sales, ...voids, ...sales.slice(0, 3), ...voids.slice(0, 2)];
        const shuffled = fc.sample(fc.shuffledSubarray(facts, { minLength: facts.length, maxLength: facts.length }), { numRuns: 1, seed })[0]!;
        const tab = computeTab(shuffled);
        assert.equal(tab.total, expected);
        assert.equal(tab.sales, amounts.length);
        assert.equal(tab.voided, voided.size);
      },
    ),
  );
});
