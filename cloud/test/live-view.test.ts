import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEMO_EVENT_ID, DEMO_STAFF, DEMO_STATIONS, demoBandUid } from '../src/seed/demo-constants.ts';
import { bucketSecondsFor, liveView } from '../src/services/live-view.ts';
import type { RunningCloud } from '../src/start.ts';
import { databaseSkipReason } from './helpers/database.ts';
import { sale, voidOf } from './helpers/facts.ts';
import { tabWhere } from './helpers/jobs.ts';
import { type Api, useSeededCloud } from './helpers/seeded-cloud.ts';

const skip = await databaseSkipReason();

test('buckets: 5 minutes up to 8 hours of sales, then hours, then days, never more than 400 points', () => {
  assert.equal(bucketSecondsFor(0), 300);
  assert.equal(bucketSecondsFor(8 * 3600), 300);
  assert.equal(bucketSecondsFor(8 * 3600 + 1), 3600);
  assert.equal(bucketSecondsFor(4 * 86400), 3600);
  assert.equal(bucketSecondsFor(5 * 86400), 86400);
  assert.equal(bucketSecondsFor(1000 * 86400), 3 * 86400);
});

describe('live view of an event', { skip }, () => {
  let cloud: RunningCloud;
  let hub: Api;
  let admin: Api;

  useSeededCloud((s) => ({ cloud, hub, admin } = s));

  test('an event without uploads: zeros, no points, no hubs; an unknown event: undefined', async () => {
    const view = (await liveView(cloud.database.db, DEMO_EVENT_ID))!;
    assert.deepEqual(view.totals, { gross: 0, voids: 0, net: 0, orders: 0, voidedOrders: 0, average: 0, items: 0, tabs: 0, tips: 0, refunds: 0 });
    assert.deepEqual(view.overTime.points, []);
    assert.deepEqual([view.byProduct, view.byStation, view.byStaff, view.hubs], [[], [], [], []]);
    assert.equal(view.event.currency, 'EUR');
    assert.equal(view.event.timezone, 'Europe/Amsterdam');
    assert.equal(await liveView(cloud.database.db, 'no-such-event'), undefined);
  });

  test('exact figures for a known set of orders: voids excluded, lying clocks tamed, hubs and their backlog', async () => {
    // Two hours ago on a whole hour: the buckets below start there whatever the time of the run.
    const base = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 2 * 3_600_000;
    const at = (seconds: number) => new Date(base + seconds * 1000).toISOString();
    const bar = { stationId: DEMO_STATIONS.barMain, staffId: DEMO_STAFF.bartender.id };
    const north = { stationId: DEMO_STATIONS.barNorth, staffId: DEMO_STAFF.supervisor.id };
    const s1 = sale({ band: 1, ...bar, createdAt: at(0), lines: [{ productId: 'beer-pils', name: 'Pils 0.5 l', quantity: 2, unitPrice: 550 }] });
    const s2 = sale({ band: 1, ...bar, createdAt: at(60), lines: [{ productId: 'cocktail-mojito', name: 'Mojito', quantity: 1, unitPrice: 1100 }] });
    const s3 = sale({
      band: 2,
      ...north,
      createdAt: at(600),
      lines: [
        { productId: 'beer-ipa', name: 'IPA 0.33 l', quantity: 3, unitPrice: 650 },
        { productId: 'soft-water', name: 'Water', quantity: 1, unitPrice: 300 },
      ],
    });
    const s4 = sale({ band: 3, ...north, createdAt: at(900), lines: [{ productId: 'food-fries', name: 'Fries', quantity: 1, unitPrice: 500 }] });
    const v4 = voidOf(s4);
    const s5 = sale({
      band: 2,
      ...bar,
      // A terminal whose clock is a day ahead: the cloud's receive time stands in.
      createdAt: new Date(Date.now() + 86_400_000).toISOString(),
      lines: [{ productId: 'beer-pils', name: 'Pils 0.5 l', quantity: 1, unitPrice: 550 }],
    });
    const s6 = sale({
      band: 4,
      stationId: DEMO_STATIONS.barNorth,
      staffId: null,
      createdAt: at(1200),
      lines: [{ productId: 'soft-cola', name: 'Cola', quantity: 1, unitPrice: 350 }],
    });

    assert.equal((await hub.post('/v1/sync/push', { v: 1, hubId: 'hub-a', backlog: 7, orders: [s1, s2, s3] })).status, 200);
    assert.equal((await hub.post('/v1/sync/push', { v: 1, hubId: 'hub-a', backlog: 0, orders: [s4, v4] })).status, 200);
    // An older hub that does not report its backlog.
    assert.equal((await hub.post('/v1/sync/push', { v: 1, hubId: 'hub-b', orders: [s5, s6] })).status, 200);
    const tipped = tabWhere(cloud, DEMO_EVENT_ID, demoBandUid(1), (t) => t.tips === 200);
    assert.equal((await admin.post(`/v1/admin/events/${DEMO_EVENT_ID}/tabs/${demoBandUid(1)}/tips`, { value: { type: 'amount', amount: 200 } })).status, 201);
    await tipped;
    for (const band of [2, 3, 4]) await tabWhere(cloud, DEMO_EVENT_ID, demoBandUid(band), () => true);

    const view = (await liveView(cloud.database.db, DEMO_EVENT_ID))!;
    assert.deepEqual(view.totals, {
      gross: 1100 + 1100 + 2250 + 500 + 550 + 350,
      voids: 500,
      net: 5350,
      orders: 5,
      voidedOrders: 1,
      average: 1070,
      items: 2 + 1 + 4 + 1 + 1,
      tabs: 4,
      tips: 200,
      refunds: 0,
    });

    assert.equal(view.overTime.bucketSeconds, 300);
    const points = view.overTime.points;
    assert.deepEqual(points.slice(0, 5), [
      { at: at(0), orders: 2, net: 2200 },
      { at: at(300), orders: 0, net: 0 },
      { at: at(600), orders: 1, net: 2250 },
      { at: at(900), orders: 0, net: 0 },
      { at: at(1200), orders: 1, net: 350 },
    ]);
    // s5 lands in the bucket of now; every bucket in between is there, at zero.
    assert.deepEqual(points.at(-1)!.net, 550);
    assert.equal(points.reduce((s, p) => s + p.net, 0), 5350);
    for (let i = 1; i < points.length; i++) assert.equal(Date.parse(points[i]!.at) - Date.parse(points[i - 1]!.at), 300_000);

    assert.deepEqual(
      view.byProduct.map((r) => [r.id, r.name, r.orders, r.quantity, r.net]),
      [
        ['beer-ipa', 'IPA 0.33 l', 1, 3, 1950],
        ['beer-pils', 'Pils 0.5 l', 2, 3, 1650],
        ['cocktail-mojito', 'Mojito', 1, 1, 1100],
        ['soft-cola', 'Cola', 1, 1, 350],
        ['soft-water', 'Water', 1, 1, 300],
      ],
    );
    assert.deepEqual(
      view.byStation.map((r) => [r.id, r.name, r.orders, r.quantity, r.net]),
      [
        [DEMO_STATIONS.barMain, 'Main bar', 3, 4, 2750],
        [DEMO_STATIONS.barNorth, 'North bar', 2, 5, 2600],
      ],
    );
    assert.deepEqual(
      view.byStaff.map((r) => [r.id, r.name, r.orders, r.net]),
      [
        [DEMO_STAFF.bartender.id, DEMO_STAFF.bartender.name, 3, 2750],
        [DEMO_STAFF.supervisor.id, DEMO_STAFF.supervisor.name, 1, 2250],
        [null, 'No staff recorded', 1, 350],
      ],
    );

    assert.deepEqual(
      view.hubs.map((h) => [h.hubId, h.backlog, h.lastBatch, h.orders]),
      [
        ['hub-a', 0, 2, 5],
        ['hub-b', null, 2, 2],
      ],
    );
    for (const h of view.hubs) {
      assert.ok(h.lastUploadAt && Math.abs(Date.parse(h.lastUploadAt) - Date.now()) < 60_000, `${h.hubId} uploaded just now`);
      assert.ok(h.secondsSinceUpload !== null && h.secondsSinceUpload < 60);
    }
  });
});
