import { applyBasisPoints, divideRounded, multiplyMinor } from '../money.ts';
import { inWindow, type Promotion } from './promotions.ts';
import { addDiscount, compareIds, lineNet, paidUnits, type WorkLine, type WorkOrder } from './work-order.ts';

type Of<K extends Promotion['kind']> = Extract<Promotion, { kind: K }>;

/**
 * Adds every promotion's discounts to the lines of `orders` (the tab's sales that count, sorted by `compareOrders`),
 * in the stacking order documented in promotions.ts. Each step depends only on its inputs' sorted order.
 */
export function applyPromotions(orders: readonly WorkOrder[], promotions: readonly Promotion[]): void {
  const sorted = [...promotions].sort((a, b) => compareIds(a.id, b.id));
  const ofKind = <K extends Promotion['kind']>(kind: K) => sorted.filter((p): p is Of<K> => p.kind === kind);

  for (const p of ofKind('first_drink_free')) giveFirstDrink(orders, p);
  for (const order of orders) {
    for (const p of ofKind('bogo')) giveBogo(order, p);
  }
  const percents = ofKind('category_percent');
  for (const order of orders) {
    for (const line of order.lines) takePercent(order, line, percents);
  }
  for (const order of orders) {
    for (const p of ofKind('fixed_off')) takeFixed(order, p);
  }
}

function giveable(l: WorkLine): boolean {
  return paidUnits(l) > 0 && l.unitPrice > 0;
}

function giveFirstDrink(orders: readonly WorkOrder[], p: Of<'first_drink_free'>): void {
  for (const order of orders) {
    if (!inWindow(p.window, order.at)) continue;
    let cheapest: WorkLine | undefined;
    for (const l of order.lines) {
      if ((p.category === undefined || l.category === p.category) && giveable(l)) {
        if (!cheapest || l.unitPrice < cheapest.unitPrice) cheapest = l;
      }
    }
    if (!cheapest) continue;
    cheapest.freeUnits += 1;
    addDiscount(cheapest, p.id, cheapest.unitPrice);
    return;
  }
}

function giveBogo(order: WorkOrder, p: Of<'bogo'>): void {
  if (!inWindow(p.window, order.at)) return;
  const target = p.appliesTo;
  const lines = order.lines
    .filter((l) => ('productId' in target ? l.productId === target.productId : l.category === target.category))
    .filter(giveable)
    .sort((a, b) => b.unitPrice - a.unitPrice || a.index - b.index);
  // Units at positions 1, 3, 5… of the dearest-first queue are free; count those falling in each line's run.
  let position = 0;
  for (const l of lines) {
    const n = paidUnits(l);
    const free = Math.floor((position + n) / 2) - Math.floor(position / 2);
    position += n;
    l.freeUnits += free;
    addDiscount(l, p.id, multiplyMinor(l.unitPrice, free));
  }
}

function takePercent(order: WorkOrder, line: WorkLine, percents: readonly Of<'category_percent'>[]): void {
  let best: Of<'category_percent'> | undefined;
  for (const p of percents) {
    if (p.category !== line.category || !inWindow(p.window, order.at)) continue;
    if (!best || p.basisPoints > best.basisPoints) best = p;
  }
  if (!best) return;
  addDiscount(line, best.id, applyBasisPoints(multiplyMinor(line.unitPrice, paidUnits(line)), best.basisPoints));
}

/**
 * Spreads the amount by cumulative rounding: line i gets round(off × (net₁+…+netᵢ) / S) minus the same for i−1.
 * Only the one rounding rule is used, the shares add up to `off` exactly, and none is below 0 or above its line's net.
 */
function takeFixed(order: WorkOrder, p: Of<'fixed_off'>): void {
  if (!inWindow(p.window, order.at)) return;
  const lines = order.lines.filter((l) => p.category === undefined || l.category === p.category);
  const nets = lines.map(lineNet);
  const base = nets.reduce((a, b) => a + b, 0);
  if (base === 0 || (p.minimum !== undefined && base < p.minimum)) return;
  const off = BigInt(Math.min(p.amount, base));
  let cumulative = 0n;
  let given = 0;
  lines.forEach((l, i) => {
    cumulative += BigInt(nets[i]!);
    const upTo = divideRounded(off * cumulative, BigInt(base));
    addDiscount(l, p.id, upTo - given);
    given = upTo;
  });
}
