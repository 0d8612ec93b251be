import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Sale, Void } from '../src/domain.ts';
import {
  priceTab,
  PricingError,
  Promotion,
  TabFact,
  type PriceFix,
  type PriceTabInput,
  type Refund,
  type TaxRule,
  type Tip,
} from '../src/pricing/index.ts';

// Hand-computed examples, one per promotion kind, tax mode and tab fact. Amounts are euro cents.

const uuid = (n: number) => `0192e4a0-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
const products = [
  { id: 'beer', category: 'beer' },
  { id: 'ipa', category: 'beer' },
  { id: 'wine', category: 'wine' },
  { id: 'water', category: 'soft' },
  { id: 'cent', category: 'soft' },
];

function sale(n: number, createdAt: string, lines: [productId: string, quantity: number, unitPrice: number][]): Sale {
  const saleLines = lines.map(([productId, quantity, unitPrice]) => ({ productId, name: productId, quantity, unitPrice }));
  return {
    kind: 'sale', id: uuid(n), terminalId: 't1', seq: n, eventId: 'ev', stationId: 'bar', staffId: null,
    bandUid: '04A22B1A', createdAt, offline: false, currency: 'EUR', lines: saleLines,
    total: saleLines.reduce((s, l) => s + l.quantity * l.unitPrice, 0),
  };
}

function voidOf(n: number, saleN: number): Void {
  return {
    kind: 'void', id: uuid(n), terminalId: 't1', seq: n, eventId: 'ev', stationId: 'bar', staffId: null,
    bandUid: '04A22B1A', createdAt: '2026-11-21T23:00:00Z', offline: false, voidsOrderId: uuid(saleN), reason: 'wrong drink', supervisorId: 'sup',
  };
}

const cloud = { eventId: 'ev', recordedBy: 'office' };

function price(partial: Partial<PriceTabInput>) {
  return priceTab({ currency: 'EUR', sales: [], voids: [], refunds: [], tips: [], priceFixes: [], promotions: [], taxRules: [], products, ...partial });
}

const happyHour = { from: '2026-11-21T19:00:00Z', to: '2026-11-21T20:00:00Z' };

describe('category_percent', () => {
  const promotions: Promotion[] = [{ kind: 'category_percent', id: 'hh', eventId: 'ev', name: 'Happy hour', category: 'beer', basisPoints: 2000, window: happyHour }];

  test('20 % off beer inside the window, rounded per line: 3 × 6.99 = 20.97, 4.194 off → 4.19', () => {
    const tab = price({ promotions, sales: [sale(1, '2026-11-21T19:30:00Z', [['beer', 3, 699], ['wine', 1, 900]])] });
    const [beer, wine] = tab.orders[0]!.lines;
    assert.deepEqual(beer!.discounts, [{ promotionId: 'hh', amount: 419 }]);
    assert.equal(beer!.net, 1678);
    assert.equal(wine!.discount, 0);
    assert.equal(tab.total, 1678 + 900);
  });

  test('the window ends before `to`, and instants with an offset are compared as instants', () => {
    const atEnd = price({ promotions, sales: [sale(1, '2026-11-21T20:00:00Z', [['beer', 1, 700]])] });
    assert.equal(atEnd.discounts, 0);
    const offset = price({ promotions, sales: [sale(1, '2026-11-21T20:30:00+01:00', [['beer', 1, 700]])] });
    assert.equal(offset.discounts, 140);
  });

  test('of two matching percents the larger wins; they do not stack', () => {
    const two: Promotion[] = [...promotions, { ...promotions[0]!, id: 'big', basisPoints: 5000 } as Promotion];
    const tab = price({ promotions: two, sales: [sale(1, '2026-11-21T19:30:00Z', [['beer', 1, 700]])] });
    assert.deepEqual(tab.orders[0]!.lines[0]!.discounts, [{ promotionId: 'big', amount: 350 }]);
  });

  test('of two equal percents the smaller id wins, whatever order the configuration lists them in', () => {
    const twins: Promotion[] = [{ ...promotions[0]!, id: 'zz' } as Promotion, { ...promotions[0]!, id: 'aa' } as Promotion];
    const tab = price({ promotions: twins, sales: [sale(1, '2026-11-21T19:30:00Z', [['beer', 1, 700]])] });
    assert.deepEqual(tab.orders[0]!.lines[0]!.discounts, [{ promotionId: 'aa', amount: 140 }]);
  });
});

describe('bogo', () => {
  const onBeer: Promotion[] = [{ kind: 'bogo', id: 'bogo', eventId: 'ev', name: 'Two for one', appliesTo: { category: 'beer' } }];

  test('dearest first, every second unit free: [7, 7, 6.50] frees one 7', () => {
    const tab = price({ promotions: onBeer, sales: [sale(1, '2026-11-21T19:00:00Z', [['ipa', 1, 650], ['beer', 2, 700]])] });
    const [ipa, beer] = tab.orders[0]!.lines;
    assert.equal(ipa!.discount, 0);
    assert.deepEqual(beer!.discounts, [{ promotionId: 'bogo', amount: 700 }]);
    assert.equal(tab.total, 1350);
  });

  test('[7, 6.50] frees the cheaper; pairs are made per sale, not across sales', () => {
    const mixed = price({ promotions: onBeer, sales: [sale(1, '2026-11-21T19:00:00Z', [['beer', 1, 700], ['ipa', 1, 650]])] });
    assert.equal(mixed.discounts, 650);
    const apart = price({ promotions: onBeer, sales: [sale(1, '2026-11-21T19:00:00Z', [['beer', 1, 700]]), sale(2, '2026-11-21T19:05:00Z', [['beer', 1, 700]])] });
    assert.equal(apart.discounts, 0);
  });

  test('by product: 5 beers, 2 free; ipa not included', () => {
    const byProduct: Promotion[] = [{ kind: 'bogo', id: 'b', eventId: 'ev', name: 'Beer 2 for 1', appliesTo: { productId: 'beer' } }];
    const tab = price({ promotions: byProduct, sales: [sale(1, '2026-11-21T19:00:00Z', [['beer', 5, 700], ['ipa', 2, 650]])] });
    assert.equal(tab.discounts, 1400);
  });
});

describe('first_drink_free', () => {
  const any: Promotion[] = [{ kind: 'first_drink_free', id: 'first', eventId: 'ev', name: 'Welcome drink' }];
  const later = sale(1, '2026-11-21T20:00:00Z', [['beer', 1, 700], ['water', 1, 250]]);
  const earlier = sale(2, '2026-11-21T19:00:00Z', [['wine', 1, 900]]);

  test('goes to the sale recorded first, whatever arrives first, once per tab', () => {
    const tab = price({ promotions: any, sales: [later, earlier] });
    assert.equal(tab.orders[0]!.orderId, earlier.id);
    assert.equal(tab.orders[0]!.lines[0]!.discount, 900);
    assert.equal(tab.discounts, 900);
  });

  test('with a category, the first sale holding it; the cheapest matching unit of that sale', () => {
    const beer = price({ promotions: [{ ...any[0]!, category: 'beer' } as Promotion], sales: [later, earlier] });
    assert.deepEqual(beer.discountsByPromotion, [{ promotionId: 'first', amount: 700 }]);
  });

  test('a void moves it to the next sale, onto its cheapest unit', () => {
    const tab = price({ promotions: any, sales: [later, earlier], voids: [voidOf(9, 2)] });
    assert.deepEqual(tab.voidedOrderIds, [earlier.id]);
    assert.deepEqual(tab.orders[0]!.lines.map((l) => l.discount), [0, 250]);
  });

  test('equal recorded times: the smaller id is first', () => {
    const a = sale(5, '2026-11-21T19:00:00Z', [['beer', 1, 700]]);
    const b = sale(4, '2026-11-21T19:00:00Z', [['wine', 1, 900]]);
    assert.equal(price({ promotions: any, sales: [a, b] }).discounts, 900);
  });
});

describe('fixed_off', () => {
  const fiveOff: Promotion = { kind: 'fixed_off', id: 'five', eventId: 'ev', name: '5 off', currency: 'EUR', amount: 500, minimum: 1000 };

  test('spread in proportion to net: 500 over 700 + 900 gives 219 + 281', () => {
    const tab = price({ promotions: [fiveOff], sales: [sale(1, '2026-11-21T19:00:00Z', [['beer', 1, 700], ['wine', 1, 900]])] });
    assert.deepEqual(tab.orders[0]!.lines.map((l) => l.discount), [219, 281]);
  });

  test('below the minimum nothing; never more than the sale', () => {
    assert.equal(price({ promotions: [fiveOff], sales: [sale(1, '2026-11-21T19:00:00Z', [['beer', 1, 700]])] }).discounts, 0);
    const big: Promotion = { ...fiveOff, minimum: undefined, amount: 1000 } as Promotion;
    const tab = price({ promotions: [big], sales: [sale(1, '2026-11-21T19:00:00Z', [['water', 1, 250]])] });
    assert.equal(tab.discounts, 250);
    assert.equal(tab.total, 0);
  });

  test('cumulative rounding: 2 cents over four 1-cent lines gives 1, 0, 1, 0', () => {
    const two: Promotion = { ...fiveOff, amount: 2, minimum: undefined } as Promotion;
    const tab = price({ promotions: [two], sales: [sale(1, '2026-11-21T19:00:00Z', [['cent', 1, 1], ['cent', 1, 1], ['cent', 1, 1], ['cent', 1, 1]])] });
    assert.deepEqual(tab.orders[0]!.lines.map((l) => l.discount), [1, 0, 1, 0]);
  });

  test('applies per sale, after the percent discounts', () => {
    const promotions: Promotion[] = [
      { kind: 'category_percent', id: 'hh', eventId: 'ev', name: 'HH', category: 'beer', basisPoints: 5000, window: happyHour },
      { ...fiveOff, amount: 100, minimum: undefined } as Promotion,
    ];
    const s1 = sale(1, '2026-11-21T19:10:00Z', [['beer', 2, 700]]);
    const s2 = sale(2, '2026-11-21T19:20:00Z', [['wine', 1, 900]]);
    const tab = price({ promotions, sales: [s1, s2] });
    assert.deepEqual(tab.orders[0]!.lines[0]!.discounts, [{ promotionId: 'hh', amount: 700 }, { promotionId: 'five', amount: 100 }]);
    assert.equal(tab.total, 600 + 800);
  });
});

describe('taxes', () => {
  const taxRules: TaxRule[] = [
    { eventId: 'ev', category: 'wine', basisPoints: 2100, mode: 'exclusive' },
    { eventId: 'ev', category: 'beer', basisPoints: 900, mode: 'inclusive' },
  ];

  test('exclusive adds 21 % of 9.00 = 1.89; inclusive extracts 9 % from 7.00: 7 × 9/109 = 0.578 → 0.58', () => {
    const tab = price({ taxRules, sales: [sale(1, '2026-11-21T19:00:00Z', [['wine', 1, 900], ['beer', 1, 700], ['water', 1, 250]])] });
    const [wine, beer, water] = tab.orders[0]!.lines;
    assert.deepEqual([wine!.tax, wine!.total], [189, 1089]);
    assert.deepEqual([beer!.tax, beer!.total], [58, 700]);
    assert.deepEqual([water!.tax, water!.taxMode], [0, null]);
    assert.deepEqual([tab.taxAdded, tab.taxIncluded, tab.net, tab.total], [189, 58, 1850, 2039]);
  });

  test('tax is on the net after discounts: 16.78 with 9 % inside holds 1.3855 → 1.39', () => {
    const promotions: Promotion[] = [{ kind: 'category_percent', id: 'hh', eventId: 'ev', name: 'HH', category: 'beer', basisPoints: 2000, window: happyHour }];
    const tab = price({ taxRules, promotions, sales: [sale(1, '2026-11-21T19:30:00Z', [['beer', 3, 699]])] });
    assert.equal(tab.tax, 139);
    assert.equal(tab.total, 1678);
  });
});

describe('price fixes', () => {
  const fix = (n: number, from: number, to: number, recordedAt: string, extra: Partial<PriceFix> = {}): PriceFix => ({
    ...cloud, kind: 'price_fix', id: uuid(n), recordedAt, productId: 'beer', currency: 'EUR', fromUnitPrice: from, toUnitPrice: to, reason: 'menu typo', ...extra,
  });
  const sales = [sale(1, '2026-11-21T19:00:00Z', [['beer', 2, 700]]), sale(2, '2026-11-21T21:00:00Z', [['beer', 1, 700], ['beer', 1, 650]])];

  test('"beer was 7, should have been 6" is one fact for every past sale at 7', () => {
    const tab = price({ sales, priceFixes: [fix(10, 700, 600, '2026-11-22T09:00:00Z')] });
    assert.deepEqual(tab.orders.flatMap((o) => o.lines.map((l) => [l.recordedUnitPrice, l.unitPrice])), [[700, 600], [700, 600], [650, 650]]);
    assert.equal(tab.total, 1200 + 600 + 650);
  });

  test('a later fix from the same recorded price wins; fixes do not chain; orderIds narrows', () => {
    const first = fix(10, 700, 600, '2026-11-22T09:00:00Z');
    const second = fix(11, 700, 550, '2026-11-22T10:00:00Z');
    const chained = fix(12, 600, 100, '2026-11-22T11:00:00Z');
    assert.equal(price({ sales, priceFixes: [second, first, chained] }).total, 1100 + 550 + 650);
    const narrow = fix(13, 700, 500, '2026-11-22T12:00:00Z', { orderIds: [uuid(2)] });
    assert.equal(price({ sales, priceFixes: [first, narrow] }).total, 1200 + 500 + 650);
  });
});

describe('refunds, tips, voids and duplicates', () => {
  const s1 = sale(1, '2026-11-21T19:00:00Z', [['beer', 2, 700]]);
  const s2 = sale(2, '2026-11-21T19:30:00Z', [['wine', 1, 900]]);
  const refund = (n: number, orderN: number, amount: number): Refund => ({
    ...cloud, kind: 'refund', id: uuid(n), recordedAt: '2026-11-22T10:00:00Z', refundsOrderId: uuid(orderN), currency: 'EUR', amount, reason: 'spilled',
  });
  const tip = (n: number, recordedAt: string, value: Tip['value']): Tip => ({ ...cloud, recordedBy: null, kind: 'tip', id: uuid(n), bandUid: '04A22B1A', recordedAt, value });

  test('a refund comes off the total; one of a voided or unknown sale is reported, not applied', () => {
    const tab = price({ sales: [s1, s2], voids: [voidOf(3, 2)], refunds: [refund(20, 1, 300), refund(21, 2, 900), refund(22, 7, 100)] });
    assert.equal(tab.refunds, 300);
    assert.equal(tab.orders[0]!.refunded, 300);
    assert.equal(tab.total, 1100);
    assert.deepEqual(tab.unappliedRefunds.map((r) => r.reason), ['order_voided', 'unknown_order']);
  });

  test('refunds above the orders make the total negative, and only then', () => {
    assert.equal(price({ sales: [s1], refunds: [refund(20, 1, 1500)] }).total, -100);
  });

  test('the latest tip replaces the others; a percent tip is 10 % of 23.00 = 2.30', () => {
    const tips = [
      tip(31, '2026-11-22T10:00:00Z', { type: 'percent', basisPoints: 1000 }),
      tip(30, '2026-11-22T09:00:00Z', { type: 'amount', currency: 'EUR', amount: 500 }),
    ];
    const tab = price({ sales: [s1, s2], tips });
    assert.deepEqual([tab.tipId, tab.tip, tab.total], [uuid(31), 230, 2530]);
  });

  test('a fact handed in twice counts once; a void of a sale not here is listed', () => {
    const tab = price({ sales: [s1, s1, structuredClone(s1)], voids: [voidOf(3, 9), voidOf(3, 9)] });
    assert.equal(tab.total, 1400);
    assert.deepEqual(tab.unmatchedVoidIds, [uuid(3)]);
  });

  test('the same id with other content, or another currency, is refused with a code and a sentence', () => {
    const changed = { ...s1, createdAt: '2026-11-21T19:00:01Z' };
    assert.throws(() => price({ sales: [s1, changed] }), (e) => e instanceof PricingError && e.code === 'conflicting_fact' && /share the id/.test(e.message));
    assert.throws(() => price({ sales: [{ ...s1, currency: 'GBP' }] }), (e) => e instanceof PricingError && e.code === 'currency_mismatch');
    const twice: TaxRule = { eventId: 'ev', category: 'beer', basisPoints: 900, mode: 'inclusive' };
    assert.throws(() => price({ taxRules: [twice, { ...twice, basisPoints: 600 }] }), (e) => e instanceof PricingError && e.code === 'duplicate_config');
  });

  test('a product missing from the catalogue is priced without category rules and listed', () => {
    const tab = price({
      sales: [sale(1, '2026-11-21T19:00:00Z', [['mystery', 1, 500]])],
      taxRules: [{ eventId: 'ev', category: 'soft', basisPoints: 900, mode: 'exclusive' }],
    });
    assert.deepEqual([tab.total, tab.tax, tab.unknownProductIds], [500, 0, ['mystery']]);
  });
});

describe('schemas', () => {
  test('TabFact accepts each kind and refuses a fix that changes nothing or a negative tip', () => {
    const base = { ...cloud, id: uuid(1), recordedAt: '2026-11-22T10:00:00Z' };
    const fix = { ...base, kind: 'price_fix', productId: 'beer', currency: 'EUR', fromUnitPrice: 700, toUnitPrice: 600, reason: 'typo' };
    assert.equal(TabFact.parse(fix).kind, 'price_fix');
    assert.equal(TabFact.safeParse({ ...fix, toUnitPrice: 700 }).success, false);
    const tipFact = { ...base, kind: 'tip', bandUid: '04A22B1A', value: { type: 'percent', basisPoints: 1500 } };
    assert.equal(TabFact.parse(tipFact).kind, 'tip');
    assert.equal(TabFact.safeParse({ ...tipFact, value: { type: 'amount', currency: 'EUR', amount: -1 } }).success, false);
    const refundFact = { ...base, kind: 'refund', refundsOrderId: uuid(2), currency: 'EUR', amount: 100, reason: 'spilled' };
    assert.equal(TabFact.parse(refundFact).kind, 'refund');
    assert.equal(TabFact.safeParse({ ...refundFact, refundsOrderId: 'not-a-uuid' }).success, false);
  });

  test('Promotion refuses a window that ends before it starts and a bogo naming both a product and a category', () => {
    const p = { kind: 'category_percent', id: 'hh', eventId: 'ev', name: 'HH', category: 'beer', basisPoints: 2000, window: happyHour };
    assert.equal(Promotion.parse(p).kind, 'category_percent');
    assert.equal(Promotion.safeParse({ ...p, window: { from: happyHour.to, to: happyHour.from } }).success, false);
    const bogo = { kind: 'bogo', id: 'b', eventId: 'ev', name: 'B', appliesTo: { productId: 'beer', category: 'beer' } };
    assert.equal(Promotion.safeParse(bogo).success, false);
    assert.equal(Promotion.safeParse({ ...bogo, appliesTo: { category: 'beer' } }).success, true);
  });
});
