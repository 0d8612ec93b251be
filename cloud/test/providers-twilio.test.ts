import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import { freePort } from '../../e2e/harness/ports.ts';
import { type PrismServer, prismAvailable, startPrism } from '../../e2e/harness/prism.ts';
import { SmsProviderError } from '../src/providers/sms.ts';
import { BaseUrlRequestClient, TwilioSms } from '../src/providers/twilio-sms.ts';

// The twilio provider through the official SDK over real HTTP, against Prism serving Twilio's own OpenAPI description
// (../shared/contracts/twilio_api_v2010.json). Prism checks each request against the spec and answers the spec's
// example message.

const available = prismAvailable();
const mustRun = process.env.CI === 'true';
if (!available.ok) console.warn(`\n!!! twilio provider tests ${mustRun ? 'FAIL under CI' : 'SKIPPED'}: ${available.reason}\n`);

const ACCOUNT = `AC${'0123456789abcdef'.repeat(2)}`;
const quiet = pino({ level: 'silent' });

async function rejectsWith(p: Promise<unknown>, code: string): Promise<SmsProviderError> {
  const err = await p.then(
    () => assert.fail(`expected an SmsProviderError ${code}, got an answer`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof SmsProviderError, `expected an SmsProviderError, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  return err;
}

/** Sends what the SDK built minus `To`: the malformed request a wrong parameter name would make. */
class WithoutTo extends BaseUrlRequestClient {
  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const data = { ...(opts.data as Record<string, unknown>) };
    delete data.To;
    return super.request({ ...opts, data: data as TData });
  }
}

describe('twilio provider against Prism with Twilio’s spec', { skip: available.ok || mustRun ? false : available.reason }, () => {
  let prism: PrismServer;
  const provider = (extra: Partial<ConstructorParameters<typeof TwilioSms>[0]> = {}) =>
    new TwilioSms({ url: prism.url, accountSid: ACCOUNT, authToken: 'test-token', from: '+15005550006', log: quiet, ...extra });

  before(async () => {
    prism = await startPrism();
  });
  after(async () => {
    await prism?.stop();
  });

  test('sends an SMS and gets the message sid', async () => {
    const sent = await provider().send({ to: '+447700900123', body: 'Your tab: https://tab.example/t/abc', idempotencyKey: 'order-1' });
    assert.match(sent.sid, /^SM[0-9a-f]{32}$/i);
    assert.equal(sent.status, 'queued');
  });

  test('a Messaging Service SID as sender is sent as MessagingServiceSid', async () => {
    const sent = await provider({ from: `MG${'a'.repeat(32)}` }).send({ to: '+447700900123', body: 'hello' });
    assert.match(sent.sid, /^SM/);
  });

  test('a request without To gets Prism’s 422 as a clear, final error', async () => {
    const sms = provider({ httpClient: new WithoutTo(prism.url) });
    const err = await rejectsWith(sms.send({ to: '+447700900123', body: 'hello' }), 'sms_rejected');
    assert.equal(err.details.status, 422);
    assert.equal(err.retryable, false);
    assert.equal(err.mayHaveSent, false);
    assert.match(err.message, /^Twilio refused to send an SMS \(HTTP 422\)\. Twilio said: Invalid request: .*'To'/);
  });

  test('a number that is not E.164 is refused before any request', async () => {
    const err = await rejectsWith(provider().send({ to: '07700 900123', body: 'hello' }), 'sms_invalid_recipient');
    assert.equal(err.mayHaveSent, false);
    assert.match(err.message, /international form/);
  });

  test('finds messages already sent to a number, to settle an attempt whose outcome is unknown', async () => {
    // Prism answers the spec's example list; its second message, to +18182008801, says "testing".
    const found = await provider().findSent({ to: '+18182008801', since: new Date('2019-05-01T00:00:00Z'), bodyIncludes: 'testing' });
    assert.deepEqual(
      found.map((m) => [m.sid, m.body]),
      [['SMded05904ccb347238880ca9264e8fe1c', 'testing']],
    );
  });

  test('a gateway that refuses connections is retryable and certainly sent nothing', async () => {
    const closed = new TwilioSms({ url: `http://127.0.0.1:${await freePort()}`, accountSid: ACCOUNT, authToken: 't', from: '+15005550006', log: quiet });
    const err = await rejectsWith(closed.send({ to: '+447700900123', body: 'hello' }), 'sms_provider_unreachable');
    assert.equal(err.retryable, true);
    assert.equal(err.mayHaveSent, false);
  });
});
