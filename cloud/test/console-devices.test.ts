import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { and, eq } from 'drizzle-orm';
import type { DevicesResponse, VenueKeyResponse } from '../src/console/api-types.ts';
import { auditLog } from '../src/db/schema.ts';
import { DEMO_EVENT_ID, DEMO_VENUE_ID } from '../src/seed/demo-constants.ts';
import type { RunningCloud } from '../src/start.ts';
import { api, VENUE_KEY } from './helpers/cloud.ts';
import type { ConsoleClient } from './helpers/console.ts';
import { databaseSkipReason } from './helpers/database.ts';
import { push, sale } from './helpers/facts.ts';
import { demoConsoleClients, useSeededCloud } from './helpers/seeded-cloud.ts';

const skip = await databaseSkipReason();
const DEVICES = `/v1/console/events/${DEMO_EVENT_ID}/devices`;
const KEY = `/v1/console/venues/${DEMO_VENUE_ID}/key`;

describe('console Devices: the venue key, hubs and terminals', { skip, timeout: 120_000 }, () => {
  let cloud: RunningCloud;
  let manager: ConsoleClient;
  let viewer: ConsoleClient;

  const db = () => cloud.database.db;
  const devices = async () => {
    const res = await viewer.get<DevicesResponse>(DEVICES);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body;
  };
  const audits = (action: string) =>
    db().select().from(auditLog).where(and(eq(auditLog.organisationId, 'demo-festivals'), eq(auditLog.action, action))).orderBy(auditLog.id);

  useSeededCloud((s) => ({ cloud } = s));
  before(async () => {
    ({ manager, viewer } = await demoConsoleClients(cloud));
  });

  test('before any sync: a key, never seen, no hubs, no terminals', async () => {
    const d = await devices();
    assert.deepEqual(
      { ...d.venue, keySetAt: null },
      { id: DEMO_VENUE_ID, name: 'Riverside Festival', keyActive: true, keySetAt: null, keyRevokedAt: null, lastSeenAt: null, lastPullAt: null, configBehind: null },
    );
    assert.deepEqual([d.hubs, d.terminals], [[], []]);
  });

  test('a pull is recorded (last seen, config behind); pushes give hubs with their backlog and terminals with their last seq', async () => {
    const hub = api(cloud.url, VENUE_KEY);
    let pull = await hub.get('/v1/sync/pull?cursor=0&limit=5000');
    assert.equal(pull.status, 200);
    while (pull.body.more) pull = await hub.get(`/v1/sync/pull?cursor=${pull.body.cursor}&limit=5000`);
    let d = await devices();
    assert.ok(d.venue.lastPullAt);
    assert.equal(d.venue.lastSeenAt, d.venue.lastPullAt);
    assert.equal(d.venue.configBehind, 0);

    // Head office changes a price: the hub is one change behind until it pulls again.
    const changed = await manager.request('PUT', `/v1/console/events/${DEMO_EVENT_ID}/setup/products/beer-pils`, { name: 'Pils 0.5 l', category: 'Beer', price: 575, active: true });
    assert.equal(changed.status, 200);
    assert.equal((await devices()).venue.configBehind, 1);

    const orders = [sale({ terminalId: 'term-a', seq: 1 }), sale({ terminalId: 'term-a', seq: 2 }), sale({ terminalId: 'term-b', seq: 7 })];
    assert.equal((await hub.post('/v1/sync/push', { ...push(orders, 'hub-main'), backlog: 40 })).status, 200);
    d = await devices();
    assert.equal(d.hubs.length, 1);
    assert.deepEqual({ ...d.hubs[0]!, firstPushAt: 'x', lastPushAt: 'x' }, { hubId: 'hub-main', firstPushAt: 'x', lastPushAt: 'x', lastBatch: 3, backlog: 40, ordersPushed: 3 });
    assert.deepEqual(
      d.terminals.map((t) => [t.terminalId, t.hubId, t.lastSeq, t.orders]).sort(),
      [['term-a', 'hub-main', 2, 2], ['term-b', 'hub-main', 7, 1]],
    );
    assert.ok(d.venue.lastSeenAt! >= d.venue.lastPullAt!);
  });

  test('viewers cannot rotate or revoke (403) and the key keeps working', async () => {
    assert.equal((await viewer.post(KEY, {})).status, 403);
    assert.equal((await viewer.delete(KEY)).status, 403);
    assert.equal((await api(cloud.url, VENUE_KEY).get('/v1/sync/pull?cursor=0&limit=1')).status, 200);
    assert.equal((await audits('devices.venue_key_rotated')).length, 0);
  });

  test('rotating: the old key gets 401, the new one works, the audit row never holds the key', async () => {
    const res = await manager.post<VenueKeyResponse>(KEY, {});
    assert.equal(res.status, 201);
    const key = res.body.key;
    assert.match(key, /^vk_[A-Za-z0-9_-]{43}$/);
    assert.equal((await api(cloud.url, VENUE_KEY).get('/v1/sync/pull?cursor=0&limit=1')).status, 401);
    assert.equal((await api(cloud.url, key).get('/v1/sync/pull?cursor=0&limit=1')).status, 200);
    const [row] = await audits('devices.venue_key_rotated');
    assert.equal(row?.target, `venue:${DEMO_VENUE_ID}`);
    assert.ok(!JSON.stringify(row).includes(key));
    const d = await devices();
    assert.equal(d.venue.keyActive, true);
    assert.ok(d.venue.keySetAt);
  });

  test('revoking: push and pull both answer 401; creating a key again opens sync', async () => {
    const { body } = await manager.post<VenueKeyResponse>(KEY, {});
    const hub = api(cloud.url, body.key);
    assert.equal((await manager.delete(KEY)).status, 200);
    assert.equal((await hub.get('/v1/sync/pull?cursor=0&limit=1')).status, 401);
    const pushed = await hub.post('/v1/sync/push', push([sale({ terminalId: 'term-a', seq: 3 })], 'hub-main'));
    assert.equal(pushed.status, 401);
    assert.equal(pushed.body.error.code, 'unauthorized');
    const d = await devices();
    assert.equal(d.venue.keyActive, false);
    assert.ok(d.venue.keyRevokedAt);
    assert.equal(d.terminals.find((t) => t.terminalId === 'term-a')?.lastSeq, 2, 'the refused push wrote nothing');
    assert.equal((await audits('devices.venue_key_revoked')).length, 1);
    // Revoking again: nothing to revoke, nothing audited.
    assert.equal((await manager.delete(KEY)).status, 200);
    assert.equal((await audits('devices.venue_key_revoked')).length, 1);

    const created = await manager.post<VenueKeyResponse>(KEY, {});
    assert.equal(created.status, 201);
    assert.equal((await audits('devices.venue_key_created')).length, 1);
    assert.equal((await api(cloud.url, created.body.key).get('/v1/sync/pull?cursor=0&limit=1')).status, 200);
    assert.equal((await devices()).venue.keyRevokedAt, null);
  });
});
