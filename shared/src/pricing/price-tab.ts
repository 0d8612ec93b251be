import type { Sale, Void } from '../domain.ts';
import { addMinor, applyBasisPoints } from '../money.ts';
import { applyPromotions } from './apply-promotions.ts';
import { PriceFixBook } from './price-fixes.ts';
import type { PricedLine, PricedOrder, PricedTab, PromotionDiscount, UnappliedRefund } from './priced-tab.ts';
import { PricingError } from './pricing-error.ts';
import type { Promotion } from './promotions.ts';
import { instantMs } from './schema-parts.ts';
import type { PriceFix, Refund, Tip } from './tab-facts.ts';
import { taxLine, type TaxRule } from './taxes.ts';
import { uniqueById, uniqueConfig } from './unique.ts';
import { compareIds, compareOrders, lineDiscount, lineGross, lineNet, type WorkOrder } from './work-order.ts';

export interface PriceTabInput {
  currency: string;
  /** One band's sales. */
  sales: Iterable<Sale>;
  /** Voids of those sales; one of a sale not here is reported in `unmatchedVoidIds`. */
  voids: Iterable<Void>;
  /** Refunds of those sales; one of a sale not here is reported in `unappliedRefunds`. */
  refunds: Iterable<Refund>;
  /** The band's tips. */
  tips: Iterable<Tip>;
  /** The event's price fixes (each may touch any band's sales). */
  priceFixes: Iterable<PriceFix>;
  /** The event's promotions and tax rules. */
  promotions: Iterable<Promotion>;
  taxRules: Iterable<TaxRule>;
  /** The catalogue's product categories; `Product` fits. */
  products: Iterable<{ id: string; category: string }>;
}

/**
 * A tab priced from its facts and its event's configuration, from scratch. The result is the same for every order
 * the facts arrive in, and a fact handed in twice counts once.
 *
 * Rounding, always through money.ts: a percent discount once per line (on the units still paid for), a fixed amount
 * by cumulative rounding over its lines, tax once per line on the line's net, a percent tip once on the orders total.
 * Everything else is exact integer addition of those rounded line figures.
 */
export function priceTab(input: PriceTabInput): PricedTab {
  const { currency } = input;
  const sales = uniqueById(input.sales, 'sale');
  const voids = uniqueById(input.voids, 'void');
  const refunds = uniqueById(input.refunds, 'refund');
  const tips = uniqueById(input.tips, 'tip');
  const fixes = uniqueById(input.priceFixes, 'price fix');
  const promotions = uniqueConfig(input.promotions, (p) => p.id, 'promotion id');
  const taxRules = new Map(uniqueConfig(input.taxRules, (t) => t.category, 'tax rule category').map((t) => [t.category, t]));
  const categories = new Map([...input.products].map((p) => [p.id, p.category]));

  for (const s of sales) sameCurrency(currency, s.currency, `sale ${s.id}`);
  for (const r of refunds) sameCurrency(currency, r.currency, `refund ${r.id}`);
  for (const f of fixes) sameCurrency(currency, f.currency, `price fix ${f.id}`);
  for (const t of tips) if (t.value.type === 'amount') sameCurrency(currency, t.value.currency, `tip ${t.id}`);
  for (const p of promotions) if (p.kind === 'fixed_off') sameCurrency(currency, p.currency, `promotion ${p.id}`);

  const saleIds = new Set(sales.map((s) => s.id));
  const voided = new Set(voids.map((v) => v.voidsOrderId).filter((id) => saleIds.has(id)));
  const unmatchedVoidIds = voids.filter((v) => !saleIds.has(v.voidsOrderId)).map((v) => v.id);

  const fixBook = new PriceFixBook(fixes);
  const unknownProducts = new Set<string>();
  const work: WorkOrder[] = sales
    .filter((s) => !voided.has(s.id))
    .map((sale) => ({
      sale,
      at: instantMs(sale.createdAt),
      lines: sale.lines.map((l, index) => {
        const category = categories.get(l.productId) ?? null;
        if (category === null) unknownProducts.add(l.productId);
        return {
          index,
          productId: l.productId,
          name: l.name,
          category,
          quantity: l.quantity,
          recordedUnitPrice: l.unitPrice,
          ...fixBook.priceOf(sale, l.productId, l.unitPrice),
          freeUnits: 0,
          discounts: [],
        };
      }),
    }))
    .sort(compareOrders);

  applyPromotions(work, promotions);

  const refundsByOrder = new Map<string, Refund[]>();
  const unappliedRefunds: UnappliedRefund[] = [];
  for (const r of [...refunds].sort((a, b) => compareIds(a.id, b.id))) {
    const orderId = r.refundsOrderId;
    if (!saleIds.has(orderId)) unappliedRefunds.push({ refundId: r.id, orderId, reason: 'unknown_order' });
    else if (voided.has(orderId)) unappliedRefunds.push({ refundId: r.id, orderId, reason: 'order_voided' });
    else refundsByOrder.set(orderId, [...(refundsByOrder.get(orderId) ?? []), r]);
  }

  const orders = work.map((o) => priceOrder(o, taxRules, refundsByOrder.get(o.sale.id) ?? []));
  const lines = orders.flatMap((o) => o.lines);
  const net = sumMinor(lines.map((l) => l.net));
  const taxIncluded = sumMinor(lines.filter((l) => l.taxMode === 'inclusive').map((l) => l.tax));
  const taxAdded = sumMinor(lines.filter((l) => l.taxMode === 'exclusive').map((l) => l.tax));
  const ordersTotal = sumMinor(orders.map((o) => o.total));
  const tip = latestTip(tips);
  const tipAmount = !tip ? 0 : tip.value.type === 'amount' ? tip.value.amount : applyBasisPoints(ordersTotal, tip.value.basisPoints);
  const refunded = sumMinor(orders.map((o) => o.refunded));

  return {
    currency,
    orders,
    voidedOrderIds: [...voided].sort(compareIds),
    subtotal: sumMinor(lines.map((l) => l.gross)),
    discounts: sumMinor(lines.map((l) => l.discount)),
    discountsByPromotion: byPromotion(lines),
    net,
    taxIncluded,
    taxAdded,
    tax: addMinor(taxIncluded, taxAdded),
    ordersTotal,
    tipId: tip?.id ?? null,
    tip: tipAmount,
    refunds: refunded,
    total: addMinor(ordersTotal, tipAmount, -refunded),
    unappliedRefunds,
    unmatchedVoidIds: unmatchedVoidIds.sort(compareIds),
    unknownProductIds: [...unknownProducts].sort(compareIds),
  };
}

function priceOrder(o: WorkOrder, taxRules: Map<string, TaxRule>, refunds: Refund[]): PricedOrder {
  const lines: PricedLine[] = o.lines.map((l) => {
    const rule = l.category === null ? undefined : taxRules.get(l.category);
    const net = lineNet(l);
    const { tax, total } = taxLine(net, rule);
    return {
      index: l.index,
      productId: l.productId,
      name: l.name,
      category: l.category,
      quantity: l.quantity,
      recordedUnitPrice: l.recordedUnitPrice,
      unitPrice: l.unitPrice,
      priceFixId: l.priceFixId,
      gross: lineGross(l),
      discounts: l.discounts.map((d) => ({ ...d })),
      discount: lineDiscount(l),
      net,
      taxBasisPoints: rule?.basisPoints ?? null,
      taxMode: rule?.mode ?? null,
      tax,
      total,
    };
  });
  const sumOf = (pick: (l: PricedLine) => number) => sumMinor(lines.map(pick));
  return {
    orderId: o.sale.id,
    terminalId: o.sale.terminalId,
    seq: o.sale.seq,
    createdAt: o.sale.createdAt,
    lines,
    gross: sumOf((l) => l.gross),
    discount: sumOf((l) => l.discount),
    net: sumOf((l) => l.net),
    tax: sumOf((l) => l.tax),
    total: sumOf((l) => l.total),
    refunded: sumMinor(refunds.map((r) => r.amount)),
    refundIds: refunds.map((r) => r.id),
  };
}

function sumMinor(values: readonly number[]): number {
  return values.reduce((total, v) => addMinor(total, v), 0);
}

function latestTip(tips: readonly Tip[]): Tip | undefined {
  let latest: Tip | undefined;
  for (const t of tips) {
    const d = latest ? instantMs(t.recordedAt) - instantMs(latest.recordedAt) || compareIds(t.id, latest.id) : 1;
    if (d > 0) latest = t;
  }
  return latest;
}

function byPromotion(lines: readonly PricedLine[]): PromotionDiscount[] {
  const totals = new Map<string, number>();
  for (const l of lines) for (const d of l.discounts) totals.set(d.promotionId, addMinor(totals.get(d.promotionId) ?? 0, d.amount));
  return [...totals]
    .sort(([a], [b]) => compareIds(a, b))
    .map(([promotionId, amount]) => ({ promotionId, amount }));
}

function sameCurrency(tab: string, other: string, what: string): void {
  if (other !== tab) {
    throw new PricingError('currency_mismatch', `The ${what} is in ${other} but the tab is in ${tab}; it cannot be added to it.`);
  }
}
