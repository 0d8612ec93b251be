import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ConfigEntity, DeskAttendee, Wristband } from '@tapline/shared';
import { and, count, eq } from 'drizzle-orm';
import fc from 'fast-check';
import { attendees, bands, orderConflicts, orders, registrationConflicts, registrationFacts } from '../src/db/schema.ts';
import { DEMO_EVENT_ID, DEMO_VENUE_ID, demoAttendeeId, demoBandUid } from '../src/seed/demo-constants.ts';
import { readConfig, venueCursor } from '../src/services/config-log.ts';
import type { RunningCloud } from '../src/start.ts';
import { databaseSkipReason } from './helpers/database.ts';
import { push, sale } from './helpers/facts.ts';
import { at, block, freshBandUid, pairing, signup } from './helpers/registration.ts';
import { type Api, useSeededCloud } from './helpers/seeded-cloud.ts';

const skip = await databaseSkipReason();

describe('registration facts through POST /v1/sync/push', { skip }, () => {
  let cloud: RunningCloud;
  let hub: Api;
  let admin: Api;

  useSeededCloud((s) => ({ cloud, hub, admin } = s), { publicUrl: 'https://cloud.example' });

  const db = () => cloud.database.db;
  const cursor = () => venueCursor(db(), DEMO_VENUE_ID);
  /** The config entities appended after `from`, in log order. */
  const changesSince = async (from: number): Promise<ConfigEntity[]> => (await readConfig(db(), DEMO_VENUE_ID, from, 10_000)).changes.map((c) => c.entity);
  const bandEntities = (list: ConfigEntity[], uid: string) => list.filter((e): e is { kind: 'band'; data: Wristband } => e.kind === 'band' && e.data.uid === uid).map((e) => e.data);
  const attendeeEntities = (list: ConfigEntity[], id: string) =>
    list.filter((e): e is { kind: 'attendee'; data: DeskAttendee } => e.kind === 'attendee' && e.data.id === id).map((e) => e.data);
  const bandRow = async (uid: string) => (await db().select().from(bands).where(and(eq(bands.eventId, DEMO_EVENT_ID), eq(bands.uid, uid))))[0];
  const conflictsOf = (loserId: string) => db().select().from(registrationConflicts).where(eq(registrationConflicts.loserFactId, loserId));
  const send = async (facts: unknown[]) => {
    const res = await hub.post('/v1/sync/push', push(facts));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.results as { id: string; status: string; error?: { code: string; message: string } }[];
  };

  test('the seeded attendees were published at start with a confirmation code and a signed card link', async () => {
    const list = await changesSince(0);
    const published = list.filter((e) => e.kind === 'attendee');
    assert.equal(published.length, 10);
    const [first] = published as { kind: 'attendee'; data: DeskAttendee }[];
    assert.match(first!.data.confirmationCode!, /^[A-Z0-9]{8}$/);
    assert.match(first!.data.cardUrl!, /^https:\/\/cloud\.example\/card\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    assert.equal(Object.hasOwn(first!.data, 'stripeCustomerId'), false);
    const codes = new Set(published.map((e) => (e.data as DeskAttendee).confirmationCode));
    assert.equal(codes.size, 10);
  });

  test('a signup creates its attendee once and sends it down; a resend is a duplicate, other content a conflict', async () => {
    const from = await cursor();
    const s = signup({ firstName: 'Noor', lastName: 'Bakker', email: 'noor@example.com', phone: '+31612345678', smsConsent: true });
    assert.deepEqual(await send([s]), [{ id: s.id, status: 'stored' }]);
    const [row] = await db().select().from(attendees).where(and(eq(attendees.eventId, DEMO_EVENT_ID), eq(attendees.id, s.attendee.id)));
    assert.equal(row!.firstName, 'Noor');
    assert.equal(row!.phone, '+31612345678');
    assert.equal(row!.smsConsent, true);
    assert.equal(row!.cardStatus, 'none');
    assert.match(row!.confirmationCode!, /^[A-Z0-9]{8}$/);
    const [sent] = attendeeEntities(await changesSince(from), s.attendee.id);
    assert.deepEqual(sent, {
      id: s.attendee.id,
      eventId: DEMO_EVENT_ID,
      firstName: 'Noor',
      lastName: 'Bakker',
      email: 'noor@example.com',
      phone: '+31612345678',
      smsConsent: true,
      cardStatus: 'none',
      cardLast4: null,
      confirmationCode: row!.confirmationCode,
      cardUrl: sent!.cardUrl,
    });
    assert.ok(sent!.cardUrl!.startsWith('https://cloud.example/card/'));

    const again = await cursor();
    assert.deepEqual(await send([s]), [{ id: s.id, status: 'duplicate' }]);
    assert.equal(await cursor(), again, 'a duplicate appends nothing');
    const forged = { ...s, attendee: { ...s.attendee, firstName: 'Mallory' } };
    const [conflict] = await send([forged]);
    assert.equal(conflict!.status, 'conflict');
    assert.match(conflict!.error!.message, /Registration fact .* other content/);
    const kept = await db().select().from(orderConflicts).where(eq(orderConflicts.orderId, s.id));
    assert.equal(kept.length, 1);
    const [unchanged] = await db().select().from(attendees).where(eq(attendees.id, s.attendee.id));
    assert.equal(unchanged!.firstName, 'Noor');
    const [n] = await db().select({ n: count() }).from(registrationFacts).where(eq(registrationFacts.id, s.id));
    assert.equal(n!.n, 1);
  });

  test('a pairing pairs the band in the projection and in the config log, with the attendee name and card flag', async () => {
    const s = signup({ firstName: 'Ilse' });
    const uid = freshBandUid();
    const p = pairing(uid, s.attendee.id);
    const from = await cursor();
    assert.deepEqual(await send([s, p]), [
      { id: s.id, status: 'stored' },
      { id: p.id, status: 'stored' },
    ]);
    const expected: Wristband = { uid, eventId: DEMO_EVENT_ID, attendeeId: s.attendee.id, firstName: 'Ilse', status: 'active', hasCard: false, tabLimit: null };
    assert.deepEqual(bandEntities(await changesSince(from), uid), [expected]);
    const row = await bandRow(uid);
    assert.equal(row!.attendeeId, s.attendee.id);
    assert.deepEqual(row!.data, expected);
    // Not an order: the tab jobs and every reader of orders never see it.
    const [o] = await db().select({ n: count() }).from(orders).where(eq(orders.id, p.id));
    assert.equal(o!.n, 0);
  });

  test('a pairing that arrives before its signup: the band gets the name when the signup comes', async () => {
    const s = signup({ firstName: 'Late' });
    const uid = freshBandUid();
    const p = pairing(uid, s.attendee.id);
    const from = await cursor();
    await send([p]);
    assert.deepEqual(
      bandEntities(await changesSince(from), uid).map((b) => [b.attendeeId, b.firstName]),
      [[s.attendee.id, null]],
    );
    await send([s]);
    assert.deepEqual(
      bandEntities(await changesSince(from), uid).map((b) => [b.attendeeId, b.firstName]),
      [
        [s.attendee.id, null],
        [s.attendee.id, 'Late'],
      ],
    );
  });

  test('a block blocks the band for ever; a pairing made after it loses (band_blocked), one made before it holds', async () => {
    const a = signup({ firstName: 'Before' });
    const b = signup({ firstName: 'After' });
    const uid = freshBandUid();
    const early = pairing(uid, a.attendee.id, { createdAt: at(0) });
    const blk = block(uid, { createdAt: at(10) });
    const late = pairing(uid, b.attendee.id, { createdAt: at(20) });
    // Arrival order: the late pairing first, the block last.
    await send([a, b, late]);
    assert.equal((await bandRow(uid))!.attendeeId, b.attendee.id);
    await send([early]);
    await send([blk]);
    const row = await bandRow(uid);
    assert.equal(row!.status, 'blocked');
    assert.equal(row!.attendeeId, a.attendee.id, 'the pairing before the block keeps the band (and its tab)');
    const [c] = await conflictsOf(late.id);
    assert.equal(c!.kind, 'band_blocked');
    assert.equal(c!.winnerFactId, blk.id);
    // A block of a band the cloud never saw still reaches the venue.
    const unknown = freshBandUid();
    const from = await cursor();
    await send([block(unknown)]);
    assert.deepEqual(bandEntities(await changesSince(from), unknown), [
      { uid: unknown, eventId: DEMO_EVENT_ID, attendeeId: null, firstName: null, status: 'blocked', hasCard: false, tabLimit: null },
    ]);
  });

  test('one band, two attendees: the earliest pairing wins, the other is kept as band_two_attendees', async () => {
    const a = signup({ firstName: 'Anna' });
    const b = signup({ firstName: 'Bram' });
    const uid = freshBandUid();
    const pa = pairing(uid, a.attendee.id, { createdAt: at(5) });
    const pb = pairing(uid, b.attendee.id, { createdAt: at(3) });
    await send([a, b, pa]);
    assert.equal((await bandRow(uid))!.attendeeId, a.attendee.id);
    assert.equal((await conflictsOf(pa.id)).length, 0);
    await send([pb]);
    assert.equal((await bandRow(uid))!.attendeeId, b.attendee.id, 'the earlier pairing, though it arrived later');
    const [c] = await conflictsOf(pa.id);
    assert.equal(c!.kind, 'band_two_attendees');
    assert.equal(c!.winnerFactId, pb.id);
    assert.equal((await conflictsOf(pb.id)).length, 0);
  });

  test('one attendee, two bands: the earliest wins, the other band is left unpaired (attendee_two_bands)', async () => {
    const a = signup({ firstName: 'Cas' });
    const [u1, u2] = [freshBandUid(), freshBandUid()];
    const p1 = pairing(u1, a.attendee.id, { createdAt: at(1) });
    const p2 = pairing(u2, a.attendee.id, { createdAt: at(2) });
    await send([a, p2]);
    assert.equal((await bandRow(u2))!.attendeeId, a.attendee.id);
    const from = await cursor();
    await send([p1]);
    assert.equal((await bandRow(u1))!.attendeeId, a.attendee.id);
    assert.equal((await bandRow(u2))!.attendeeId, null);
    assert.deepEqual(
      bandEntities(await changesSince(from), u2).map((b) => [b.attendeeId, b.firstName, b.status]),
      [[null, null, 'active']],
    );
    const [c] = await conflictsOf(p2.id);
    assert.equal(c!.kind, 'attendee_two_bands');
    assert.equal(c!.winnerFactId, p1.id);
  });

  test('a lost band: block, then a replacement pairing keeps both bands on the attendee without a conflict', async () => {
    const a = signup({ firstName: 'Dirk' });
    const [oldUid, newUid] = [freshBandUid(), freshBandUid()];
    const first = pairing(oldUid, a.attendee.id, { createdAt: at(0) });
    const lost = block(oldUid, { createdAt: at(30) });
    const replacement = pairing(newUid, a.attendee.id, { createdAt: at(31), replacesBandUid: oldUid });
    await send([replacement, lost, a, first]);
    const oldRow = await bandRow(oldUid);
    const newRow = await bandRow(newUid);
    assert.deepEqual([oldRow!.attendeeId, oldRow!.status], [a.attendee.id, 'blocked']);
    assert.deepEqual([newRow!.attendeeId, newRow!.status], [a.attendee.id, 'active']);
    for (const f of [first, replacement]) assert.equal((await conflictsOf(f.id)).length, 0);
  });

  test('a card that becomes ready (PUT attendees) re-sends the attendee and their bands with hasCard', async () => {
    const s = signup({ firstName: 'Eva' });
    const uid = freshBandUid();
    await send([s, pairing(uid, s.attendee.id)]);
    const from = await cursor();
    const res = await admin.put(`/v1/admin/events/${DEMO_EVENT_ID}/attendees`, {
      attendees: [
        {
          id: s.attendee.id,
          firstName: 'Eva',
          lastName: 'Person',
          email: null,
          phone: null,
          smsConsent: false,
          card: { status: 'ready', stripeCustomerId: 'cus_1', stripePaymentMethodId: 'pm_1', last4: '4242' },
        },
      ],
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const list = await changesSince(from);
    const [sent] = attendeeEntities(list, s.attendee.id);
    assert.equal(sent!.cardStatus, 'ready');
    assert.equal(sent!.cardLast4, '4242');
    assert.doesNotMatch(JSON.stringify(sent), /cus_1|pm_1/);
    assert.deepEqual(
      bandEntities(list, uid).map((b) => b.hasCard),
      [true],
    );
    // The same attendee again: the attendee entity is re-sent, the band is not (nothing about it changed).
    const from2 = await cursor();
    const card = { status: 'ready', stripeCustomerId: 'cus_1', stripePaymentMethodId: 'pm_1', last4: '4242' };
    const again = await admin.put(`/v1/admin/events/${DEMO_EVENT_ID}/attendees`, {
      attendees: [{ id: s.attendee.id, firstName: 'Eva', lastName: 'Person', email: null, phone: null, smsConsent: true, card }],
    });
    assert.equal(again.status, 200);
    const list2 = await changesSince(from2);
    assert.equal(attendeeEntities(list2, s.attendee.id).length, 1);
    assert.equal(bandEntities(list2, uid).length, 0);
    // The confirmation code never changes once given.
    assert.equal(attendeeEntities(list2, s.attendee.id)[0]!.confirmationCode, sent!.confirmationCode);
  });

  test('bad input: a bad registration item is refused alone, the valid ones beside it are applied', async () => {
    const s = signup({ firstName: 'Good' });
    const badBand = { ...pairing('not-a-uid', s.attendee.id) };
    const otherEvent = { ...block(freshBandUid()), eventId: 'someone-elses-event' };
    const nul = signup({ firstName: 'Bad\u0000name' });
    const results = await send([badBand, s, otherEvent, nul]);
    assert.equal(results[0]!.status, 'invalid');
    assert.equal(results[0]!.error!.code, 'invalid_item');
    assert.match(results[0]!.error!.message, /bandUid/);
    assert.deepEqual(results[1], { id: s.id, status: 'stored' });
    assert.equal(results[2]!.status, 'invalid');
    assert.match(results[2]!.error!.message, /not an event of this venue/);
    assert.equal(results[3]!.status, 'invalid');
    const [n] = await db().select({ n: count() }).from(registrationFacts).where(eq(registrationFacts.id, badBand.id));
    assert.equal(n!.n, 0);
    const [made] = await db().select({ n: count() }).from(attendees).where(eq(attendees.id, nul.attendee.id));
    assert.equal(made!.n, 0);
  });

  test('hostile registration items: never a 5xx, each refused alone, nothing of a refused item written', async () => {
    const junk = fc.oneof(fc.string({ maxLength: 80 }), fc.integer(), fc.constant(null), fc.boolean(), fc.object({ maxDepth: 1 }), fc.constant('\u0000'), fc.constant('0000-01-01T00:00:00Z'));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('signup', 'pairing', 'block'),
        fc.constantFrom('id', 'seq', 'eventId', 'createdAt', 'kind', 'bandUid', 'attendeeId', 'replacesBandUid', 'reason', 'attendee', 'offline', 'extra'),
        junk,
        async (kind, field, value) => {
          const s = signup();
          const uid = freshBandUid();
          const fact: Record<string, unknown> = { ...(kind === 'signup' ? s : kind === 'pairing' ? pairing(uid, s.attendee.id) : block(uid)) };
          fact[field] = value;
          const good = signup();
          const res = await hub.post('/v1/sync/push', push([fact, good]));
          assert.equal(res.status, 200, JSON.stringify(res.body));
          const [r, g] = res.body.results;
          assert.deepEqual(g, { id: good.id, status: 'stored' });
          assert.ok(['stored', 'invalid'].includes(r.status), JSON.stringify(r));
          if (r.status === 'invalid') {
            assert.equal(r.error.code, 'invalid_item');
            if (typeof fact.id === 'string' && /^[0-9a-f-]{36}$/.test(fact.id)) {
              const [n] = await db().select({ n: count() }).from(registrationFacts).where(eq(registrationFacts.id, fact.id));
              assert.equal(n!.n, 0);
            }
          }
        },
      ),
      { numRuns: Number(process.env.TAPLINE_FUZZ_RUNS ?? 40) },
    );
  });

  test('one id space: a registration fact reusing a sale id is a conflict, never a second fact', async () => {
    const s = sale({ band: 2 });
    await send([s]);
    const p = { ...pairing(demoBandUid(2), 'someone'), id: s.id };
    const [r] = await send([p]);
    assert.equal(r!.status, 'conflict');
    const [n] = await db().select({ n: count() }).from(registrationFacts).where(eq(registrationFacts.id, s.id));
    assert.equal(n!.n, 0);
    assert.equal((await bandRow(demoBandUid(2)))!.attendeeId, demoAttendeeId(2), 'the band is untouched');
  });
});
