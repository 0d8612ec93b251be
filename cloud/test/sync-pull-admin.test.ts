import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ConfigChange, type ConfigEntity, configKey } from '@tapline/shared';
import { DEMO_EVENT_ID, DEMO_VENUE_ID, demoBandUid } from '../src/seed/demo-constants.ts';
import type { RunningCloud } from '../src/start.ts';
import { api } from './helpers/cloud.ts';
import { databaseSkipReason, type TestDatabase } from './helpers/database.ts';
import { push, sale } from './helpers/facts.ts';
import { type Api, useSeededCloud } from './helpers/seeded-cloud.ts';

const skip = await databaseSkipReason();

const event = (id: string): ConfigEntity => ({
  kind: 'event',
  data: {
    id,
    name: 'Harbour Nights',
    currency: 'EUR',
    timezone: 'Europe/Amsterdam',
    startsAt: '2026-07-01T16:00:00+02:00',
    endsAt: '2026-07-02T02:00:00+02:00',
    offlineBandAllowance: 3000,
    offlineTerminalTotal: 200000,
    noCardAllowance: 2000,
  },
});
const product = (id: string, eventId: string, price: number): ConfigEntity => ({
  kind: 'product',
  data: { id, eventId, name: `Product ${id}`, category: 'Beer', price, active: true },
});

describe('configuration: admin append and hub pull', { skip }, () => {
  let target: TestDatabase;
  let cloud: RunningCloud;
  let hub: Api;
  let admin: Api;

  useSeededCloud((s) => ({ target, cloud, hub, admin } = s));

  test('healthz names the database', async () => {
    const res = await api(cloud.url).get('/healthz');
    assert.deepEqual(res, { status: 200, body: { ok: true, db: target.kind } });
  });

  test('pull pages through the seeded changes with cursor and limit', async () => {
    const seen: ConfigChange[] = [];
    let cursor = 0;
    let pages = 0;
    for (;;) {
      const res = await hub.get(`/v1/sync/pull?cursor=${cursor}&limit=7`);
      assert.equal(res.status, 200);
      assert.equal(res.body.venueId, DEMO_VENUE_ID);
      assert.ok(res.body.changes.length <= 7);
      seen.push(...res.body.changes);
      pages++;
      if (res.body.changes.length) assert.equal(res.body.cursor, res.body.changes.at(-1).seq);
      else assert.equal(res.body.cursor, cursor);
      cursor = res.body.cursor;
      if (!res.body.more) break;
    }
    // 1 event + 14 products + 3 stations + 3 staff + 10 bands, then the 10 attendees published at start.
    assert.equal(seen.length, 41);
    assert.equal(pages, Math.ceil(41 / 7));
    const seqs = seen.map((c) => c.seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
    assert.equal(new Set(seqs).size, seqs.length);
    assert.equal(seen[0]!.entity.kind, 'event');
    assert.ok(seen.some((c) => c.entity.kind === 'band' && c.entity.data.uid === demoBandUid(10)));
    const empty = await hub.get(`/v1/sync/pull?cursor=${cursor}`);
    assert.deepEqual(empty.body.changes, []);
    assert.equal(empty.body.more, false);
    assert.equal(empty.body.cursor, cursor);
  });

  test('pull rejects a bad cursor and a missing key', async () => {
    const bad = await hub.get('/v1/sync/pull?cursor=-1');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'invalid_body');
    const anon = await api(cloud.url).get('/v1/sync/pull');
    assert.equal(anon.status, 401);
  });

  test('an admin config append shows up in the next pull, and events become pushable', async () => {
    const start = (await hub.get('/v1/sync/pull?cursor=0&limit=5000')).body.cursor as number;
    const res = await admin.post(`/v1/admin/venues/${DEMO_VENUE_ID}/config`, {
      entities: [event('harbour-nights'), product('harbour-ipa', 'harbour-nights', 700), product('beer-pils', DEMO_EVENT_ID, 575)],
    });
    assert.equal(res.status, 200);
    assert.ok(res.body.cursor > start);
    const pulled = await hub.get(`/v1/sync/pull?cursor=${start}`);
    assert.deepEqual(
      pulled.body.changes.map((c: ConfigChange) => `${c.entity.kind}:${configKey(c.entity)}`),
      ['event:harbour-nights', 'product:harbour-ipa', 'product:beer-pils'],
    );
    assert.equal(pulled.body.cursor, res.body.cursor);
    assert.equal(pulled.body.changes[2].entity.data.price, 575);
    const order = sale({ eventId: 'harbour-nights' });
    const pushed = await hub.post('/v1/sync/push', push([order]));
    assert.equal(pushed.body.results[0].status, 'stored');
  });

  test('a config append with one bad entity writes nothing', async () => {
    const start = (await hub.get('/v1/sync/pull?cursor=0&limit=5000')).body.cursor as number;
    const bad = await admin.post(`/v1/admin/venues/${DEMO_VENUE_ID}/config`, {
      entities: [product('ok-one', DEMO_EVENT_ID, 100), product('bad-price', DEMO_EVENT_ID, -5)],
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'invalid_body');
    assert.match(bad.body.error.message, /entities\.1/);
    const orphan = await admin.post(`/v1/admin/venues/${DEMO_VENUE_ID}/config`, {
      entities: [product('ok-two', DEMO_EVENT_ID, 100), product('lost', 'no-such-event', 100)],
    });
    assert.equal(orphan.status, 400);
    assert.match(orphan.body.error.message, /no-such-event/);
    const after = await hub.get(`/v1/sync/pull?cursor=${start}`);
    assert.deepEqual(after.body.changes, []);
  });

  test('admin creates a venue whose key works once shown, and guards its routes', async () => {
    const created = await admin.post('/v1/admin/venues', { id: 'canal-club', name: 'Canal Club' });
    assert.equal(created.status, 201);
    assert.deepEqual(created.body.venue, { id: 'canal-club', name: 'Canal Club' });
    assert.equal(typeof created.body.key, 'string');
    const again = await admin.post('/v1/admin/venues', { id: 'canal-club', name: 'Canal Club' });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'conflict');

    const canal = api(cloud.url, created.body.key);
    const appended = await admin.post('/v1/admin/venues/canal-club/config', { entities: [event('canal-opening')] });
    assert.equal(appended.status, 200);
    const pulled = await canal.get('/v1/sync/pull');
    assert.equal(pulled.body.venueId, 'canal-club');
    assert.deepEqual(pulled.body.changes.map((c: ConfigChange) => c.entity.kind), ['event']);
    // One venue cannot claim another's event, nor push to it.
    const steal = await admin.post('/v1/admin/venues/canal-club/config', { entities: [event(DEMO_EVENT_ID)] });
    assert.equal(steal.status, 409);
    const foreign = await canal.post('/v1/sync/push', push([sale()]));
    assert.equal(foreign.body.results[0].status, 'invalid');

    assert.equal((await hub.post('/v1/admin/venues', { id: 'x', name: 'X' })).status, 401);
    assert.equal((await admin.post('/v1/admin/venues', { id: 'bad id!', name: 'X' })).status, 400);
    assert.equal((await admin.post('/v1/admin/venues/nope/config', { entities: [event('e-x')] })).status, 404);
  });
});
