import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { computeTab } from '@tapline/shared';
import { and, eq, sql } from 'drizzle-orm';
import { queryRows } from '../src/db/raw-sql.ts';
import { tabs } from '../src/db/schema.ts';
import { DEMO_EVENT_ID, demoBandUid } from '../src/seed/demo-constants.ts';
import type { RunningCloud } from '../src/start.ts';
import { ADMIN_TOKEN, api, tabRecomputed } from './helpers/cloud.ts';
import { databaseSkipReason } from './helpers/database.ts';
import { push, sale, voidOf } from './helpers/facts.ts';
import { type Api, useSeededCloud } from './helpers/seeded-cloud.ts';

const skip = await databaseSkipReason();

describe('tabs.recompute job, event orders and summary', { skip }, () => {
  let cloud: RunningCloud;
  let hub: Api;

  const tabOf = async (band: string) =>
    (await cloud.database.db.select().from(tabs).where(and(eq(tabs.eventId, DEMO_EVENT_ID), eq(tabs.bandUid, band))))[0];

  useSeededCloud((s) => ({ cloud, hub } = s));

  test('a push enqueues a recompute and the tab equals its facts, void included', async () => {
    const band = demoBandUid(1);
    const beer = sale({ band: 1 });
    const cocktails = sale({ band: 1, lines: [{ productId: 'cocktail-mojito', name: 'Mojito', quantity: 3, unitPrice: 1100 }] });
    const fries = sale({ band: 1, lines: [{ productId: 'food-fries', name: 'Fries', quantity: 1, unitPrice: 500 }] });
    const other = sale({ band: 2 });
    const firstDone = tabRecomputed(cloud, DEMO_EVENT_ID, band);
    await hub.post('/v1/sync/push', push([beer, cocktails, fries, other]));
    await firstDone;
    const first = (await tabOf(band))!;
    assert.deepEqual(
      { eventId: first.eventId, bandUid: first.bandUid, total: first.total, sales: first.sales, voided: first.voided, currency: first.currency },
      { eventId: DEMO_EVENT_ID, bandUid: band, total: 1100 + 3300 + 500, sales: 3, voided: 0, currency: 'EUR' },
    );

    // The void arrives in a later batch: the tab drops the voided sale.
    const cancel = voidOf(cocktails);
    const secondDone = tabRecomputed(cloud, DEMO_EVENT_ID, band);
    await hub.post('/v1/sync/push', push([cancel]));
    await secondDone;
    const expected = computeTab([beer, cocktails, fries, cancel]);
    const tab = await tabOf(band);
    assert.deepEqual({ total: tab!.total, sales: tab!.sales, voided: tab!.voided }, expected);
    assert.equal(expected.total, 1600);
    assert.equal((await tabOf(demoBandUid(2)))!.total, other.total);
  });

  test('a batch of duplicates enqueues nothing new', async () => {
    const s = sale({ band: 3 });
    const done = tabRecomputed(cloud, DEMO_EVENT_ID, demoBandUid(3));
    await hub.post('/v1/sync/push', push([s]));
    await done;
    // Every job ever sent is still in pgboss.job (completed jobs are archived only after hours).
    const jobsSent = async () =>
      Number((await queryRows<{ n: string | number }>(cloud.database.db, sql`select count(*) as n from pgboss.job where name = 'tabs.recompute'`))[0]!.n);
    const before = await jobsSent();
    assert.ok(before >= 1);
    const repeat = await hub.post('/v1/sync/push', push([s]));
    assert.equal(repeat.body.results[0].status, 'duplicate');
    assert.equal(await jobsSent(), before);
    await hub.post('/v1/sync/push', push([s, sale({ band: 3 }), sale({ band: 4 })]));
    assert.equal(await jobsSent(), before + 1, 'one job per batch, not per order');
  });

  test('summary counts orders, sales and voids, and totals the sales not voided', async () => {
    const admin = api(cloud.url, ADMIN_TOKEN);
    const s1 = sale({ band: 4 });
    const s2 = sale({ band: 5, lines: [{ productId: 'wine-red', name: 'House red', quantity: 2, unitPrice: 600 }] });
    const v1 = voidOf(s1);
    const v1Again = voidOf(s1, { reason: 'Second supervisor also voided it' });
    const beforeRes = await admin.get(`/v1/events/${DEMO_EVENT_ID}/summary`);
    assert.equal(beforeRes.status, 200);
    await hub.post('/v1/sync/push', push([s1, s2, v1, v1Again]));
    const res = await hub.get(`/v1/events/${DEMO_EVENT_ID}/summary`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {
      eventId: DEMO_EVENT_ID,
      currency: 'EUR',
      orders: beforeRes.body.orders + 4,
      sales: beforeRes.body.sales + 2,
      voids: beforeRes.body.voids + 2,
      total: beforeRes.body.total + 1200,
    });
  });

  test('event orders page by id for the venue and the admin, and are hidden from others', async () => {
    const admin = api(cloud.url, ADMIN_TOKEN);
    const all: { id: string }[] = [];
    let after: string | null = null;
    do {
      const res = await admin.get(`/v1/events/${DEMO_EVENT_ID}/orders?limit=3${after ? `&after=${after}` : ''}`);
      assert.equal(res.status, 200);
      assert.ok(res.body.orders.length <= 3);
      all.push(...res.body.orders);
      after = res.body.next;
    } while (after);
    const summary = (await admin.get(`/v1/events/${DEMO_EVENT_ID}/summary`)).body;
    assert.equal(all.length, summary.orders);
    const ids = all.map((o) => o.id);
    assert.deepEqual(ids, [...ids].sort());
    const venuePage = await hub.get(`/v1/events/${DEMO_EVENT_ID}/orders?limit=2`);
    assert.deepEqual(venuePage.body.orders.map((o: { id: string }) => o.id), ids.slice(0, 2));

    const other = await admin.post('/v1/admin/venues', { id: 'elsewhere', name: 'Elsewhere' });
    const stranger = api(cloud.url, other.body.key);
    assert.equal((await stranger.get(`/v1/events/${DEMO_EVENT_ID}/summary`)).status, 404);
    assert.equal((await stranger.get(`/v1/events/${DEMO_EVENT_ID}/orders`)).status, 404);
    assert.equal((await api(cloud.url).get(`/v1/events/${DEMO_EVENT_ID}/orders`)).status, 401);
    const badAfter = await admin.get(`/v1/events/${DEMO_EVENT_ID}/orders?after=nope`);
    assert.equal(badAfter.status, 400);
  });
});
