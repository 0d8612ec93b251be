import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ConfigEntity, Event, normalizeBandUid } from '@tapline/shared';
import { type Database, openDatabase } from '../src/db/open.ts';
import { attendeeOfBand, findAttendee } from '../src/services/attendees.ts';
import { readConfig } from '../src/services/config-log.ts';
import { findVenueByKey } from '../src/services/venues.ts';
import { DEMO_EVENT_ID, DEMO_STAFF, DEMO_VENUE_ID, demoBandUid, seedDemo } from '../src/seed/demo.ts';
import { verifyPin } from '@tapline/shared';
import { createTestDatabase, databaseSkipReason, type TestDatabase } from './helpers/database.ts';

const skip = await databaseSkipReason();

describe('seedDemo', { skip }, () => {
  let target: TestDatabase;
  let database: Database;
  let entities: ConfigEntity[];

  before(async () => {
    target = await createTestDatabase();
    database = await openDatabase(target.options);
    const first = await seedDemo(database.db, { venueKey: 'seed-key-1', bands: 120 });
    assert.deepEqual(first, { venueCreated: true, appended: 1 + 14 + 3 + 3 + 120, attendees: 120 });
    entities = (await readConfig(database.db, DEMO_VENUE_ID, 0, 5000)).changes.map((c) => c.entity);
  });
  after(async () => {
    await database?.close();
    await target?.drop();
  });

  test('creates the event with the demo risk settings', () => {
    const event = entities.find((e) => e.kind === 'event');
    assert.ok(event && event.kind === 'event');
    Event.parse(event.data);
    assert.equal(event.data.id, DEMO_EVENT_ID);
    assert.equal(event.data.currency, 'EUR');
    assert.equal(event.data.timezone, 'Europe/Amsterdam');
    assert.deepEqual(
      [event.data.offlineBandAllowance, event.data.offlineTerminalTotal, event.data.noCardAllowance],
      [5000, 500000, 2500],
    );
    assert.ok(Date.parse(event.data.startsAt) < Date.now() && Date.now() < Date.parse(event.data.endsAt));
  });

  test('menu, stations, staff with working PIN hashes, and deterministic bands', () => {
    const categories = new Set(entities.flatMap((e) => (e.kind === 'product' ? [e.data.category] : [])));
    assert.deepEqual([...categories].sort(), ['Beer', 'Cocktails', 'Food', 'Soft drinks', 'Wine']);
    const stations = entities.flatMap((e) => (e.kind === 'station' ? [`${e.data.id}:${e.data.mode}`] : []));
    assert.deepEqual(stations.sort(), ['bar-main:bar', 'bar-north:bar', 'desk-1:registration']);
    const staff = entities.flatMap((e) => (e.kind === 'staff' ? [e.data] : []));
    const bartender = staff.find((s) => s.id === DEMO_STAFF.bartender.id)!;
    const supervisor = staff.find((s) => s.id === DEMO_STAFF.supervisor.id)!;
    assert.match(bartender.pinHash, /^scrypt\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    assert.ok(verifyPin('1234', bartender.pinHash));
    assert.ok(!verifyPin('9999', bartender.pinHash));
    assert.ok(verifyPin('9999', supervisor.pinHash));
    assert.equal(supervisor.role, 'supervisor');
    const desk = staff.find((s) => s.id === DEMO_STAFF.registration.id)!;
    assert.deepEqual([desk.name, desk.role], ['Riley (desk)', 'registration']);
    assert.ok(verifyPin('5555', desk.pinHash));
    assert.ok(!verifyPin('9999', desk.pinHash));
    const bands = entities.flatMap((e) => (e.kind === 'band' ? [e.data] : []));
    assert.equal(bands.length, 120);
    assert.equal(bands[0]!.uid, '04000000000001');
    assert.equal(demoBandUid(255), '040000000000FF');
    assert.ok(bands.every((b) => normalizeBandUid(b.uid) === b.uid && b.hasCard && b.firstName));
    assert.deepEqual(bands.filter((b) => b.status === 'blocked').map((b) => b.uid), [demoBandUid(50), demoBandUid(100)]);
  });

  test('attendee n has a phone, SMS consent unless n is a multiple of 10, a ready card, and band n is paired with them', async () => {
    const a1 = await findAttendee(database.db, DEMO_EVENT_ID, 'attendee-1');
    assert.ok(a1);
    assert.equal(a1.phone, '+31610000001');
    assert.equal(a1.smsConsent, true);
    assert.equal(a1.card.status, 'ready');
    assert.match(a1.card.stripeCustomerId ?? '', /^cus_log_[0-9a-f]{24}$/);
    assert.match(a1.card.stripePaymentMethodId ?? '', /^pm_log_[0-9a-f]{24}$/);
    assert.equal(a1.card.last4, '4242');
    assert.equal((await findAttendee(database.db, DEMO_EVENT_ID, 'attendee-10'))?.smsConsent, false);
    assert.equal((await findAttendee(database.db, DEMO_EVENT_ID, 'attendee-120'))?.phone, '+31610000120');
    assert.equal((await attendeeOfBand(database.db, DEMO_EVENT_ID, demoBandUid(7)))?.id, 'attendee-7');
    assert.equal(await attendeeOfBand(database.db, DEMO_EVENT_ID, demoBandUid(121)), undefined);
  });

  test('a second run changes nothing; a new key replaces the old one', async () => {
    const again = await seedDemo(database.db, { venueKey: 'seed-key-2', bands: 120 });
    assert.deepEqual(again, { venueCreated: false, appended: 0, attendees: 0 });
    const after = (await readConfig(database.db, DEMO_VENUE_ID, 0, 5000)).changes.map((c) => c.entity);
    assert.deepEqual(after, entities);
    assert.equal(await findVenueByKey(database.db, 'seed-key-1'), undefined);
    assert.equal((await findVenueByKey(database.db, 'seed-key-2'))?.id, DEMO_VENUE_ID);
  });
});
