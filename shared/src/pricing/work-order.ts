import type { Sale } from '../domain.ts';
import { multiplyMinor } from '../money.ts';

/** A sale line while its tab is being priced: promotions add discounts to it, nothing else changes. */
export interface WorkLine {
  readonly index: number;
  readonly productId: string;
  readonly name: string;
  /** null when the product is not in the event's catalogue: no category promotion or tax can match it. */
  readonly category: string | null;
  readonly quantity: number;
  readonly recordedUnitPrice: number;
  /** After the price fix that applies, if any. */
  readonly unitPrice: number;
  readonly priceFixId: string | null;
  /** Units given away whole (first drink, buy one get one); a unit is never given away or discounted twice. */
  freeUnits: number;
  readonly discounts: { promotionId: string; amount: number }[];
}

export interface WorkOrder {
  readonly sale: Sale;
  /** The sale's recorded `createdAt` in ms: deterministic, though only as true as the terminal's clock. */
  readonly at: number;
  readonly lines: WorkLine[];
}

export function lineGross(l: WorkLine): number {
  return multiplyMinor(l.unitPrice, l.quantity);
}

export function lineDiscount(l: WorkLine): number {
  return l.discounts.reduce((sum, d) => sum + d.amount, 0);
}

export function lineNet(l: WorkLine): number {
  return lineGross(l) - lineDiscount(l);
}

export function paidUnits(l: WorkLine): number {
  return l.quantity - l.freeUnits;
}

export function addDiscount(l: WorkLine, promotionId: string, amount: number): void {
  if (amount === 0) return;
  const existing = l.discounts.find((d) => d.promotionId === promotionId);
  if (existing) existing.amount += amount;
  else l.discounts.push({ promotionId, amount });
}

/** The one order of sales every stateful step uses: recorded time, then id. Never arrival order. */
export function compareOrders(a: WorkOrder, b: WorkOrder): number {
  return a.at - b.at || compareIds(a.sale.id, b.sale.id);
}

/** Code-unit order, the same in every locale (localeCompare is not). */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
