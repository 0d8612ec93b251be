import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { and, count, eq } from 'drizzle-orm';
import { auditLog, events, smsMessages } from '../src/db/schema.ts';
import { DEMO_USERS } from '../src/services/accounts-demo.ts';
import { venueCursor } from '../src/services/config-log.ts';
import { DEFAULT_RECEIPT_TEMPLATE, MAX_RECEIPT_TEMPLATE, receiptTemplateProblem, renderReceiptTemplate } from '../src/services/console-setup-sms-template.ts';
import { DEMO_EVENT_ID, DEMO_STATIONS, DEMO_VENUE_ID } from '../src/seed/demo-constants.ts';
import type { RunningCloud } from '../src/start.ts';
import type { SetupResponse } from '../src/console/api-types.ts';
import type { ConsoleClient } from './helpers/console.ts';
import { databaseSkipReason } from './helpers/database.ts';
import { push, sale } from './helpers/facts.ts';
import { nextEvent } from './helpers/jobs.ts';
import { type Api, demoConsoleClients, useSeededCloud } from './helpers/seeded-cloud.ts';

const skip = await databaseSkipReason();
const SETUP = `/v1/console/events/${DEMO_EVENT_ID}/setup`;

test('receipt wording: placeholders filled, unknown ones and a missing {link} refused, the default unchanged', () => {
  const values = { event: 'Riverside', amount: '€5.50', first_name: 'Emma', link: 'https://t.example/t/x' };
  assert.equal(renderReceiptTemplate(DEFAULT_RECEIPT_TEMPLATE, values), 'Riverside: €5.50 added to your tab. See your tab: https://t.example/t/x');
  assert.equal(renderReceiptTemplate('  Hi {first_name}, {amount}: {link} {link}  ', values), 'Hi Emma, €5.50: https://t.example/t/x https://t.example/t/x');
  assert.equal(receiptTemplateProblem('{link}'), null);
  assert.equal(receiptTemplateProblem('   '), 'Write the receipt text.');
  assert.match(receiptTemplateProblem('{amount} {name} {link}')!, /Unknown placeholder \{name\}/);
  assert.match(receiptTemplateProblem('Thanks!')!, /Keep \{link\}/);
  assert.match(receiptTemplateProblem(`{link}${'x'.repeat(MAX_RECEIPT_TEMPLATE)}`)!, /Keep the receipt text to 320 characters/);
});

describe('console Set-up: event, products, stations, taxes, promotions, SMS wording', { skip, timeout: 120_000 }, () => {
  let cloud: RunningCloud;
  let manager: ConsoleClient;
  let viewer: ConsoleClient;
  let hub: Api;

  const db = () => cloud.database.db;
  const cursor = () => venueCursor(db(), DEMO_VENUE_ID);
  const audits = async (action: string) =>
    db().select().from(auditLog).where(and(eq(auditLog.organisationId, 'demo-festivals'), eq(auditLog.action, action))).orderBy(auditLog.id);
  const auditCount = async () => Number((await db().select({ n: count() }).from(auditLog))[0]!.n);
  /** What a hub pulling from `from` gets. */
  const pulled = async (from: number) => {
    const res = await hub.get(`/v1/sync/pull?cursor=${from}`);
    assert.equal(res.status, 200);
    return res.body.changes as Array<{ seq: number; entity: { kind: string; data: Record<string, unknown> } }>;
  };
  /** A refused change: the status, a sentence, and nothing written (config log and audit log unchanged). */
  const refused = async (run: () => Promise<{ status: number; body: any }>, status: number, message: RegExp) => {
    const [c0, a0] = [await cursor(), await auditCount()];
    const res = await run();
    assert.equal(res.status, status, JSON.stringify(res.body));
    assert.match(res.body.error.message, message);
    assert.deepEqual([await cursor(), await auditCount()], [c0, a0], 'nothing written');
  };

  useSeededCloud((s) => ({ cloud, hub } = s));
  before(async () => {
    ({ manager, viewer } = await demoConsoleClients(cloud));
  });

  test('reads the event as configured: demo menu, stations, default SMS wording; viewers read too', async () => {
    const res = await viewer.get<SetupResponse>(SETUP);
    assert.equal(res.status, 200);
    const s = res.body;
    assert.equal(s.event.currency, 'EUR');
    assert.equal(s.event.timezone, 'Europe/Amsterdam');
    assert.equal(s.products.length, 14);
    assert.equal(s.products.find((p) => p.id === 'beer-pils')?.price, 550);
    assert.deepEqual(s.stations.map((x) => x.id), [DEMO_STATIONS.barMain, DEMO_STATIONS.barNorth, DEMO_STATIONS.desk]);
    assert.equal(s.sms.isDefault, true);
    assert.match(s.sms.receiptTemplate, /\{link\}/);
    assert.equal(s.config.cursor, await cursor());
  });

  test('a price change is appended to the config log, audited, and a hub pulling gets it', async () => {
    const from = await cursor();
    const res = await manager.request<SetupResponse>('PUT', `${SETUP}/products/beer-pils`, { name: 'Pils 0.5 l', category: 'Beer', price: 600, active: true });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.products.find((p) => p.id === 'beer-pils')?.price, 600);
    assert.equal(await cursor(), from + 1);
    const changes = await pulled(from);
    assert.equal(changes.length, 1);
    assert.deepEqual([changes[0]!.entity.kind, changes[0]!.entity.data.id, changes[0]!.entity.data.price], ['product', 'beer-pils', 600]);
    const [row] = await audits('setup.product_changed');
    assert.ok(row);
    assert.equal(row.target, `event:${DEMO_EVENT_ID}`);
    assert.deepEqual(row.details, { name: 'Pils 0.5 l', productId: 'beer-pils', changed: ['price'], from: '€5.50', to: '€6.00' });
    assert.equal(row.actorEmail, DEMO_USERS.manager.email);

    // The same values again change nothing: no log entry, no audit row.
    const a0 = await auditCount();
    assert.equal((await manager.request('PUT', `${SETUP}/products/beer-pils`, { name: 'Pils 0.5 l', category: 'Beer', price: 600, active: true })).status, 200);
    assert.deepEqual([await cursor(), await auditCount()], [from + 1, a0]);
  });

  test("a new product, then added to a station's menu: both reach the hub", async () => {
    const from = await cursor();
    const added = await manager.post<SetupResponse>(`${SETUP}/products`, { name: 'Alcohol-free IPA', category: 'Beer', price: 550, active: true });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    const product = added.body.products.find((p) => p.name === 'Alcohol-free IPA');
    assert.ok(product);
    assert.match(product.id, /^p-alcohol-free-ipa-[0-9a-f]{6}$/);
    const north = added.body.stations.find((x) => x.id === DEMO_STATIONS.barNorth)!;
    const menu = [product.id, ...north.productIds];
    const changed = await manager.request<SetupResponse>('PUT', `${SETUP}/stations/${DEMO_STATIONS.barNorth}`, { name: north.name, mode: 'bar', productIds: menu });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.deepEqual(changed.body.stations.find((x) => x.id === DEMO_STATIONS.barNorth)!.productIds, menu);
    const changes = await pulled(from);
    assert.deepEqual(changes.map((c) => c.entity.kind), ['product', 'station']);
    assert.deepEqual(changes[1]!.entity.data.productIds, menu);
    const [audit] = await audits('setup.station_changed');
    assert.deepEqual(audit!.details, { name: 'North bar', stationId: DEMO_STATIONS.barNorth, changed: ['productIds'], from: '12 products', to: '13 products', productsAdded: [product.id] });
    assert.equal((await audits('setup.product_added')).length, 1);
  });

  test('a new station with its menu in order', async () => {
    const res = await manager.post<SetupResponse>(`${SETUP}/stations`, { name: 'Beach bar', mode: 'bar', productIds: ['soft-water', 'beer-pils'] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const beach = res.body.stations.find((x) => x.name === 'Beach bar');
    assert.deepEqual(beach?.productIds, ['soft-water', 'beer-pils']);
    assert.equal((await audits('setup.station_added')).length, 1);
  });

  test('bad input: 400 with a sentence, nothing written', async () => {
    await refused(() => manager.request('PUT', `${SETUP}/products/beer-pils`, { name: 'Pils', category: 'Beer', price: -1, active: true }), 400, /price/);
    await refused(() => manager.post(`${SETUP}/products`, { name: '', category: 'Beer', price: 100, active: true }), 400, /name/);
    await refused(() => manager.post(`${SETUP}/stations`, { name: 'Ghost bar', mode: 'bar', productIds: ['no-such-product'] }), 400, /no-such-product is not a product/);
    await refused(() => manager.post(`${SETUP}/stations`, { name: 'Twice bar', mode: 'bar', productIds: ['beer-pils', 'beer-pils'] }), 400, /each product once/);
    await refused(() => manager.post(`${SETUP}/stations`, { name: 'Odd', mode: 'kitchen', productIds: [] }), 400, /mode/);
    const event = (await manager.get<SetupResponse>(SETUP)).body.event;
    const { id: _id, ...body } = event;
    await refused(() => manager.request('PUT', `${SETUP}/event`, { ...body, endsAt: body.startsAt }), 400, /end after it starts/);
    await refused(() => manager.request('PUT', `${SETUP}/event`, { ...body, timezone: 'Mars/Olympus' }), 400, /time zone/);
    await refused(() => manager.request('PUT', `${SETUP}/event`, { ...body, offlineBandAllowance: 12.5 }), 400, /offlineBandAllowance/);
    await refused(() => manager.request('PUT', `${SETUP}/sms`, { receiptTemplate: 'Thanks {first_name}!' }), 400, /Keep \{link\}/);
    await refused(() => manager.request('PUT', `${SETUP}/sms`, { receiptTemplate: '{total} on your tab {link}' }), 400, /Unknown placeholder \{total\}/);
    await refused(() => manager.post(`${SETUP}/taxes`, { category: 'Beer', basisPoints: 20_000, mode: 'inclusive' }), 400, /basisPoints/);
    await refused(() => manager.post(`${SETUP}/promotions`, { kind: 'category_percent', name: 'Half', category: 'Beer', basisPoints: 5000 }), 400, /window/);
    await refused(() => manager.request('PUT', `${SETUP}/products/no-such-product`, { name: 'X', category: 'Y', price: 1, active: true }), 404, /No product/);
  });

  test('viewers are refused every change (403), nothing written', async () => {
    await refused(() => viewer.request('PUT', `${SETUP}/products/beer-pils`, { name: 'Pils 0.5 l', category: 'Beer', price: 1, active: true }), 403, /Viewers/);
    await refused(() => viewer.post(`${SETUP}/stations`, { name: 'V bar', mode: 'bar', productIds: [] }), 403, /Viewers/);
    await refused(() => viewer.request('PUT', `${SETUP}/sms`, { receiptTemplate: '{link}' }), 403, /Viewers/);
  });

  test('the event: name and offline allowances change and reach the hub; the currency is fixed once sales exist', async () => {
    const s = (await manager.get<SetupResponse>(SETUP)).body;
    const { id: _id, ...body } = s.event;
    const from = await cursor();
    const res = await manager.request<SetupResponse>('PUT', `${SETUP}/event`, { ...body, name: 'Riverside Festival 2026', offlineBandAllowance: 7500 });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.event.offlineBandAllowance, 7500);
    const [row] = await db().select({ name: events.name }).from(events).where(eq(events.id, DEMO_EVENT_ID));
    assert.equal(row?.name, 'Riverside Festival 2026');
    const changes = await pulled(from);
    assert.equal(changes[0]?.entity.kind, 'event');
    assert.equal(changes[0]?.entity.data.offlineBandAllowance, 7500);
    assert.deepEqual((await audits('setup.event_changed'))[0]!.details, { name: 'Riverside Festival 2026', changed: ['name', 'offlineBandAllowance'] });

    assert.equal((await hub.post('/v1/sync/push', push([sale({ band: 1 })]))).status, 200);
    await refused(() => manager.request('PUT', `${SETUP}/event`, { ...body, name: 'Riverside Festival 2026', offlineBandAllowance: 7500, currency: 'GBP' }), 409, /currency can no longer change/);
  });

  test('taxes: set, replace, end; each audited', async () => {
    let res = await manager.post<SetupResponse>(`${SETUP}/taxes`, { category: 'Beer', basisPoints: 900, mode: 'inclusive' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    res = await manager.post<SetupResponse>(`${SETUP}/taxes`, { category: 'Beer', basisPoints: 2100, mode: 'inclusive' });
    const beer = res.body.taxRules.filter((t) => t.category === 'Beer');
    assert.deepEqual(beer.map((t) => [t.basisPoints, t.active]), [[900, false], [2100, true]]);
    const active = beer.find((t) => t.active)!;
    res = await manager.post<SetupResponse>(`${SETUP}/taxes/${active.id}/end`, {});
    assert.equal(res.status, 200);
    assert.equal(res.body.taxRules.some((t) => t.active), false);
    const sets = await audits('setup.tax_set');
    assert.deepEqual(sets.map((r) => [(r.details as Record<string, unknown>).from, (r.details as Record<string, unknown>).to]), [['Beer: none', '9 %'], ['Beer: 9 %', '21 %']]);
    assert.deepEqual((await audits('setup.tax_ended'))[0]!.details, { category: 'Beer', rate: '21 %' });
    // Ending it again changes nothing and writes nothing.
    const a0 = await auditCount();
    assert.equal((await manager.post(`${SETUP}/taxes/${active.id}/end`, {})).status, 200);
    assert.equal(await auditCount(), a0);
    await refused(() => manager.post(`${SETUP}/taxes/not-a-rule/end`, {}), 404, /No tax rule/);
  });

  test('promotions: add, edit (ends the old, adds the new), end', async () => {
    const window = { from: new Date().toISOString(), to: new Date(Date.now() + 3_600_000).toISOString() };
    let res = await manager.post<SetupResponse>(`${SETUP}/promotions`, { kind: 'category_percent', name: 'Happy hour', category: 'Beer', basisPoints: 2000, window });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const first = res.body.promotions.find((p) => p.name === 'Happy hour')!;
    assert.equal(first.active, true);
    res = await manager.request<SetupResponse>('PUT', `${SETUP}/promotions/${first.id}`, { kind: 'category_percent', name: 'Happy hour', category: 'Beer', basisPoints: 2500, window });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const happy = res.body.promotions.filter((p) => p.name === 'Happy hour');
    assert.deepEqual(happy.map((p) => [p.basisPoints, p.active]), [[2000, false], [2500, true]]);
    const second = happy.find((p) => p.active)!;
    res = await manager.post<SetupResponse>(`${SETUP}/promotions/${second.id}/end`, {});
    assert.equal(res.body.promotions.some((p) => p.active), false);
    // A fixed amount is in the event's money.
    res = await manager.post<SetupResponse>(`${SETUP}/promotions`, { kind: 'fixed_off', name: '€2 off', amount: 200 });
    assert.equal(res.body.promotions.find((p) => p.name === '€2 off')?.currency, 'EUR');
    await refused(() => manager.post(`${SETUP}/promotions`, { kind: 'fixed_off', name: '£2 off', amount: 200, currency: 'GBP' }), 400, /priced in EUR/);
    assert.deepEqual(
      [(await audits('setup.promotion_added')).length, (await audits('setup.promotion_changed')).length, (await audits('setup.promotion_ended')).length],
      [2, 1, 1],
    );
    await refused(() => manager.request('PUT', `${SETUP}/promotions/${first.id}`, { kind: 'bogo', name: 'BOGO', appliesTo: { category: 'Beer' } }), 404, /No running promotion/);
  });

  test('a new event at one of the organisation\'s venues: in the session, empty set-up, pulled by the hub', async () => {
    const from = await cursor();
    const body = {
      name: 'Winter Lights',
      currency: 'EUR',
      timezone: 'Europe/Amsterdam',
      startsAt: '2026-12-18T16:00:00.000Z',
      endsAt: '2026-12-20T23:00:00.000Z',
      offlineBandAllowance: 3000,
      offlineTerminalTotal: 200000,
      noCardAllowance: 0,
    };
    const res = await manager.post(`/v1/console/venues/${DEMO_VENUE_ID}/events`, body);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const id: string = res.body.event.id;
    assert.match(id, /^evt-winter-lights-[0-9a-f]{6}$/);
    const session = await manager.get('/v1/console/session');
    assert.ok(session.body.events.some((e: { id: string }) => e.id === id));
    const setup = await manager.get<SetupResponse>(`/v1/console/events/${id}/setup`);
    assert.deepEqual([setup.body.products, setup.body.stations, setup.body.event.name], [[], [], 'Winter Lights']);
    const changes = await pulled(from);
    assert.deepEqual(changes.map((c) => [c.entity.kind, c.entity.data.id]), [['event', id]]);
    assert.deepEqual((await audits('setup.event_created'))[0]!.details, { name: 'Winter Lights', venue: 'Riverside Festival' });
    await refused(() => manager.post('/v1/console/venues/no-such-venue/events', body), 404, /No venue/);
    await refused(() => manager.post(`/v1/console/venues/${DEMO_VENUE_ID}/events`, { ...body, currency: 'XQQ' }), 400, /currency/);
  });

  test('SMS wording: saved, audited, and the next receipt uses it', async () => {
    const template = 'Hi {first_name}, {amount} went on your {event} tab. {link}';
    const res = await manager.request<SetupResponse>('PUT', `${SETUP}/sms`, { receiptTemplate: template });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual([res.body.sms.receiptTemplate, res.body.sms.isDefault], [template, false]);
    assert.equal((await audits('setup.sms_wording_changed')).length, 1);
    const s = sale({ band: 1, lines: [{ productId: 'soft-water', name: 'Water', quantity: 1, unitPrice: 300 }] });
    const queued = nextEvent(cloud, 'sms:receipts', (r) => r.orderIds.includes(s.id));
    assert.equal((await hub.post('/v1/sync/push', push([s]))).status, 200);
    await queued;
    const [message] = await db().select().from(smsMessages).where(eq(smsMessages.orderId, s.id));
    assert.match(message!.body, /^Hi Emma, €3\.00 went on your Riverside Festival 2026 tab\. http\S+ Ref [0-9A-Z]{8}$/);
  });
});
