import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Sale as SaleSchema, Void as VoidSchema, type Sale, type Void } from '../src/domain.ts';
import {
  priceTab,
  Promotion as PromotionSchema,
  TabFact,
  TaxRule as TaxRuleSchema,
  type PricedTab,
  type PriceFix,
  type PriceTabInput,
  type Promotion,
  type PromotionWindow,
  type Refund,
  type TaxRule,
  type Tip,
} from '../src/pricing/index.ts';

// ── Random tabs ──

const CATALOGUE = [
  { id: 'beer', category: 'beer', price: 700 },
  { id: 'ipa', category: 'beer', price: 650 },
  { id: 'wine', category: 'wine', price: 900 },
  { id: 'water', category: 'soft', price: 250 },
  { id: 'tapwater', category: 'soft', price: 0 },
];
const MYSTERY = { id: 'mystery', price: 500 }; // sold, but not in the catalogue handed to pricing
const SOLD = [...CATALOGUE, MYSTERY];
const CATEGORIES = ['beer', 'wine', 'soft'] as const;
const products = CATALOGUE.map(({ id, category }) => ({ id, category }));

const T0 = Date.parse('2026-11-21T18:00:00Z');
/** An instant `minutes` after T0, written with a UTC offset of `offsetHours` (the same instant either way). */
function at(minutes: number, offsetHours = 0): string {
  const local = new Date(T0 + minutes * 60_000 + offsetHours * 3_600_000).toISOString().slice(0, 19);
  if (offsetHours === 0) return `${local}Z`;
  const sign = offsetHours > 0 ? '+' : '-';
  return `${local}${sign}${String(Math.abs(offsetHours)).padStart(2, '0')}:00`;
}

const uuid7 = fc.uuid({ version: 7 });
// Few distinct times, so equal recorded times (broken by id) happen often.
const minute = fc.oneof(fc.constantFrom(0, 60, 120), fc.integer({ min: 0, max: 240 }));
const price = fc.integer({ min: 0, max: 1500 });
// Windows often start or end exactly on the frequent sale times, to catch off-by-one edges.
const windowArb: fc.Arbitrary<PromotionWindow> = fc
  .record({
    from: fc.oneof(fc.constantFrom(0, 60, 120), fc.integer({ min: 0, max: 240 })),
    length: fc.oneof(fc.constantFrom(60, 120, 480), fc.integer({ min: 1, max: 240 })),
  })
  .map(({ from, length }) => ({ from: at(from), to: at(from + length) }));

const lineArb = fc
  .record({ product: fc.constantFrom(...SOLD), quantity: fc.integer({ min: 1, max: 4 }), other: fc.option(price, { nil: null, freq: 2 }) })
  .map(({ product, quantity, other }) => ({ productId: product.id, name: product.id, quantity, unitPrice: other ?? product.price }));

const saleArb = fc
  .record({ id: uuid7, seq: fc.integer({ min: 1, max: 1000 }), minute, offset: fc.constantFrom(0, 1, -5), lines: fc.array(lineArb, { minLength: 1, maxLength: 4 }) })
  .map(({ id, seq, minute: m, offset, lines }): Sale => ({
    kind: 'sale', id, terminalId: 't1', seq, eventId: 'ev', stationId: 'bar', staffId: null, bandUid: '04A22B1A',
    createdAt: at(m, offset), offline: false, currency: 'EUR', lines, total: lines.reduce((s, l) => s + l.quantity * l.unitPrice, 0),
  }));

/** A reference to one of the scenario's sales (by index, modulo their count) or to a sale that is not there. */
const orderRef = fc.oneof({ weight: 4, arbitrary: fc.nat().map((n) => ({ pick: n })) }, { weight: 1, arbitrary: uuid7.map((id) => ({ id })) });
type OrderRef = { pick: number } | { id: string };

const promotionArb: fc.Arbitrary<Promotion> = fc.oneof(
  fc.record({
    kind: fc.constant('category_percent' as const), category: fc.constantFrom(...CATEGORIES),
    // Equal basis points often, so the tie between two percents (smallest id wins) is exercised.
    basisPoints: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(2000, 3333, 10_000) }, fc.integer({ min: 1, max: 10_000 })), window: windowArb,
  }),
  fc.record(
    { kind: fc.constant('bogo' as const), appliesTo: fc.oneof(fc.constantFrom(...SOLD).map((p) => ({ productId: p.id })), fc.constantFrom(...CATEGORIES).map((category) => ({ category }))), window: windowArb },
    { requiredKeys: ['kind', 'appliesTo'] },
  ),
  fc.record({ kind: fc.constant('first_drink_free' as const), category: fc.constantFrom(...CATEGORIES), window: windowArb }, { requiredKeys: ['kind'] }),
  fc.record(
    { kind: fc.constant('fixed_off' as const), currency: fc.constant('EUR'), amount: fc.integer({ min: 1, max: 2000 }), minimum: fc.integer({ min: 0, max: 3000 }), category: fc.constantFrom(...CATEGORIES), window: windowArb },
    { requiredKeys: ['kind', 'currency', 'amount'] },
  ),
).chain((p) => fc.constantFrom('promo-a', 'promo-b', 'promo-c', 'promo-d', 'promo-e').map((id) => ({ ...p, id, eventId: 'ev', name: id }) as Promotion));

const taxRuleArb: fc.Arbitrary<TaxRule> = fc.record({
  eventId: fc.constant('ev'),
  category: fc.constantFrom(...CATEGORIES),
  basisPoints: fc.oneof(fc.constantFrom(0, 600, 900, 1234, 2100, 10_000), fc.integer({ min: 0, max: 10_000 })),
  mode: fc.constantFrom('inclusive' as const, 'exclusive' as const),
});

const rawArb = fc.record({
  sales: fc.uniqueArray(saleArb, { minLength: 1, maxLength: 8, selector: (s) => s.id }),
  voids: fc.uniqueArray(fc.record({ id: uuid7, target: orderRef }), { maxLength: 3, selector: (v) => v.id }),
  refunds: fc.uniqueArray(fc.record({ id: uuid7, target: orderRef, amount: fc.integer({ min: 1, max: 3000 }) }), { maxLength: 3, selector: (r) => r.id }),
  tips: fc.uniqueArray(
    fc.record({
      id: uuid7, minute: fc.constantFrom(0, 5, 10),
      value: fc.oneof(
        fc.integer({ min: 0, max: 3000 }).map((amount) => ({ type: 'amount' as const, currency: 'EUR', amount })),
        fc.integer({ min: 0, max: 3000 }).map((basisPoints) => ({ type: 'percent' as const, basisPoints })),
      ),
    }),
    { maxLength: 3, selector: (t) => t.id },
  ),
  fixes: fc.uniqueArray(
    fc.record({
      // Few products and mostly their menu price, so several fixes often contest the same lines.
      id: uuid7, product: fc.constantFrom(SOLD[0]!, SOLD[2]!, MYSTERY), from: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, price), to: price,
      minute: fc.constantFrom(0, 5, 10),
      orders: fc.option(fc.array(orderRef, { minLength: 1, maxLength: 3 })),
    }),
    { maxLength: 3, selector: (f) => f.id },
  ),
  promotions: fc.uniqueArray(promotionArb, { minLength: 1, maxLength: 5, selector: (p) => p.id }),
  taxRules: fc.uniqueArray(taxRuleArb, { maxLength: 3, selector: (t) => t.category }),
});

type Scenario = Omit<PriceTabInput, 'sales' | 'voids' | 'refunds' | 'tips' | 'priceFixes' | 'promotions' | 'taxRules' | 'products'> & {
  sales: Sale[]; voids: Void[]; refunds: Refund[]; tips: Tip[]; priceFixes: PriceFix[]; promotions: Promotion[]; taxRules: TaxRule[];
  products: { id: string; category: string }[];
};

const scenarioArb: fc.Arbitrary<Scenario> = rawArb.map((raw) => {
  const { sales } = raw;
  const resolve = (ref: OrderRef, fallback: string) => ('id' in ref ? ref.id : (sales[ref.pick % Math.max(1, sales.length)]?.id ?? fallback));
  const cloud = { eventId: 'ev', recordedBy: 'office' };
  return {
    currency: 'EUR',
    sales,
    voids: raw.voids.map((v, k): Void => ({
      kind: 'void', id: v.id, terminalId: 't1', seq: 2000 + k, eventId: 'ev', stationId: 'bar', staffId: null, bandUid: '04A22B1A',
      createdAt: at(300), offline: false, voidsOrderId: resolve(v.target, v.id), reason: 'wrong', supervisorId: 'sup',
    })),
    refunds: raw.refunds.map((r): Refund => ({
      ...cloud, kind: 'refund', id: r.id, recordedAt: at(600), refundsOrderId: resolve(r.target, r.id), currency: 'EUR', amount: r.amount, reason: 'spilled',
    })),
    tips: raw.tips.map((t): Tip => ({ ...cloud, recordedBy: null, kind: 'tip', id: t.id, bandUid: '04A22B1A', recordedAt: at(600 + t.minute), value: t.value })),
    priceFixes: raw.fixes.map((f): PriceFix => {
      const fromUnitPrice = f.from ?? f.product.price;
      const fix: PriceFix = {
        ...cloud, kind: 'price_fix', id: f.id, recordedAt: at(600 + f.minute), productId: f.product.id, currency: 'EUR',
        fromUnitPrice, toUnitPrice: f.to === fromUnitPrice ? f.to + 1 : f.to, reason: 'menu typo',
      };
      if (f.orders) fix.orderIds = f.orders.map((ref) => resolve(ref, f.id));
      return fix;
    }),
    promotions: raw.promotions,
    taxRules: raw.taxRules,
    products,
  };
});

// ── Arrival order: a permutation with resent copies (keys in another order, as another hop may serialise them) ──

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function resent<T>(fact: T): T {
  return Object.fromEntries(Object.entries(structuredClone(fact) as object).reverse()) as T;
}

function arrival<T>(items: readonly T[], random: () => number, withCopies: boolean): T[] {
  const out = [...items];
  if (withCopies) for (const item of items) if (random() < 0.4) out.push(resent(item));
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function arrive(s: Scenario, seed: number): Scenario {
  const r = mulberry32(seed);
  return {
    ...s,
    sales: arrival(s.sales, r, true), voids: arrival(s.voids, r, true), refunds: arrival(s.refunds, r, true), tips: arrival(s.tips, r, true),
    priceFixes: arrival(s.priceFixes, r, true), promotions: arrival(s.promotions, r, false), taxRules: arrival(s.taxRules, r, false),
    products: arrival(s.products, r, false),
  };
}

// ── The independent reference: every unit spelled out, BigInt rationals, the rounding rule re-derived ──

/** n / d rounded half away from zero, for n ≥ 0 and d > 0: ⌊(2n + d) / 2d⌋. */
function roundHalfUp(n: bigint, d: bigint): bigint {
  assert.ok(n >= 0n && d > 0n, 'the reference only rounds non-negative amounts');
  return (2n * n + d) / (2n * d);
}

interface RefLine { unitPrice: bigint; gross: bigint; discounts: Record<string, bigint>; net: bigint; tax: bigint; total: bigint }
interface RefTab {
  orders: { orderId: string; lines: RefLine[] }[];
  subtotal: bigint; discounts: bigint; net: bigint; taxIncluded: bigint; taxAdded: bigint; ordersTotal: bigint; tip: bigint; refunds: bigint; total: bigint;
}

function reference(s: Scenario): RefTab {
  const ms = (iso: string) => new Date(iso).getTime();
  const firstById = <T extends { id: string }>(xs: T[]) => [...new Map(xs.map((x) => [x.id, x] as const)).values()];
  const sales = new Map(s.sales.map((x) => [x.id, x]));
  const voided = new Set(s.voids.map((v) => v.voidsOrderId).filter((id) => sales.has(id)));
  const live = [...sales.values()].filter((x) => !voided.has(x.id));
  live.sort((a, b) => (ms(a.createdAt) !== ms(b.createdAt) ? ms(a.createdAt) - ms(b.createdAt) : a.id < b.id ? -1 : 1));
  const categoryOf = (productId: string) => s.products.find((p) => p.id === productId)?.category ?? null;
  const promos = [...s.promotions].sort((a, b) => (a.id < b.id ? -1 : 1));
  const within = (w: PromotionWindow | undefined, sale: Sale) => w === undefined || (ms(w.from) <= ms(sale.createdAt) && ms(sale.createdAt) < ms(w.to));

  type Unit = { price: bigint; freeBy: string | null };
  type Line = { productId: string; category: string | null; quantity: number; unitPrice: bigint; units: Unit[]; discounts: Record<string, bigint> };
  const orders = live.map((sale) => ({
    sale,
    lines: sale.lines.map((l): Line => {
      let chosen: PriceFix | undefined;
      for (const f of firstById(s.priceFixes)) {
        const applies = f.productId === l.productId && f.fromUnitPrice === l.unitPrice && f.eventId === sale.eventId && (!f.orderIds || f.orderIds.includes(sale.id));
        if (!applies) continue;
        if (!chosen || ms(f.recordedAt) > ms(chosen.recordedAt) || (ms(f.recordedAt) === ms(chosen.recordedAt) && f.id > chosen.id)) chosen = f;
      }
      const unitPrice = BigInt(chosen ? chosen.toUnitPrice : l.unitPrice);
      const units = Array.from({ length: l.quantity }, () => ({ price: unitPrice, freeBy: null as string | null }));
      return { productId: l.productId, category: categoryOf(l.productId), quantity: l.quantity, unitPrice, units, discounts: {} };
    }),
  }));
  const give = (line: Line, unit: Unit, promotionId: string) => {
    unit.freeBy = promotionId;
    line.discounts[promotionId] = (line.discounts[promotionId] ?? 0n) + unit.price;
  };

  for (const p of promos) {
    if (p.kind !== 'first_drink_free') continue;
    search: for (const o of orders) {
      if (!within(p.window, o.sale)) continue;
      let best: { line: Line; unit: Unit } | undefined;
      for (const line of o.lines) {
        if (p.category !== undefined && line.category !== p.category) continue;
        for (const unit of line.units) if (unit.freeBy === null && unit.price > 0n && (!best || unit.price < best.unit.price)) best = { line, unit };
      }
      if (best) {
        give(best.line, best.unit, p.id);
        break search;
      }
    }
  }
  for (const o of orders) {
    for (const p of promos) {
      if (p.kind !== 'bogo' || !within(p.window, o.sale)) continue;
      const queue: { line: Line; unit: Unit }[] = [];
      for (const line of o.lines) {
        const matches = 'productId' in p.appliesTo ? line.productId === p.appliesTo.productId : line.category === p.appliesTo.category;
        if (matches) for (const unit of line.units) if (unit.freeBy === null && unit.price > 0n) queue.push({ line, unit });
      }
      queue.sort((a, b) => (a.unit.price === b.unit.price ? 0 : a.unit.price > b.unit.price ? -1 : 1)); // stable: line order kept
      queue.forEach(({ line, unit }, position) => position % 2 === 1 && give(line, unit, p.id));
    }
  }
  for (const o of orders) {
    for (const line of o.lines) {
      let best: Extract<Promotion, { kind: 'category_percent' }> | undefined;
      for (const p of promos) {
        if (p.kind === 'category_percent' && p.category === line.category && within(p.window, o.sale) && (!best || p.basisPoints > best.basisPoints)) best = p;
      }
      if (!best) continue;
      let paid = 0n;
      for (const unit of line.units) if (unit.freeBy === null) paid += unit.price;
      const off = roundHalfUp(paid * BigInt(best.basisPoints), 10_000n);
      if (off > 0n) line.discounts[best.id] = (line.discounts[best.id] ?? 0n) + off;
    }
  }
  const netSoFar = (line: Line) => line.unitPrice * BigInt(line.quantity) - Object.values(line.discounts).reduce((a, b) => a + b, 0n);
  for (const o of orders) {
    for (const p of promos) {
      if (p.kind !== 'fixed_off' || !within(p.window, o.sale)) continue;
      const lines = o.lines.filter((l) => p.category === undefined || l.category === p.category);
      const nets = lines.map(netSoFar);
      const base = nets.reduce((a, b) => a + b, 0n);
      if (base === 0n || (p.minimum !== undefined && base < BigInt(p.minimum))) continue;
      const off = BigInt(p.amount) < base ? BigInt(p.amount) : base;
      let before = 0n;
      let runningNet = 0n;
      lines.forEach((line, i) => {
        runningNet += nets[i]!;
        const upTo = roundHalfUp(off * runningNet, base);
        if (upTo - before > 0n) line.discounts[p.id] = (line.discounts[p.id] ?? 0n) + (upTo - before);
        before = upTo;
      });
    }
  }

  const tab: RefTab = { orders: [], subtotal: 0n, discounts: 0n, net: 0n, taxIncluded: 0n, taxAdded: 0n, ordersTotal: 0n, tip: 0n, refunds: 0n, total: 0n };
  for (const o of orders) {
    const lines: RefLine[] = [];
    for (const line of o.lines) {
      const gross = line.unitPrice * BigInt(line.quantity);
      const net = netSoFar(line);
      const rule = s.taxRules.find((t) => t.category === line.category);
      let tax = 0n;
      let total = net;
      if (rule?.mode === 'exclusive') {
        tax = roundHalfUp(net * BigInt(rule.basisPoints), 10_000n);
        total = net + tax;
        tab.taxAdded += tax;
      } else if (rule?.mode === 'inclusive') {
        tax = roundHalfUp(net * BigInt(rule.basisPoints), 10_000n + BigInt(rule.basisPoints));
        tab.taxIncluded += tax;
      }
      lines.push({ unitPrice: line.unitPrice, gross, discounts: { ...line.discounts }, net, tax, total });
      tab.subtotal += gross;
      tab.discounts += gross - net;
      tab.net += net;
      tab.ordersTotal += total;
    }
    tab.orders.push({ orderId: o.sale.id, lines });
  }
  let latest: Tip | undefined;
  for (const t of s.tips) {
    if (!latest || ms(t.recordedAt) > ms(latest.recordedAt) || (ms(t.recordedAt) === ms(latest.recordedAt) && t.id > latest.id)) latest = t;
  }
  if (latest) tab.tip = latest.value.type === 'amount' ? BigInt(latest.value.amount) : roundHalfUp(tab.ordersTotal * BigInt(latest.value.basisPoints), 10_000n);
  for (const r of firstById(s.refunds)) if (sales.has(r.refundsOrderId) && !voided.has(r.refundsOrderId)) tab.refunds += BigInt(r.amount);
  tab.total = tab.ordersTotal + tab.tip - tab.refunds;
  return tab;
}

/** The priced tab in the reference's shape, to compare them to the cent. */
function asReference(t: PricedTab): RefTab {
  const big = BigInt;
  return {
    orders: t.orders.map((o) => ({
      orderId: o.orderId,
      lines: o.lines.map((l) => ({
        unitPrice: big(l.unitPrice), gross: big(l.gross), discounts: Object.fromEntries(l.discounts.map((d) => [d.promotionId, big(d.amount)])),
        net: big(l.net), tax: big(l.tax), total: big(l.total),
      })),
    })),
    subtotal: big(t.subtotal), discounts: big(t.discounts), net: big(t.net), taxIncluded: big(t.taxIncluded), taxAdded: big(t.taxAdded),
    ordersTotal: big(t.ordersTotal), tip: big(t.tip), refunds: big(t.refunds), total: big(t.total),
  };
}

// ── Properties ──

const runs = { numRuns: 400 };

test('the generator makes facts and configuration the schemas accept', () => {
  fc.assert(
    fc.property(scenarioArb, (s) => {
      for (const x of s.sales) SaleSchema.parse(x);
      for (const x of s.voids) VoidSchema.parse(x);
      for (const x of [...s.refunds, ...s.tips, ...s.priceFixes]) TabFact.parse(x);
      for (const x of s.promotions) PromotionSchema.parse(x);
      for (const x of s.taxRules) TaxRuleSchema.parse(x);
    }),
    { numRuns: 100 },
  );
});

test('a tab is the same for every arrival order of its facts, with resent copies among them', () => {
  fc.assert(
    fc.property(scenarioArb, fc.integer(), fc.integer(), (s, seedA, seedB) => {
      const once = priceTab(s);
      assert.deepEqual(priceTab(arrive(s, seedA)), once);
      assert.deepEqual(priceTab(arrive(s, seedB)), once);
    }),
    runs,
  );
});

test('a tab equals the independent reference computation to the cent', () => {
  fc.assert(
    fc.property(scenarioArb, fc.integer(), (s, seed) => {
      assert.deepEqual(asReference(priceTab(arrive(s, seed))), reference(s));
    }),
    runs,
  );
});

test('the figures hold together: lines within their gross, taxes by mode, total ≥ 0 unless refunds exceed', () => {
  fc.assert(
    fc.property(scenarioArb, (s) => {
      const t = priceTab(s);
      for (const o of t.orders) {
        for (const l of o.lines) {
          assert.ok(l.discount >= 0 && l.discount <= l.gross, `line discount ${l.discount} within gross ${l.gross}`);
          assert.equal(l.net, l.gross - l.discount);
          assert.equal(l.total, l.taxMode === 'exclusive' ? l.net + l.tax : l.net);
          if (l.taxMode === null) assert.equal(l.tax, 0);
        }
        assert.equal(o.total, o.lines.reduce((sum, l) => sum + l.total, 0));
      }
      assert.equal(t.net, t.subtotal - t.discounts);
      assert.equal(t.tax, t.taxIncluded + t.taxAdded);
      assert.equal(t.ordersTotal, t.net + t.taxAdded);
      assert.equal(t.total, t.ordersTotal + t.tip - t.refunds);
      assert.equal(t.discountsByPromotion.reduce((sum, d) => sum + d.amount, 0), t.discounts);
      if (t.refunds === 0) assert.ok(t.total >= 0, `total ${t.total} without refunds`);
      if (t.total < 0) assert.ok(t.refunds > t.ordersTotal + t.tip);
      for (const id of t.voidedOrderIds) assert.ok(!t.orders.some((o) => o.orderId === id), `voided ${id} still priced`);
    }),
    runs,
  );
});

test('voided sales contribute 0: the tab is the same as if they had never been made', () => {
  fc.assert(
    fc.property(scenarioArb, (s) => {
      const t = priceTab(s);
      const voided = new Set(t.voidedOrderIds);
      const without = priceTab({ ...s, sales: s.sales.filter((x) => !voided.has(x.id)), voids: s.voids.filter((v) => !voided.has(v.voidsOrderId)) });
      assert.deepEqual(without.orders, t.orders);
      assert.equal(without.total, t.total);
    }),
    runs,
  );
});

test('with inclusive taxes only, the orders total is the net', () => {
  fc.assert(
    fc.property(scenarioArb, (s) => {
      const t = priceTab({ ...s, taxRules: s.taxRules.map((r) => ({ ...r, mode: 'inclusive' as const })) });
      assert.equal(t.ordersTotal, t.net);
      assert.equal(t.taxAdded, 0);
      assert.ok(t.taxIncluded <= t.net);
    }),
    runs,
  );
});
