import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { and, eq } from 'drizzle-orm';
import type { SyncPullResponse } from '@tapline/shared';
import type { DevicesResponse, TerminalStandingResponse } from '../src/console/api-types.ts';
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
const terminalPath = (id: string, verb: 'revoke' | 'restore') => `/v1/console/venues/${DEMO_VENUE_ID}/terminals/${id}/${verb}`;

describe('console Devices: revoking a terminal', { skip, timeout: 120_000 }, () => {
  let cloud: RunningCloud;
  let manager: ConsoleClient;
  let viewer: ConsoleClient;

  const db = () => cloud.database.db;
  const audits = (action: string) =>
    db().select().from(auditLog).where(and(eq(auditLog.organisationId, 'demo-festivals'), eq(auditLog.action, action))).orderBy(auditLog.id);
  const terminal = async (id: string) => {
    const res = await viewer.get<DevicesResponse>(DEVICES);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.terminals.find((t) => t.terminalId === id);
  };
  /** Everything a hub with the venue key would pull after `cursor`. */
  const pullAll = async (cursor = 0) => {
    const hub = api(cloud.url, VENUE_KEY);
    const changes: SyncPullResponse['changes'] = [];
    for (let more = true; more; ) {
      const res = await hub.get(`/v1/sync/pull?cursor=${cursor}&limit=5000`);
      assert.equal(res.status, 200);
      const page = res.body as SyncPullResponse;
      changes.push(...page.changes);
      more = page.more;
      cursor = page.cursor;
    }
    return { changes, cursor };
  };

  useSeededCloud((s) => ({ cloud } = s));
  before(async () => {
    ({ manager, viewer } = await demoConsoleClients(cloud));
    const hub = api(cloud.url, VENUE_KEY);
    assert.equal((await hub.post('/v1/sync/push', push([sale({ terminalId: 'term-stolen', seq: 1 })], 'hub-main'))).status, 200);
  });

  test('viewers cannot revoke; a reason is required; nothing is written for a refused request', async () => {
    const { cursor } = await pullAll();
    assert.equal((await viewer.post(terminalPath('term-stolen', 'revoke'), { reason: 'Stolen' })).status, 403);
    const missing = await manager.post(terminalPath('term-stolen', 'revoke'), {});
    assert.equal(missing.status, 400);
    assert.equal((missing.body as { error: { code: string } }).error.code, 'invalid_body');
    assert.equal((await manager.post(terminalPath('term-stolen', 'revoke'), { reason: 'x'.repeat(201) })).status, 400);
    assert.equal((await pullAll(cursor)).changes.length, 0);
    assert.equal((await audits('devices.terminal_revoked')).length, 0);
    assert.equal((await terminal('term-stolen'))?.status, 'active');
  });

  test('a manager revokes: the hub pulls a terminal entity, Devices shows it revoked, the audit log has the reason', async () => {
    const { cursor } = await pullAll();
    const res = await manager.post<TerminalStandingResponse>(terminalPath('term-stolen', 'revoke'), { reason: '  Stolen from the north bar ' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body, { terminalId: 'term-stolen', status: 'revoked', reason: 'Stolen from the north bar' });
    const pulled = await pullAll(cursor);
    assert.deepEqual(
      pulled.changes.map((c) => c.entity),
      [{ kind: 'terminal', data: { id: 'term-stolen', venueId: DEMO_VENUE_ID, status: 'revoked', reason: 'Stolen from the north bar' } }],
    );
    const t = await terminal('term-stolen');
    assert.deepEqual([t?.status, t?.revokedReason, t?.orders], ['revoked', 'Stolen from the north bar', 1]);
    const [row] = await audits('devices.terminal_revoked');
    assert.equal(row?.target, `venue:${DEMO_VENUE_ID}`);
    assert.deepEqual(row?.details, { venue: 'Riverside Festival', terminalId: 'term-stolen', reason: 'Stolen from the north bar' });
  });

  test('restore appends it as active again and is audited', async () => {
    const { cursor } = await pullAll();
    const res = await manager.post<TerminalStandingResponse>(terminalPath('term-stolen', 'restore'), {});
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.status, 'active');
    const pulled = await pullAll(cursor);
    assert.deepEqual(pulled.changes.map((c) => c.entity.kind === 'terminal' && c.entity.data.status), ['active']);
    const t = await terminal('term-stolen');
    assert.deepEqual([t?.status, t?.revokedReason], ['active', null]);
    assert.equal((await audits('devices.terminal_restored')).length, 1);
  });
});
