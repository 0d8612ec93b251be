import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newId } from '@tapline/shared';
import { eq, sql } from 'drizzle-orm';
import { smsMessages } from '../src/db/schema.ts';
import { queryRows } from '../src/db/raw-sql.ts';
import { fanOutBulk } from '../src/jobs/sms-bulk.ts';
import { DEMO_EVENT_ID } from '../src/seed/demo-constants.ts';
import type { RunningCloud } from '../src/start.ts';
import { ADMIN_TOKEN, api, startTestCloud, VENUE_KEY } from './helpers/cloud.ts';
import { createTestDatabase, databaseSkipReason, type TestDatabase } from './helpers/database.ts';
import { collect } from './helpers/jobs.ts';
import { type LocalProviders, providersSkipReason, startLocalProviders } from './helpers/providers.ts';

const skip = (await databaseSkipReason()) || providersSkipReason();
const ATTENDEES = 3000;
// Every 10th demo attendee said no to SMS.
const CONSENTING = ATTENDEES - ATTENDEES / 10;

describe('bulk SMS: one job fans out to one message job per consenting attendee, never twice', { skip, timeout: 300_000 }, () => {
  let target: TestDatabase;
  let cloud: RunningCloud;
  let local: LocalProviders;
  let admin: ReturnType<typeof api>;

  /** sms.message jobs (live or archived) per message of the bulk. */
  const jobsPerMessage = (bulkId: string) =>
    queryRows<{ messages: number; jobs: number; distinct_messages: number }>(
      cloud.database.db,
      sql`with j as (select data from pgboss.job where name = 'sms.message' union all select data from pgboss.archive where name = 'sms.message')
          select (select count(*)::int from sms_messages where bulk_id = ${bulkId}) as messages,
                 count(*)::int as jobs, count(distinct j.data->>'messageId')::int as distinct_messages
          from j join sms_messages m on m.id::text = j.data->>'messageId' where m.bulk_id = ${bulkId}`,
    ).then((r) => r[0]!);

  before(async () => {
    target = await createTestDatabase();
    local = await startLocalProviders({ stripe: false });
    cloud = await startTestCloud(target, {
      providers: local.providers,
      seedDemo: { venueKey: VENUE_KEY, bands: ATTENDEES },
      // No card sweeps here: 3,000 holds would only slow the test down.
      payments: { sweepIntervalSeconds: 0 },
    });
    admin = api(cloud.url, ADMIN_TOKEN);
  });
  after(async () => {
    await cloud?.close();
    await local?.close();
    await target?.drop();
  });

  test('fan-out: one message and one job per consenting attendee; running the bulk again adds none; each attendee gets one SMS', async () => {
    const fanned = collect(cloud, 'sms:bulk-fanned-out');
    const sent = collect(cloud, 'sms:settled');
    const id = newId();
    const res = await admin.post(`/v1/admin/events/${DEMO_EVENT_ID}/messages`, { id, body: 'Gates open at 18:00. Free water at every bar.' });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    assert.equal(res.body.bulk.id, id);
    const [first] = await fanned.waitFor(([r]) => r.bulkId === id);
    assert.deepEqual(first, { bulkId: id, recipients: CONSENTING, created: CONSENTING });
    assert.deepEqual(await jobsPerMessage(id), { messages: CONSENTING, jobs: CONSENTING, distinct_messages: CONSENTING });
    const perAttendee = await queryRows<{ n: number }>(
      cloud.database.db,
      sql`select count(*)::int as n from (select attendee_id from sms_messages where bulk_id = ${id} group by attendee_id having count(*) > 1) d`,
    );
    assert.equal(perAttendee[0]!.n, 0);
    assert.equal((await cloud.database.db.select().from(smsMessages).where(eq(smsMessages.dedupeKey, `bulk:${id}:attendee-10`))).length, 0, 'no consent, no message');

    // The same bulk job again (a retry after a crash half-way) walks every attendee and adds nothing.
    assert.deepEqual(await fanOutBulk(cloud.database.db, cloud.queue, id), { recipients: CONSENTING, created: 0 });
    await cloud.queue.send(cloud.database.db, 'sms.bulk', { bulkId: id });
    await fanned.waitFor(([r]) => r.bulkId === id && r.created === 0);
    assert.deepEqual(await jobsPerMessage(id), { messages: CONSENTING, jobs: CONSENTING, distinct_messages: CONSENTING });

    // A retried request with the same id is the same bulk; the same id with another body is refused.
    const again = await admin.post(`/v1/admin/events/${DEMO_EVENT_ID}/messages`, { id, body: 'Gates open at 18:00. Free water at every bar.' });
    assert.equal(again.status, 200);
    const other = await admin.post(`/v1/admin/events/${DEMO_EVENT_ID}/messages`, { id, body: 'Something else' });
    assert.equal(other.status, 409);
    assert.equal(other.body.error.code, 'conflict');

    await sent.waitFor(() => sent.seen.length >= CONSENTING);
    assert.equal(local.twilio.messages.length, CONSENTING);
    assert.equal(new Set(local.twilio.messages.map((m) => m.to)).size, CONSENTING, 'one SMS per attendee');
    const status = await admin.get(`/v1/admin/events/${DEMO_EVENT_ID}/messages/${id}`);
    assert.deepEqual(status.body.messages, { sent: CONSENTING });
    assert.equal(status.body.bulk.recipients, CONSENTING);
    fanned.stop();
    sent.stop();
  });

  test('an empty or oversized body is a 400 that sends nothing', async () => {
    const empty = await admin.post(`/v1/admin/events/${DEMO_EVENT_ID}/messages`, { body: '  ' });
    assert.equal(empty.status, 400);
    assert.equal(empty.body.error.code, 'invalid_body');
    const long = await admin.post(`/v1/admin/events/${DEMO_EVENT_ID}/messages`, { body: 'x'.repeat(1501) });
    assert.equal(long.status, 400);
    assert.match(long.body.error.message, /^body: /);
  });
});
