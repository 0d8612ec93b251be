import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { ProvidersConfigError, parseProvidersEnv, providersFromEnv } from '../src/providers/config.ts';
import { LogPayments } from '../src/providers/log-payments.ts';
import { LogSms } from '../src/providers/log-sms.ts';
import { PaymentProviderError, idempotencyKey } from '../src/providers/payments.ts';
import { SmsProviderError } from '../src/providers/sms.ts';
import { StripePayments } from '../src/providers/stripe-payments.ts';
import { TwilioSms } from '../src/providers/twilio-sms.ts';

// The demo's log providers and the environment that chooses between them and Stripe/Twilio.

type Line = { level: number; msg: string; [key: string]: unknown };

function capturingLogger(): { log: pino.Logger; lines: Line[] } {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Line);
      done();
    },
  });
  return { log: pino({ level: 'info' }, sink), lines };
}

const STRIPE = { TAPLINE_STRIPE_URL: 'http://127.0.0.1:12111', TAPLINE_STRIPE_KEY: 'sk_test_abc' };
const TWILIO = {
  TAPLINE_TWILIO_URL: 'https://api.twilio.com',
  TAPLINE_TWILIO_ACCOUNT_SID: `AC${'f'.repeat(32)}`,
  TAPLINE_TWILIO_AUTH_TOKEN: 'token',
  TAPLINE_TWILIO_FROM: '+15005550006',
};

function configError(env: Record<string, string>): ProvidersConfigError {
  try {
    parseProvidersEnv(env);
  } catch (err) {
    assert.ok(err instanceof ProvidersConfigError, String(err));
    assert.equal(err.code, 'providers_config_invalid');
    return err;
  }
  assert.fail('expected a ProvidersConfigError');
}

describe('providers from the environment', () => {
  test('nothing set: the demo log providers, said as a warning', () => {
    assert.deepEqual(parseProvidersEnv({}), { payments: { kind: 'log' }, sms: { kind: 'log' } });
    const { log, lines } = capturingLogger();
    const providers = providersFromEnv(log, { TAPLINE_STRIPE_URL: '' });
    assert.ok(providers.payments instanceof LogPayments);
    assert.ok(providers.sms instanceof LogSms);
    assert.deepEqual(
      lines.filter((l) => l.level === 40).map((l) => l.msg.split(',')[0]),
      ['payments are written to the log', 'SMS are written to the log'],
    );
  });

  test('everything set: Stripe and Twilio', () => {
    const config = parseProvidersEnv({ ...STRIPE, ...TWILIO, TAPLINE_STRIPE_TIMEOUT_MS: '5000' });
    assert.deepEqual(config.payments, { kind: 'stripe', url: STRIPE.TAPLINE_STRIPE_URL, key: 'sk_test_abc', returnUrl: undefined, timeoutMs: 5000 });
    assert.equal(config.sms.kind, 'twilio');
    const providers = providersFromEnv(pino({ level: 'silent' }), { ...STRIPE, ...TWILIO });
    assert.ok(providers.payments instanceof StripePayments);
    assert.ok(providers.sms instanceof TwilioSms);
  });

  test('half a provider is an error that names what is missing, never a silent fallback to the log', () => {
    const err = configError({ TAPLINE_STRIPE_KEY: 'sk_live_x', TAPLINE_TWILIO_AUTH_TOKEN: 't' });
    assert.equal(err.problems.length, 2);
    assert.match(err.problems[0]!, /^Stripe is partly configured: TAPLINE_STRIPE_URL is missing/);
    assert.match(err.problems[1]!, /^Twilio is partly configured: TAPLINE_TWILIO_URL and TAPLINE_TWILIO_ACCOUNT_SID and TAPLINE_TWILIO_FROM are missing/);
    assert.match(err.message, /^The payment and SMS providers are not configured correctly\. Stripe is partly configured/);
  });

  test('wrong values are each explained in a sentence', () => {
    const err = configError({
      TAPLINE_STRIPE_URL: 'http://stripe.example.com',
      TAPLINE_STRIPE_KEY: 'pk_test_abc',
      ...TWILIO,
      TAPLINE_TWILIO_ACCOUNT_SID: 'ACnothex',
      TAPLINE_TWILIO_FROM: '07700900123',
    });
    assert.deepEqual(err.problems, [
      'TAPLINE_STRIPE_URL must use https unless it points at this machine (127.0.0.1), because the key travels with every request.',
      'TAPLINE_STRIPE_KEY must be a secret key (sk_test_…, sk_live_…) or a restricted key (rk_…); a publishable key (pk_…) cannot charge cards.',
      'TAPLINE_TWILIO_ACCOUNT_SID must be a Twilio account SID: AC followed by 32 hexadecimal characters.',
      'TAPLINE_TWILIO_FROM must be a sender number in international form (like +15005550006) or a Messaging Service SID (MG…).',
    ]);
    assert.match(configError({ ...STRIPE, TAPLINE_STRIPE_URL: 'https://api.stripe.com/v1' }).problems[0]!, /only a scheme, host and port/);
  });
});

describe('log payment provider', () => {
  test('answers like a successful Stripe, logs each call, and replays a repeated key', async () => {
    const { log, lines } = capturingLogger();
    const payments = new LogPayments(log);
    const customer = await payments.createCustomer({ email: 'ana@example.com', idempotencyKey: 'c1' });
    const setup = await payments.createSetupIntent({ customerId: customer.id, idempotencyKey: 's1' });
    assert.match(setup.clientSecret ?? '', /_secret_/);
    await payments.confirmSetupIntent({ id: setup.id, paymentMethodId: 'pm_card_visa', idempotencyKey: 's1-confirm' });
    const saved = await payments.retrieveSetupIntent(setup.id);
    assert.equal(saved.status, 'succeeded');
    const card = await payments.retrievePaymentMethod(saved.paymentMethodId!);
    assert.deepEqual([card.brand, card.last4], ['visa', '4242']);

    const input = { customerId: customer.id, paymentMethodId: saved.paymentMethodId!, amount: 4500, currency: 'EUR', idempotencyKey: idempotencyKey('authorize', 'tab1', 1) };
    const first = await payments.authorize(input);
    const again = await payments.authorize(input);
    assert.ok(first.outcome === 'authorized' && again.outcome === 'authorized');
    assert.equal(again.intent.id, first.intent.id);
    assert.deepEqual([first.intent.status, first.intent.amountCapturable, first.intent.currency], ['requires_capture', 4500, 'eur']);
    // Ids come from the key: another process (after a restart) answers the same id.
    const fresh = await new LogPayments(pino({ level: 'silent' })).authorize(input);
    assert.ok(fresh.outcome === 'authorized');
    assert.equal(fresh.intent.id, first.intent.id);

    await assert.rejects(payments.authorize({ ...input, amount: 9999 }), (e: unknown) => e instanceof PaymentProviderError && e.code === 'payment_idempotency_conflict');

    const captured = await payments.capture({ paymentIntentId: first.intent.id, amountToCapture: 4000, idempotencyKey: 'cap1' });
    assert.deepEqual([captured.status, captured.amountReceived, captured.amountCapturable], ['succeeded', 4000, 0]);
    const refund = await payments.refund({ paymentIntentId: first.intent.id, amount: 500, idempotencyKey: 'ref1' });
    assert.deepEqual([refund.status, refund.amount, refund.currency], ['succeeded', 500, 'eur']);

    const authorised = lines.filter((l) => l.operation === 'authorise');
    assert.deepEqual(
      authorised.map((l) => l.replayed ?? false),
      [false, true],
    );
    assert.ok(lines.some((l) => l.operation === 'capture' && (l.args as { amountToCapture: number }).amountToCapture === 4000));
  });
});

describe('log SMS provider', () => {
  test('logs the message, derives the sid from the key, and finds what it sent', async () => {
    const { log, lines } = capturingLogger();
    const sms = new LogSms(log);
    const since = new Date(Date.now() - 1000);
    const a = await sms.send({ to: '+447700900123', body: 'Your tab: https://t.example/abc', idempotencyKey: 'order-1' });
    const b = await new LogSms(pino({ level: 'silent' })).send({ to: '+447700900123', body: 'Your tab: https://t.example/abc', idempotencyKey: 'order-1' });
    assert.match(a.sid, /^SM[0-9a-f]{32}$/);
    assert.equal(b.sid, a.sid);
    assert.equal(lines.length, 1);
    assert.deepEqual([lines[0]!.to, lines[0]!.body, lines[0]!.sid], ['+447700900123', 'Your tab: https://t.example/abc', a.sid]);

    assert.deepEqual(
      (await sms.findSent({ to: '+447700900123', since, bodyIncludes: 't.example/abc' })).map((m) => m.sid),
      [a.sid],
    );
    assert.deepEqual(await sms.findSent({ to: '+447700900999', since, bodyIncludes: 't.example/abc' }), []);
    await assert.rejects(sms.send({ to: '+447700900123', body: '   ' }), (e: unknown) => e instanceof SmsProviderError && e.code === 'sms_invalid_message');
  });
});
