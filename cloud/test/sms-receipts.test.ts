import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { and, eq, sql } from 'drizzle-orm';
import { smsMessages } from '../src/db/schema.ts';
import { createReceipts } from '../src/jobs/sms-receipt.ts';
import { SmsBusyError, sendOne } from '../src/jobs/sms-message.ts';
import { DEMO_EVENT_ID, demoBandUid, demoPhone } from '../src/seed/demo-constants.ts';
import { tabLinks } from '../src/services/tab-links.ts';
import type { RunningCloud } from '../src/start.ts';
import { ADMIN_TOKEN, api, startTestCloud, VENUE_KEY } from './helpers/cloud.ts';
import { createTestDatabase, databaseSkipReason, type TestDatabase } from './helpers/database.ts';
import { push, sale } from './helpers/facts.ts';
import { collect } from './helpers/jobs.ts';
import { type LocalProviders, providersSkipReason, startLocalProviders } from './helpers/providers.ts';
import pino from 'pino';

const skip = (await databaseSkipReason()) || providersSkipReason();
const PUBLIC_URL = 'https://tab.example.test';
const LINK_SECRET = 'test-link-secret-0123456789';

describe('SMS receipts: one per sale to a consenting attendee, through the twilio SDK to the local Twilio', { skip, timeout: 120_000 }, () => {
  let target: TestDatabase;
  let cloud: RunningCloud;
  let local: LocalProviders;
  let hub: ReturnType<typeof api>;
  let admin: ReturnType<typeof api>;
  let settled: ReturnType<typeof collect<'sms:settled'>>;
  let queued: ReturnType<typeof collect<'sms:receipts'>>;

  const messagesOf = (orderId: string) => cloud.database.db.select().from(smsMessages).where(eq(smsMessages.orderId, orderId));
  const settledFor = async (orderId: string) => {
    await queued.waitFor(([r]) => r.orderIds.includes(orderId));
    const [row] = await messagesOf(orderId);
    assert.ok(row, `no SMS row for order ${orderId}`);
    await settled.waitFor(([s]) => s.messageId === row.id);
    return (await messagesOf(orderId))[0]!;
  };

  before(async () => {
    target = await createTestDatabase();
    local = await startLocalProviders({ stripe: false });
    cloud = await startTestCloud(target, {
      providers: local.providers,
      publicUrl: PUBLIC_URL,
      linkSecret: LINK_SECRET,
      smsLeaseSeconds: 2,
      jobSettings: { 'sms.message': { retryDelay: 1 } },
    });
    settled = collect(cloud, 'sms:settled');
    queued = collect(cloud, 'sms:receipts');
    hub = api(cloud.url, VENUE_KEY);
    admin = api(cloud.url, ADMIN_TOKEN);
  });
  after(async () => {
    settled?.stop();
    queued?.stop();
    await cloud?.close();
    await local?.close();
    await target?.drop();
  });

  test('a sale sends its attendee one SMS with a signed link to the tab; no consent, no SMS; a resent batch sends nothing more', async () => {
    const receipts = collect(cloud, 'sms:receipts');
    const s1 = sale({ band: 1 });
    const s10 = sale({ band: 10 }); // attendee-10 said no to SMS
    assert.equal((await hub.post('/v1/sync/push', push([s1, s10]))).status, 200);
    const row = await settledFor(s1.id);
    assert.equal(row.status, 'sent');
    assert.equal(row.toPhone, demoPhone(1));
    const atTwilio = local.twilio.messagesTo(demoPhone(1));
    assert.equal(atTwilio.length, 1);
    assert.equal(atTwilio[0]!.sid, row.sid);
    assert.equal(atTwilio[0]!.body, row.body);
    assert.match(row.body, /^Riverside Festival: €11\.00 added to your tab\. See your tab: https:\/\/tab\.example\.test\/t\/\S+ Ref [0-9A-Z]{8}$/);
    assert.ok(row.body.endsWith(`Ref ${row.reference}`));
    await receipts.waitFor(([r]) => r.orderIds.includes(s10.id));
    assert.equal((await messagesOf(s10.id)).length, 0);
    assert.equal(local.twilio.messagesTo(demoPhone(10)).length, 0);

    // The link opens the band's tab; a tampered one does not.
    const token = /\/t\/(\S+) Ref/.exec(row.body)![1]!;
    assert.deepEqual(tabLinks({ secret: LINK_SECRET, publicUrl: () => PUBLIC_URL }).verify(token), { eventId: DEMO_EVENT_ID, bandUid: demoBandUid(1) });
    const page = await api(cloud.url).get(`/t/${token}`);
    assert.equal(page.status, 200);
    assert.equal(page.body.bandUid, demoBandUid(1));
    assert.equal(page.body.event.name, 'Riverside Festival');
    const tampered = await api(cloud.url).get(`/t/${token.slice(0, -2)}AA`);
    assert.equal(tampered.status, 404);
    assert.equal(tampered.body.error.code, 'not_found');

    // The hub resends the same batch (its ack was lost): duplicates, no new receipt job, no new SMS.
    const again = await hub.post('/v1/sync/push', push([s1, s10]));
    assert.deepEqual(again.body.results.map((r: { status: string }) => r.status), ['duplicate', 'duplicate']);
    // A receipt job run again for the same sale (a retry after a crash) finds the row and adds nothing.
    const links = tabLinks({ secret: LINK_SECRET, publicUrl: () => PUBLIC_URL });
    assert.deepEqual(await createReceipts(cloud.database.db, cloud.queue, links, { eventId: DEMO_EVENT_ID, orderIds: [s1.id] }), []);
    assert.equal((await messagesOf(s1.id)).length, 1);
    assert.equal(local.twilio.messagesTo(demoPhone(1)).length, 1);
    receipts.stop();
  });

  test('Twilio took the message but the answer was lost: the retry finds it at Twilio and does not send it again', async () => {
    local.twilio.injectFault({ operation: 'POST Messages', action: 'drop-after-apply' });
    const failures = collect(cloud, 'jobs:failed');
    const s = sale({ band: 2 });
    await hub.post('/v1/sync/push', push([s]));
    const row = await settledFor(s.id);
    assert.equal(row.status, 'sent');
    assert.equal(row.attempts, 2);
    const atTwilio = local.twilio.messagesTo(demoPhone(2));
    assert.equal(atTwilio.length, 1, 'exactly one SMS at Twilio');
    assert.equal(row.sid, atTwilio[0]!.sid);
    const posts = local.twilio.requestsTo('POST Messages').filter((r) => r.params.To === demoPhone(2));
    assert.equal(posts.length, 1, 'the message was posted once');
    assert.equal(posts[0]!.fault, 'drop-after-apply');
    const lookups = local.twilio.requestsTo('GET Messages').filter((r) => r.params.To === demoPhone(2));
    assert.equal(lookups.length, 1);
    assert.ok(failures.seen.some(([f]) => f.queue === 'sms.message' && !f.deadLettered));
    failures.stop();
  });

  test('a refusal that cannot have sent (HTTP 429) is retried by sending, once it passes', async () => {
    local.twilio.injectFault({ operation: 'POST Messages', action: { status: 429 } });
    const s = sale({ band: 3 });
    await hub.post('/v1/sync/push', push([s]));
    const row = await settledFor(s.id);
    assert.equal(row.status, 'sent');
    assert.equal(row.attempts, 2);
    assert.equal(local.twilio.messagesTo(demoPhone(3)).length, 1);
    const posts = local.twilio.requestsTo('POST Messages').filter((r) => r.params.To === demoPhone(3));
    assert.deepEqual(posts.map((p) => p.status), [429, 201]);
    // Nothing could have gone out, so there was nothing to look up.
    assert.equal(local.twilio.requestsTo('GET Messages').filter((r) => r.params.To === demoPhone(3)).length, 0);
  });

  test('a message another attempt may be sending (live lease) is left alone: no lookup, no send', async () => {
    const s = sale({ band: 4 });
    await hub.post('/v1/sync/push', push([s]));
    const row = await settledFor(s.id);
    await cloud.database.db
      .update(smsMessages)
      .set({ status: 'sending', leaseUntil: sql`now() + interval '1 hour'`, sid: null })
      .where(eq(smsMessages.id, row.id));
    const before = local.twilio.requests.length;
    await assert.rejects(sendOne(cloud.database.db, row.id, { sms: local.providers.sms, leaseSeconds: 2, log: pino({ level: 'silent' }) }), SmsBusyError);
    assert.equal(local.twilio.requests.length, before);
    // Once the lease has passed, the attempt asks Twilio, finds the message the first attempt sent, and sends nothing.
    await cloud.database.db.update(smsMessages).set({ leaseUntil: sql`now() - interval '1 second'` }).where(eq(smsMessages.id, row.id));
    const result = await sendOne(cloud.database.db, row.id, { sms: local.providers.sms, leaseSeconds: 2, log: pino({ level: 'silent' }) });
    assert.equal(result.found, true);
    assert.equal(local.twilio.messagesTo(demoPhone(4)).length, 1);
    const [now] = await cloud.database.db.select().from(smsMessages).where(and(eq(smsMessages.id, row.id)));
    assert.equal(now!.status, 'sent');
    assert.equal(now!.sid, local.twilio.messagesTo(demoPhone(4))[0]!.sid);
  });

  test('head office lists an event’s SMS', async () => {
    const res = await admin.get(`/v1/admin/events/${DEMO_EVENT_ID}/sms?kind=receipt&status=sent`);
    assert.equal(res.status, 200);
    assert.ok(res.body.messages.length >= 4);
    assert.ok(res.body.messages.every((m: { kind: string; status: string }) => m.kind === 'receipt' && m.status === 'sent'));
  });
});
