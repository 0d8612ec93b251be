/**
 * "Never two SMS for one order, even when a worker dies mid-send", with a real crash: the cloud is its own OS process,
 * SIGKILLed at the moment Twilio (the project's local Twilio, in this process, driven by the official twilio SDK over
 * HTTP) has accepted the receipt and before the cloud could read the answer and commit it. After a restart the
 * message's row is still `sending`; the cloud asks Twilio for the message (by the reference printed in its body),
 * finds it, records its sid and sends nothing. The local Twilio holds exactly one message.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { smsMessages } from '../../cloud/src/db/schema.ts';
import { DEMO_EVENT_ID, demoPhone } from '../../cloud/src/seed/demo-constants.ts';
import { sale } from '../../cloud/test/helpers/facts.ts';
import { KILL_TEST_ADMIN_TOKEN as ADMIN_TOKEN, KILL_TEST_VENUE_KEY as VENUE_KEY, KillableCloud, killTestSkip } from '../harness/killable-cloud.ts';
import { contractsAvailable } from '../harness/local-stripe/contracts.ts';
import { type LocalTwilio, startLocalTwilio } from '../harness/local-twilio/index.ts';
import { waitFor } from '../harness/wait.ts';

const skip = await killTestSkip('SMS kill test', contractsAvailable('twilioSpec'));

const ACCOUNT = `AC${'0123456789abcdef'.repeat(2)}`;

describe('an SMS receipt survives a SIGKILL between Twilio accepting it and the cloud committing it, and is sent once', { skip, timeout: 180_000 }, () => {
  let twilio: LocalTwilio;
  let cloud: KillableCloud;

  before(async () => {
    twilio = await startLocalTwilio({ accountSid: ACCOUNT, authToken: 'kill-test-token' });
    cloud = await KillableCloud.create('tapline-sms-kill-', {
      TAPLINE_DEMO_BANDS: '5',
      TAPLINE_PUBLIC_URL: 'https://tab.example.test',
      TAPLINE_TWILIO_URL: twilio.url,
      TAPLINE_TWILIO_ACCOUNT_SID: ACCOUNT,
      TAPLINE_TWILIO_AUTH_TOKEN: 'kill-test-token',
      TAPLINE_TWILIO_FROM: '+15005550006',
      // The lease outlasts the SDK's timeout and the job's, as in production; all three short for a test.
      TAPLINE_TWILIO_TIMEOUT_MS: '3000',
      TAPLINE_SMS_LEASE_SECONDS: '5',
      TAPLINE_JOB_SETTINGS: JSON.stringify({ 'sms.message': { expireInSeconds: 4, retryDelay: 1 } }),
      TAPLINE_JOB_MAINTENANCE_SECONDS: '1',
    });
  });
  after(async () => {
    await cloud?.dispose();
    await twilio?.close();
  });

  test('SIGKILL right after Twilio accepted: one message at Twilio, the row sent with its sid', async () => {
    const url = await cloud.start();
    const s = sale({ band: 1, terminalId: 'term-kill', seq: 1 });
    twilio.injectFault({ operation: 'POST Messages', action: 'hang-after-apply' });
    const accepted = twilio.nextRequest((r) => r.operation === 'POST Messages' && r.fault === 'hang-after-apply');
    const res = await fetch(`${url}/v1/sync/push`, {
      method: 'POST',
      headers: { authorization: `Bearer ${VENUE_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ v: 1, hubId: 'hub-kill', orders: [s] }),
    });
    assert.equal(res.status, 200);

    // Twilio has stored the message; the cloud is waiting for an answer that never comes. Kill it now.
    const post = await accepted;
    await cloud.kill();
    assert.equal(twilio.messagesTo(demoPhone(1)).length, 1);

    // What the crash left: the row claimed (`sending`, committed before the call) and no sid.
    const [left] = await cloud.read((db) => db.select().from(smsMessages).where(eq(smsMessages.orderId, s.id)));
    assert.ok(left, 'the receipt row was committed before Twilio was called');
    assert.equal(left.status, 'sending');
    assert.equal(left.sid, null);
    assert.equal(left.attempts, 1);
    assert.ok(post.params.Body && String(post.params.Body).includes(`Ref ${left.reference}`), 'the body carries the row reference');

    const again = await cloud.start();
    type Row = { status: string; sid: string | null; attempts: number };
    const admin = (p: string) =>
      fetch(`${again}${p}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }).then((r) => r.json() as Promise<{ messages: Row[] }>);
    let row: Row | undefined;
    await waitFor(
      async () => {
        row = (await admin(`/v1/admin/events/${DEMO_EVENT_ID}/sms?orderId=${s.id}`)).messages[0];
        return row?.status === 'sent';
      },
      { timeoutMs: 90_000, what: 'the receipt to be settled after the restart' },
    );
    const atTwilio = twilio.messagesTo(demoPhone(1));
    assert.equal(atTwilio.length, 1, 'exactly one SMS reached Twilio');
    assert.equal(row!.sid, atTwilio[0]!.sid, 'the row holds the sid of the message the killed worker sent');
    assert.ok(row!.attempts >= 2);
    assert.equal(twilio.requestsTo('POST Messages').length, 1, 'nothing was posted after the restart');
    assert.ok(
      twilio.requestsTo('GET Messages').some((r) => r.params.To === demoPhone(1) && r.status === 200),
      'the restarted cloud asked Twilio before deciding',
    );
  });
});
