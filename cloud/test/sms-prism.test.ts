import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import pino from 'pino';
import { type PrismServer, prismAvailable, startPrism } from '../../e2e/harness/prism.ts';
import { smsMessages } from '../src/db/schema.ts';
import { LogPayments } from '../src/providers/log-payments.ts';
import { TwilioSms } from '../src/providers/twilio-sms.ts';
import type { RunningCloud } from '../src/start.ts';
import { startTestCloud, api, VENUE_KEY } from './helpers/cloud.ts';
import { createTestDatabase, databaseSkipReason, type TestDatabase } from './helpers/database.ts';
import { push, sale } from './helpers/facts.ts';
import { collect } from './helpers/jobs.ts';
import { TWILIO_ACCOUNT, TWILIO_FROM } from './helpers/providers.ts';

// The receipt job's real send path against Prism serving Twilio's own OpenAPI description: Prism checks the request
// the twilio SDK makes for the job against the spec (a missing or malformed parameter would be a 4xx).

const available = prismAvailable();
const mustRun = process.env.CI === 'true';
if (!available.ok) console.warn(`\n!!! SMS contract test ${mustRun ? 'FAILS under CI' : 'SKIPPED'}: ${available.reason}\n`);
const skip = (await databaseSkipReason()) || (available.ok || mustRun ? false : available.reason);

describe('SMS receipt through the twilio SDK against Prism with Twilio’s spec', { skip, timeout: 120_000 }, () => {
  let target: TestDatabase;
  let prism: PrismServer;
  let cloud: RunningCloud;

  before(async () => {
    target = await createTestDatabase();
    prism = await startPrism();
    const quiet = pino({ level: 'silent' });
    cloud = await startTestCloud(target, {
      providers: { payments: new LogPayments(quiet), sms: new TwilioSms({ url: prism.url, accountSid: TWILIO_ACCOUNT, authToken: 'prism-token', from: TWILIO_FROM, log: quiet }) },
      payments: { sweepIntervalSeconds: 0 },
    });
  });
  after(async () => {
    await cloud?.close();
    await prism?.stop();
    await target?.drop();
  });

  test('the request passes the spec and the message is recorded with the sid Twilio answered', async () => {
    const queued = collect(cloud, 'sms:receipts');
    const settled = collect(cloud, 'sms:settled');
    const s = sale({ band: 1 });
    assert.equal((await api(cloud.url, VENUE_KEY).post('/v1/sync/push', push([s]))).status, 200);
    await queued.waitFor(([r]) => r.orderIds.includes(s.id));
    const [row] = await cloud.database.db.select().from(smsMessages).where(eq(smsMessages.orderId, s.id));
    assert.ok(row);
    const [done] = await settled.waitFor(([x]) => x.messageId === row.id);
    assert.equal(done.status, 'sent');
    assert.equal(done.found, false);
    const [after] = await cloud.database.db.select().from(smsMessages).where(eq(smsMessages.id, row.id));
    assert.equal(after!.status, 'sent');
    // Prism answers the spec's example message.
    assert.match(after!.sid ?? '', /^SM[0-9a-f]{32}$/i);
    assert.equal(after!.attempts, 1);
    queued.stop();
    settled.stop();
  });
});
