import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { RunningCloud } from '../src/start.ts';
import { DEMO_EVENT_ID } from '../src/seed/demo-constants.ts';
import { api, VENUE_KEY } from './helpers/cloud.ts';
import { databaseSkipReason } from './helpers/database.ts';
import { push } from './helpers/facts.ts';
import { at, block, freshBandUid, pairing, signup } from './helpers/registration.ts';
import { type Api, useSeededCloud } from './helpers/seeded-cloud.ts';

const skip = await databaseSkipReason();
const path = `/v1/admin/events/${DEMO_EVENT_ID}/registration-conflicts`;

describe('GET /v1/admin/events/:eventId/registration-conflicts', { skip }, () => {
  let cloud: RunningCloud;
  let hub: Api;
  let admin: Api;
  const a = signup({ firstName: 'Anna' });
  const b = signup({ firstName: 'Bram' });
  const [x, y, z] = [freshBandUid(), freshBandUid(), freshBandUid()];
  // x: Anna at 1, Bram at 2 → Bram's loses the band. Anna: x at 1, y at 3 → y loses the attendee. z: blocked at 4, paired at 5.
  const ax = pairing(x, a.attendee.id, { createdAt: at(1) });
  const bx = pairing(x, b.attendee.id, { createdAt: at(2) });
  const ay = pairing(y, a.attendee.id, { createdAt: at(3) });
  const zBlock = block(z, { createdAt: at(4) });
  const bz = pairing(z, b.attendee.id, { createdAt: at(5) });

  useSeededCloud((s) => ({ cloud, hub, admin } = s));
  before(async () => {
    for (const batch of [[a, b, ay, bx], [ax], [zBlock, bz]]) {
      const res = await hub.post('/v1/sync/push', push(batch));
      assert.ok(res.body.results.every((r: { status: string }) => r.status === 'stored'));
    }
  });

  test('lists each losing pairing with both facts, the kind, the winner and the times', async () => {
    const res = await admin.get(path);
    assert.equal(res.status, 200);
    assert.equal(res.body.total, 3);
    assert.equal(res.body.next, null);
    const byLoser = new Map(res.body.conflicts.map((c: { loser: { id: string } }) => [c.loser.id, c]));
    const band = byLoser.get(bx.id) as any;
    assert.equal(band.kind, 'band_two_attendees');
    assert.equal(band.bandUid, x);
    assert.equal(band.attendeeId, b.attendee.id);
    assert.equal(band.winner.id, ax.id);
    assert.deepEqual(band.loser.body, bx);
    assert.deepEqual(band.winner.body, ax);
    assert.equal(band.loser.createdAt, bx.createdAt);
    assert.equal(band.loser.kind, 'pairing');
    assert.equal(band.loser.hubId, 'hub-test');
    assert.equal(band.loser.terminalId, 'desk-test');
    assert.ok(!Number.isNaN(Date.parse(band.loser.receivedAt)));
    assert.ok(!Number.isNaN(Date.parse(band.detectedAt)));
    assert.ok(Date.parse(band.updatedAt) >= Date.parse(band.detectedAt));
    const attendee = byLoser.get(ay.id) as any;
    assert.equal(attendee.kind, 'attendee_two_bands');
    assert.equal(attendee.winner.id, ax.id);
    const blocked = byLoser.get(bz.id) as any;
    assert.equal(blocked.kind, 'band_blocked');
    assert.equal(blocked.winner.id, zBlock.id);
    assert.equal(blocked.winner.kind, 'block');
    assert.deepEqual(blocked.winner.body, zBlock);
    // Newest first.
    const times = res.body.conflicts.map((c: { detectedAt: string }) => Date.parse(c.detectedAt));
    assert.deepEqual(times, [...times].sort((p: number, q: number) => q - p));
  });

  test('filters by kind and pages with next', async () => {
    const only = await admin.get(`${path}?kind=band_blocked`);
    assert.equal(only.status, 200);
    assert.deepEqual(only.body.conflicts.map((c: { loser: { id: string } }) => c.loser.id), [bz.id]);
    assert.equal(only.body.total, 1);
    const seen: string[] = [];
    let next: string | null = null;
    do {
      const page: { status: number; body: any } = await admin.get(`${path}?limit=1${next ? `&before=${encodeURIComponent(next)}` : ''}`);
      assert.equal(page.status, 200);
      assert.ok(page.body.conflicts.length <= 1);
      seen.push(...page.body.conflicts.map((c: { loser: { id: string } }) => c.loser.id));
      next = page.body.next;
    } while (next);
    assert.deepEqual(seen.sort(), [bx.id, ay.id, bz.id].sort());
  });

  test('refuses bad input and callers without the admin token', async () => {
    for (const q of ['?limit=0', '?limit=abc', '?limit=501', '?kind=other', '?before=nonsense', '?unknown=1']) {
      const res = await admin.get(path + q);
      assert.equal(res.status, 400, q);
      assert.equal(res.body.error.code, 'invalid_body', q);
      assert.equal(typeof res.body.error.message, 'string');
    }
    const missing = await admin.get('/v1/admin/events/no-such-event/registration-conflicts');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'not_found');
    assert.equal((await api(cloud.url).get(path)).status, 401);
    assert.equal((await api(cloud.url, VENUE_KEY).get(path)).status, 401);
  });
});
