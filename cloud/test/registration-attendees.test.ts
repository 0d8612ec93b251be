import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DeskAttendee } from '@tapline/shared';
import { and, count, countDistinct, eq, isNull } from 'drizzle-orm';
import { attendees, configChanges } from '../src/db/schema.ts';
import { DEMO_EVENT_ID, DEMO_VENUE_ID } from '../src/seed/demo-constants.ts';
import { cardLinks } from '../src/services/registration-card-links.ts';
import { newConfirmationCode, publishPendingAttendees } from '../src/services/registration-attendees.ts';
import { venueCursor } from '../src/services/config-log.ts';
import type { RunningCloud } from '../src/start.ts';
import { databaseSkipReason } from './helpers/database.ts';
import { type Api, useSeededCloud } from './helpers/seeded-cloud.ts';

const skip = await databaseSkipReason();

describe('card links', () => {
  const links = cardLinks({ secret: 'a-secret-of-sixteen-chars', publicUrl: () => 'https://cloud.example/' });
  test('sign and verify round trip; a tampered or foreign token is refused', () => {
    const url = links.url('demo-event', 'attendee:7');
    assert.match(url, /^https:\/\/cloud\.example\/card\/[^/]+$/);
    const token = url.split('/card/')[1]!;
    assert.deepEqual(links.verify(token), { eventId: 'demo-event', attendeeId: 'attendee:7' });
    const [e, a, mac] = token.split('.');
    assert.equal(links.verify(`${e}.${Buffer.from('attendee:8').toString('base64url')}.${mac}`), undefined);
    const flipped = `${mac![0] === 'A' ? 'B' : 'A'}${mac!.slice(1)}`;
    assert.equal(links.verify(`${e}.${a}.${flipped}`), undefined);
    const other = cardLinks({ secret: 'another-secret-of-16', publicUrl: () => 'x' });
    assert.equal(other.verify(token), undefined);
    assert.equal(links.verify('nonsense'), undefined);
    assert.equal(links.verify(''), undefined);
  });
  test('confirmation codes are 8 characters A-Z0-9', () => {
    for (let i = 0; i < 200; i++) assert.match(newConfirmationCode(), /^[A-Z0-9]{8}$/);
  });
});

describe('attendees flow down to the venue', { skip }, () => {
  let cloud: RunningCloud;
  let hub: Api;
  let admin: Api;

  useSeededCloud((s) => ({ cloud, hub, admin } = s));

  test('10,000 attendees: each gets a unique code and an entity, and the hub pulls them in bounded pages', async () => {
    const start = await venueCursor(cloud.database.db, DEMO_VENUE_ID);
    const list = Array.from({ length: 10_000 }, (_, i) => ({
      id: `bulk-${i}`,
      firstName: `Guest${i}`,
      lastName: null,
      email: `guest${i}@example.com`,
      phone: null,
      smsConsent: false,
      card: { status: 'none', stripeCustomerId: null, stripePaymentMethodId: null, last4: null },
    }));
    const res = await admin.put(`/v1/admin/events/${DEMO_EVENT_ID}/attendees`, { attendees: list });
    assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 500));
    const [codes] = await cloud.database.db
      .select({ n: count(), distinct: countDistinct(attendees.confirmationCode) })
      .from(attendees)
      .where(eq(attendees.eventId, DEMO_EVENT_ID));
    assert.equal(codes!.n, 10_010);
    assert.equal(codes!.distinct, 10_010, 'every attendee has a code, unique in the event');
    const [logged] = await cloud.database.db
      .select({ n: count() })
      .from(configChanges)
      .where(and(eq(configChanges.venueId, DEMO_VENUE_ID), eq(configChanges.kind, 'attendee')));
    assert.equal(logged!.n, 10_010);

    // The hub pulls from where it was: pages of at most `limit`, each one saying whether more follow.
    let cursor = start;
    let pages = 0;
    let seen = 0;
    for (;;) {
      const page = await hub.get(`/v1/sync/pull?cursor=${cursor}&limit=1000`);
      assert.equal(page.status, 200);
      assert.ok(page.body.changes.length <= 1000);
      seen += page.body.changes.filter((c: { entity: { kind: string } }) => c.entity.kind === 'attendee').length;
      pages++;
      cursor = page.body.cursor;
      if (!page.body.more) break;
    }
    assert.equal(seen, 10_000);
    assert.ok(pages >= 10);
    const last = await hub.get(`/v1/sync/pull?cursor=${start}&limit=1`);
    const first: DeskAttendee = last.body.changes[0].entity.data;
    assert.equal(first.id, 'bulk-0');
    assert.match(first.confirmationCode!, /^[A-Z0-9]{8}$/);
  });

  test('attendees never published (written before this existed) are caught up, once', async () => {
    await cloud.database.db.insert(attendees).values([
      { eventId: DEMO_EVENT_ID, id: 'old-1', firstName: 'Old' },
      { eventId: DEMO_EVENT_ID, id: 'old-2', firstName: 'Older' },
    ]);
    const before = await venueCursor(cloud.database.db, DEMO_VENUE_ID);
    assert.equal(await publishPendingAttendees(cloud.database.db, {}), 2);
    assert.equal(await publishPendingAttendees(cloud.database.db, {}), 0);
    const [left] = await cloud.database.db.select({ n: count() }).from(attendees).where(isNull(attendees.confirmationCode));
    assert.equal(left!.n, 0);
    assert.equal(await venueCursor(cloud.database.db, DEMO_VENUE_ID), before + 2);
  });
});
