import type { OrderFact } from './domain.ts';
import { addMinor } from './money.ts';

export interface TabTotals {
  /** Sum of sales not voided, minor units. */
  total: number;
  sales: number;
  voided: number;
}

/**
 * A tab derived from its facts alone. The result does not depend on the order the facts arrive in,
 * and a fact seen twice counts once, so any hop can recompute it from scratch at any time.
 */
export function computeTab(facts: Iterable<OrderFact>): TabTotals {
  const sales = new Map<string, number>();
  const voided = new Set<string>();
  for (const f of facts) {
    if (f.kind === 'sale') sales.set(f.id, f.total);
    else voided.add(f.voidsOrderId);
  }
  let total = 0;
  let voidedCount = 0;
  for (const [id, amount] of sales) {
    if (voided.has(id)) voidedCount++;
    else total = addMinor(total, amount);
  }
  return { total, sales: sales.size, voided: voidedCount };
}
