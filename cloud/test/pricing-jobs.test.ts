import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { newId } from '@tapline/shared';
import { sql } from 'drizzle-orm';
import { queryRows } from '../src/db/raw-sql.ts';
import { recomputeTabs } from '../src/jobs/tabs-recompute.ts';
import { DEMO_EVENT_ID, demoBandUid } from '../src/seed/demo-constants.ts';
import type { RunningCloud } from '../src/start.ts';
import { api } from './helpers/cloud.ts';
import { databaseSkipReason } from './helpers/database.ts';
import { push, sale, voidOf } from './helpers/facts.ts';
import { readTab, tabWhere } from './helpers/jobs.ts';
import { type Api, useSeededCloud } from './helpers/seeded-cloud.ts';

const skip = await databaseSkipReason();
const HOUR = 3_600_000;
const at = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

describe('order processor: promotions, taxes, refunds and tips on the tab', { skip, timeout: 120_000 }, () => {
  let cloud: RunningCloud;
  let hub: Api;
  let admin: Api;
  const events = `/v1/admin/events/${DEMO_EVENT_ID}`;

  const count = async (query: ReturnType<typeof sql>) =>
    Number((await queryRows<{ n: string | number }>(cloud.database.db, query))[0]!.n);
  // Only the queues these endpoints send to: workers keep adding jobs of their own in the background (a sale's receipt
  // job sends its SMS job whenever it runs), and a count of every queue would catch those mid-test.
  const jobsSent = () => count(sql`select count(*) as n from pgboss.job where name in ('tabs.recompute', 'tabs.recalculate-event', 'exports.build')`);
  const factsStored = () => count(sql`select count(*) as n from tab_facts`);

  useSeededCloud((s) => ({ cloud, hub, admin } = s));

  // Band 1's sales, shared by the tests below (they build on each other, in order).
  const band = demoBandUid(1);
  const inHappyHour = sale({
    band: 1,
    createdAt: at(0),
    lines: [
      { productId: 'beer-pils', name: 'Pils 0.5 l', quantity: 2, unitPrice: 550 },
      { productId: 'food-fries', name: 'Fries', quantity: 1, unitPrice: 500 },
    ],
  });
  const beforeHappyHour = sale({
    band: 1,
    createdAt: at(-3 * HOUR),
    lines: [{ productId: 'beer-ipa', name: 'IPA 0.33 l', quantity: 1, unitPrice: 650 }],
  });

  test('a category promotion and per-category taxes (exclusive and inclusive) price the tab as computed by hand', async () => {
    const promo = await admin.post(`${events}/promotions`, {
      id: 'happy-hour-beer',
      name: 'Happy hour: 20 % off beer',
      kind: 'category_percent',
      category: 'Beer',
      basisPoints: 2000,
      window: { from: at(-HOUR), to: at(HOUR) },
    });
    assert.equal(promo.status, 201, JSON.stringify(promo.body));
    assert.equal(promo.body.promotion.eventId, DEMO_EVENT_ID);
    assert.equal(promo.body.promotion.active, true);
    const beerTax = await admin.post(`${events}/tax-rules`, { category: 'Beer', basisPoints: 2100, mode: 'exclusive' });
    assert.equal(beerTax.status, 201, JSON.stringify(beerTax.body));
    assert.equal(beerTax.body.replaced, null);
    const foodTax = await admin.post(`${events}/tax-rules`, { category: 'Food', basisPoints: 900, mode: 'inclusive' });
    assert.equal(foodTax.status, 201);

    const priced = tabWhere(cloud, DEMO_EVENT_ID, band, (t) => t.sales === 2);
    await hub.post('/v1/sync/push', push([inHappyHour, beforeHappyHour]));
    const tab = await priced;
    // Pils: 2 × 5.50 = 11.00, 20 % off = 2.20, net 8.80, 21 % added = 1.848 → 1.85, line 10.65.
    // Fries: 5.00, 9 % inside = 5.00 × 900 / 10,900 = 0.4128 → 0.41, line 5.00.
    // IPA, before the happy hour: 6.50, 21 % added = 1.365 → 1.37 (half away from zero), line 7.87.
    assert.deepEqual(
      { subtotal: tab.subtotal, discounts: tab.discounts, tax: tab.tax, tips: tab.tips, refunds: tab.refunds, total: tab.total },
      { subtotal: 1100 + 500 + 650, discounts: 220, tax: 185 + 41 + 137, tips: 0, refunds: 0, total: 1065 + 500 + 787 },
    );
    const detail = (await admin.get(`${events}/tabs/${band}`)).body.tab;
    assert.deepEqual(detail.priced.discountsByPromotion, [{ promotionId: 'happy-hour-beer', amount: 220 }]);
    assert.equal(detail.priced.taxIncluded, 41);
    assert.equal(detail.priced.taxAdded, 185 + 137);

    // A new Beer rate replaces the old one in one step; the tabs are recalculated in the background.
    const repriced = tabWhere(cloud, DEMO_EVENT_ID, band, (t) => t.tax === 41 + 88 + 65);
    const newRate = await admin.post(`${events}/tax-rules`, { category: 'Beer', basisPoints: 1000, mode: 'exclusive' });
    assert.equal(newRate.status, 201);
    assert.equal(newRate.body.replaced, beerTax.body.taxRule.id);
    // 10 % of 8.80 = 0.88; of 6.50 = 0.65.
    assert.equal((await repriced).total, 880 + 88 + 500 + 650 + 65);
    const rules = (await admin.get(`${events}/tax-rules`)).body.taxRules;
    assert.deepEqual(
      rules.map((r: { category: string; basisPoints: number; active: boolean }) => [r.category, r.basisPoints, r.active]),
      [['Beer', 2100, false], ['Food', 900, true], ['Beer', 1000, true]],
    );

    // Deactivating the promotion takes its discount off every tab.
    const noPromo = tabWhere(cloud, DEMO_EVENT_ID, band, (t) => t.discounts === 0);
    const off = await admin.post(`${events}/promotions/happy-hour-beer/deactivate`, {});
    assert.equal(off.status, 200);
    assert.equal(off.body.promotion.active, false);
    assert.equal((await noPromo).total, 1100 + 110 + 500 + 650 + 65);
  });

  test('a refund and a tip are facts on the tab; the latest tip replaces the earlier one', async () => {
    const base = (await readTab(cloud, DEMO_EVENT_ID, band))!;
    const ordersTotal = base.total;
    assert.equal(ordersTotal, 2425);

    const refundId = newId();
    const refunded = tabWhere(cloud, DEMO_EVENT_ID, band, (t) => t.refunds === 300);
    const refund = await admin.post(`${events}/tabs/${band}/refunds`, {
      id: refundId,
      refundsOrderId: beforeHappyHour.id,
      amount: 300,
      reason: 'Flat beer',
    });
    assert.equal(refund.status, 201, JSON.stringify(refund.body));
    assert.equal(refund.body.refund.currency, 'EUR');
    assert.equal((await refunded).total, ordersTotal - 300);

    // The same request again (same id, same content) is recognised and counts once.
    const repeat = await admin.post(`${events}/tabs/${band}/refunds`, {
      id: refundId,
      refundsOrderId: beforeHappyHour.id,
      amount: 300,
      reason: 'Flat beer',
    });
    assert.equal(repeat.status, 200);
    assert.equal(repeat.body.refund.recordedAt, refund.body.refund.recordedAt);
    const reused = await admin.post(`${events}/tabs/${band}/refunds`, { id: refundId, refundsOrderId: beforeHappyHour.id, amount: 10, reason: 'Other' });
    assert.equal(reused.status, 409);

    // Refunds so far plus this one may not pass what the order was priced at (7.15 − 3.00 = 4.15 left).
    const tooMuch = await admin.post(`${events}/tabs/${band}/refunds`, { refundsOrderId: beforeHappyHour.id, amount: 416, reason: 'Too much' });
    assert.equal(tooMuch.status, 400);
    assert.match(tooMuch.body.error.message, /more than the €4\.15 still refundable/);

    const tipped = tabWhere(cloud, DEMO_EVENT_ID, band, (t) => t.tips === 243);
    const tip = await admin.post(`${events}/tabs/${band}/tips`, { value: { type: 'percent', basisPoints: 1000 } });
    assert.equal(tip.status, 201, JSON.stringify(tip.body));
    // 10 % of the orders total 24.25 = 2.425 → 2.43.
    assert.equal((await tipped).total, ordersTotal + 243 - 300);

    const changed = tabWhere(cloud, DEMO_EVENT_ID, band, (t) => t.tips === 500);
    const newTip = await admin.post(`${events}/tabs/${band}/tips`, { value: { type: 'amount', amount: 500 } });
    assert.equal(newTip.status, 201);
    assert.equal((await changed).total, ordersTotal + 500 - 300);

    // A voided order has nothing left to refund.
    const voided = sale({ band: 1, lines: [{ productId: 'soft-cola', name: 'Cola', quantity: 1, unitPrice: 350 }] });
    const settled = tabWhere(cloud, DEMO_EVENT_ID, band, (t) => t.voided === 1);
    await hub.post('/v1/sync/push', push([voided, voidOf(voided)]));
    await settled;
    const onVoid = await admin.post(`${events}/tabs/${band}/refunds`, { refundsOrderId: voided.id, amount: 100, reason: 'Voided' });
    assert.equal(onVoid.status, 409);
    // An order of another band is not this tab's to refund.
    const elsewhere = await admin.post(`${events}/tabs/${demoBandUid(2)}/refunds`, { refundsOrderId: beforeHappyHour.id, amount: 100, reason: 'Wrong tab' });
    assert.equal(elsewhere.status, 404);
  });

  test('recomputing from scratch is idempotent: the same job twice gives the same tab', async () => {
    const strip = (t: Awaited<ReturnType<typeof readTab>>) => ({ ...t!, updatedAt: undefined });
    const before = strip(await readTab(cloud, DEMO_EVENT_ID, band));
    const first = await recomputeTabs(cloud.database.db, DEMO_EVENT_ID, [band, band]);
    assert.deepEqual(first, { recomputed: [band], failed: [] });
    const once = strip(await readTab(cloud, DEMO_EVENT_ID, band));
    await recomputeTabs(cloud.database.db, DEMO_EVENT_ID, [band]);
    const twice = strip(await readTab(cloud, DEMO_EVENT_ID, band));
    assert.deepEqual(once, before);
    assert.deepEqual(twice, once);
    assert.equal(twice.refunds, 300, 'the refund sent twice counts once');
  });

  test('bad input is refused with a code and a sentence, and nothing is written', async () => {
    const jobs = await jobsSent();
    const facts = await factsStored();
    const promotions = (await admin.get(`${events}/promotions`)).body.promotions.length;
    const taxRules = (await admin.get(`${events}/tax-rules`)).body.taxRules.length;

    const cases: [string, unknown, RegExp][] = [
      [`${events}/promotions`, { name: 'Too good', kind: 'category_percent', category: 'Beer', basisPoints: 20_000, window: { from: at(0), to: at(HOUR) } }, /basisPoints/],
      [`${events}/promotions`, { name: 'Backwards', kind: 'category_percent', category: 'Beer', basisPoints: 100, window: { from: at(HOUR), to: at(0) } }, /window\.to: a window must end after it starts/],
      [`${events}/promotions`, { name: 'Dollars', kind: 'fixed_off', amount: 100, currency: 'USD' }, /priced in EUR/],
      [`${events}/promotions`, [1, 2], /JSON object/],
      [`${events}/tax-rules`, { category: 'Beer', basisPoints: 900, mode: 'sideways' }, /mode/],
      [`${events}/tabs/${band}/refunds`, { refundsOrderId: inHappyHour.id, amount: -5, reason: 'Negative' }, /amount/],
      [`${events}/tabs/${band}/refunds`, { refundsOrderId: 'not-an-order', amount: 5, reason: 'Bad id' }, /refundsOrderId: a UUIDv7/],
      [`${events}/tabs/not-a-band/refunds`, { refundsOrderId: inHappyHour.id, amount: 5, reason: 'Bad band' }, /bandUid/],
      [`${events}/tabs/${band}/tips`, { value: { type: 'percent', basisPoints: 10_001 } }, /basisPoints/],
      [`${events}/tabs/${band}/tips`, { value: { type: 'amount', amount: 100, currency: 'GBP' } }, /priced in EUR/],
      [`${events}/price-fixes`, { productId: 'beer-pils', fromUnitPrice: 550, toUnitPrice: 550, reason: 'No change' }, /a price fix must change the price/],
      [`${events}/price-fixes`, { productId: 'beer-pils', fromUnitPrice: 550, toUnitPrice: 500 }, /reason/],
      [`${events}/exports`, { kind: 'pdf' }, /kind/],
    ];
    for (const [path, body, message] of cases) {
      const res = await admin.post(path, body);
      assert.equal(res.status, 400, `${path} ${JSON.stringify(body)} → ${res.status}`);
      assert.equal(res.body.error.code, 'invalid_body');
      assert.match(res.body.error.message, message);
    }
    const broken = await admin.postRaw(`${events}/promotions`, '{"kind":');
    assert.equal(broken.status, 400);

    assert.equal((await admin.post('/v1/admin/events/no-such-event/price-fixes', { productId: 'x', fromUnitPrice: 1, toUnitPrice: 2, reason: 'r' })).status, 404);
    assert.equal((await api(cloud.url).post(`${events}/promotions`, {})).status, 401);
    assert.equal((await hub.post(`${events}/promotions`, {})).status, 401, 'a venue key is not head office');

    assert.equal(await jobsSent(), jobs);
    assert.equal(await factsStored(), facts);
    assert.equal((await admin.get(`${events}/promotions`)).body.promotions.length, promotions);
    assert.equal((await admin.get(`${events}/tax-rules`)).body.taxRules.length, taxRules);
    assert.equal(await count(sql`select count(*) as n from exports`), 0);
  });
});
