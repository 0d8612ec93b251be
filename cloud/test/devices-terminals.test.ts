import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, test } from 'node:test';
import { MAX_REPORTED_TERMINALS, type HubTerminalReport } from '@tapline/shared';
import type { DevicesResponse, DevicesTerminal } from '../src/console/api-types.ts';
import { queryRows, sqlFromText } from '../src/db/raw-sql.ts';
import { DEMO_EVENT_ID, DEMO_VENUE_ID } from '../src/seed/demo-constants.ts';
import type { RunningCloud } from '../src/start.ts';
import type { ConsoleClient } from './helpers/console.ts';
import { databaseSkipReason } from './helpers/database.ts';
import { push, sale, voidOf } from './helpers/facts.ts';
import { type Api, demoConsoleClients, useSeededCloud } from './helpers/seeded-cloud.ts';

/*
 * Devices lists every terminal of the venue: those its hubs report on their configuration pull (POST /v1/sync/pull,
 * sold or not) and those that sold in the event, whose counts ingest keeps per terminal so the screen never scans the
 * event's orders. Old hubs (GET pulls, no report) still pull; a report the cloud cannot read never stops a pull.
 */

const skip = await databaseSkipReason();
const DEVICES = `/v1/console/events/${DEMO_EVENT_ID}/devices`;
const T = { north: '0195e0a0-0000-7000-8000-00000000000a', south: '0195e0a0-0000-7000-8000-00000000000b', idle: '0195e0a0-0000-7000-8000-00000000000c' };

const report = (id: string, label: string, extra: Partial<HubTerminalReport> = {}): HubTerminalReport => ({
  id,
  label,
  pairedAt: '2026-06-01T10:00:00.000Z',
  lastSeenAt: '2026-06-01T18:00:00.000Z',
  online: true,
  ...extra,
});

describe('console Devices: every terminal, reported by its hub or known from its sales', { skip, timeout: 120_000 }, () => {
  let cloud: RunningCloud;
  let hub: Api;
  let manager: ConsoleClient;
  let viewer: ConsoleClient;

  useSeededCloud((s) => ({ cloud, hub } = s));
  before(async () => {
    ({ manager, viewer } = await demoConsoleClients(cloud));
  });

  const devices = async () => {
    const res = await viewer.get<DevicesResponse>(DEVICES);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body;
  };
  const terminal = async (id: string): Promise<DevicesTerminal | undefined> => (await devices()).terminals.find((t) => t.terminalId === id);
  const pullWith = (body: object) => hub.post('/v1/sync/pull', { v: 1, hubId: 'hub-main', cursor: 0, limit: 1, ...body });

  test('an old hub pulls by GET as before, and learns the cloud takes terminal reports', async () => {
    const res = await hub.get('/v1/sync/pull?cursor=0&limit=1');
    assert.equal(res.status, 200);
    assert.equal(res.body.takesTerminals, true);
    assert.equal(res.body.changes.length, 1);
    assert.deepEqual((await devices()).terminals, []);
  });

  test('a pull with terminals answers the same page and lists them, paired but never sold', async () => {
    const get = await hub.get('/v1/sync/pull?cursor=0&limit=3');
    const res = await pullWith({ limit: 3, terminals: [report(T.north, 'North bar'), report(T.idle, 'Spare kiosk', { online: false, lastSeenAt: null, backlog: 4 })] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body, get.body, 'the same page as the GET');

    const idle = await terminal(T.idle);
    assert.ok(idle?.reportedAt);
    assert.deepEqual(
      { ...idle, reportedAt: null },
      {
        terminalId: T.idle,
        label: 'Spare kiosk',
        hubId: 'hub-main',
        reported: true,
        lastSeenAt: null,
        online: false,
        reportedAt: null,
        backlog: 4,
        lastOrderAt: null,
        lastSeq: null,
        sales: 0,
        orders: 0,
        status: 'active',
        revokedReason: null,
      },
    );
    // A later report replaces the earlier one.
    assert.equal((await pullWith({ terminals: [report(T.idle, 'Spare kiosk (charging)', { online: true, lastSeenAt: '2026-06-01T19:00:00.000Z' })] })).status, 200);
    const again = await terminal(T.idle);
    assert.deepEqual([again?.label, again?.online, again?.lastSeenAt, again?.backlog], ['Spare kiosk (charging)', true, '2026-06-01T19:00:00.000Z', null]);
  });

  test('sales are counted at ingest: duplicates and conflicts are not, voids apart; a terminal no hub reports shows from its sales', async () => {
    const a = sale({ terminalId: T.north, seq: 1 });
    const b = sale({ terminalId: T.north, seq: 2 });
    const c = sale({ terminalId: T.south, seq: 7 });
    assert.equal((await hub.post('/v1/sync/push', push([a, b, c], 'hub-main'))).status, 200);
    // The same batch again (a retried upload) with a void behind it, then a copy of `a` with other content: only the
    // void is counted.
    const again = await hub.post('/v1/sync/push', push([a, b, voidOf(b, { seq: 3 })], 'hub-main'));
    assert.deepEqual(
      again.body.results.map((r: { status: string }) => r.status),
      ['duplicate', 'duplicate', 'stored'],
    );
    const conflict = await hub.post('/v1/sync/push', push([{ ...a, createdAt: new Date(Date.parse(a.createdAt) + 1000).toISOString() }], 'hub-main'));
    assert.equal(conflict.body.results[0].status, 'conflict');

    const north = await terminal(T.north);
    assert.deepEqual([north?.label, north?.reported, north?.sales, north?.orders, north?.lastSeq], ['North bar', true, 2, 3, 3]);
    assert.ok(north?.lastOrderAt);
    const south = await terminal(T.south);
    assert.deepEqual([south?.label, south?.hubId, south?.reported, south?.online, south?.sales, south?.lastSeq], [null, 'hub-main', false, null, 1, 7]);

    // What ingest kept equals what the migration derives from the orders themselves.
    const kept = await queryRows(cloud.database.db, sqlFromText('select event_id, terminal_id, sales::int, voids::int, last_seq from terminal_sales order by terminal_id'));
    const migration = readFileSync(new URL('../drizzle/0008_hub_terminals.sql', import.meta.url), 'utf8');
    const derive = migration.slice(migration.indexOf('SELECT "event_id"')).replace(/;\s*$/, '');
    const derived = await queryRows(cloud.database.db, sqlFromText(`select event_id, terminal_id, sales::int, voids::int, last_seq from (${derive}) d(event_id, terminal_id, venue_id, hub_id, sales, voids, last_seq, last_order_at) order by terminal_id`));
    assert.deepEqual(kept, derived);
    assert.equal(kept.length, 2);
  });

  test('revoke and restore stand on reported terminals that never sold', async () => {
    const path = `/v1/console/venues/${DEMO_VENUE_ID}/terminals/${T.idle}`;
    assert.equal((await manager.post(`${path}/revoke`, { reason: 'Left in the van' })).status, 200);
    assert.deepEqual([(await terminal(T.idle))?.status, (await terminal(T.idle))?.revokedReason], ['revoked', 'Left in the van']);
    assert.equal((await manager.post(`${path}/restore`, {})).status, 200);
    assert.equal((await terminal(T.idle))?.status, 'active');
  });

  test('a report the cloud cannot read is left out and the pull still answers; a bad envelope is a 400 with nothing written', async () => {
    const bad = [
      report('0195e0a0-0000-7000-8000-0000000000ff', 'Nul\u0000bar'),
      { ...report('0195e0a0-0000-7000-8000-0000000000fe', 'Clock'), pairedAt: 'yesterday' },
      { id: 'not an id!', label: 'Bad id' },
    ];
    const res = await pullWith({ terminals: [...bad, report(T.north, 'North bar 2')] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const list = (await devices()).terminals;
    assert.equal((list.find((t) => t.terminalId === T.north) ?? {}).label, 'North bar 2');
    assert.equal(list.filter((t) => t.terminalId.endsWith('ff') || t.terminalId.endsWith('fe')).length, 0);

    const before = (await devices()).terminals.length;
    for (const body of [
      { terminals: Array.from({ length: MAX_REPORTED_TERMINALS + 1 }, (_, i) => report(`0195e0a0-0000-7000-8000-${String(i).padStart(12, '0')}`, `K${i}`)) },
      { hubId: 'no spaces allowed', terminals: [report('0195e0a0-0000-7000-8000-0000000000fd', 'New')] },
      { cursor: -1, terminals: [] },
    ]) {
      const r = await pullWith(body);
      assert.equal(r.status, 400, JSON.stringify(body).slice(0, 80));
      assert.equal(r.body.error.code, 'invalid_body');
    }
    assert.equal((await pullWith({ v: 2 })).body.error.code, 'unsupported_version');
    assert.equal((await devices()).terminals.length, before, 'nothing written by a refused pull');
    assert.equal((await (await fetch(`${cloud.url}/v1/sync/pull`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status), 401);
  });
});
