/**
 * "A worker killed between the Stripe call and the database commit never charges twice", with a real crash: the cloud
 * is its own OS process talking through the official stripe SDK, over HTTP, to the project's local Stripe (in this
 * process). The local Stripe applies the request and then holds the connection with no answer (`hang-after-apply`);
 * as soon as it reports the request applied, the cloud is SIGKILLed. Twice: once while placing the hold, once while
 * capturing. After each restart the sweeper finds the attempt still `pending`, repeats the call with the same
 * idempotency key and the same parameters, Stripe replays its first answer, and the database catches up: one
 * PaymentIntent, one capture.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { type Attendee, type ConfigEntity, newId } from '@tapline/shared';
import { and, eq } from 'drizzle-orm';
import { payments } from '../../cloud/src/db/schema.ts';
import { StripePayments } from '../../cloud/src/providers/stripe-payments.ts';
import { DEMO_VENUE_ID } from '../../cloud/src/seed/demo-constants.ts';
import { KILL_TEST_ADMIN_TOKEN as ADMIN_TOKEN, KILL_TEST_VENUE_KEY as VENUE_KEY, KillableCloud, killTestSkip } from '../harness/killable-cloud.ts';
import { contractsAvailable, type LocalStripe, startLocalStripe } from '../harness/local-stripe/index.ts';
import { waitFor } from '../harness/wait.ts';

const skip = await killTestSkip('payments kill test', contractsAvailable('stripeSpec', 'stripeFixtures'));

const STRIPE_KEY = 'sk_test_tapline_kill_test';
const EVENT = 'kill-pay';
const BAND = '04AABBCCDDEE01';
const HOUR = 3_600_000;

interface PaymentRow {
  kind: string;
  attempt: number;
  status: string;
  intentId: string | null;
  idempotencyKey: string;
  amount: number;
}
interface TabPaymentRow {
  status: string;
  capturedAmount: number | null;
}

describe('SIGKILL between a Stripe call and its commit never holds or charges twice', { skip, timeout: 240_000 }, () => {
  let stripe: LocalStripe;
  let cloud: KillableCloud;

  const call = async (method: string, p: string, body?: unknown, token = ADMIN_TOKEN) => {
    const res = await fetch(`${cloud.url}${p}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    assert.ok(res.status < 300, `${method} ${p}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const event = (endsIn: number): ConfigEntity => ({
    kind: 'event',
    data: {
      id: EVENT,
      name: 'Kill test',
      currency: 'EUR',
      timezone: 'Europe/Amsterdam',
      startsAt: new Date(Date.now() - 2 * HOUR).toISOString(),
      endsAt: new Date(Date.now() + endsIn * HOUR).toISOString(),
      offlineBandAllowance: 5000,
      offlineTerminalTotal: 500000,
      noCardAllowance: 2500,
    },
  });
  const paymentsNow = async () => (await call('GET', `/v1/admin/events/${EVENT}/payments?bandUid=${BAND}`)) as { payments: PaymentRow[]; tabs: TabPaymentRow[] };
  /** The attempt rows as the crash left them, read straight from the database while the cloud is down. */
  const rowsWhileDown = () => cloud.read((db) => db.select().from(payments).where(and(eq(payments.eventId, EVENT), eq(payments.bandUid, BAND))));
  const restart = () => cloud.start();

  before(async () => {
    stripe = await startLocalStripe();
    cloud = await KillableCloud.create('tapline-pay-kill-', {
      TAPLINE_DEMO_BANDS: '0',
      TAPLINE_STRIPE_URL: stripe.url,
      TAPLINE_STRIPE_KEY: STRIPE_KEY,
      // Longer than the test: the killed call must still be waiting for its answer when the kill comes.
      TAPLINE_STRIPE_TIMEOUT_MS: '120000',
      TAPLINE_PAYMENTS_SWEEP_SECONDS: '1',
      TAPLINE_CAPTURE_DELAY_HOURS: '0',
      TAPLINE_JOB_SETTINGS: JSON.stringify({ 'payments.authorize': { retryDelay: 1 }, 'payments.capture': { retryDelay: 1 } }),
    });
  });
  after(async () => {
    await cloud?.dispose();
    await stripe?.close();
  });

  test('killed while holding, then while capturing: one PaymentIntent, one capture, and the database agrees', async () => {
    const customer = await new StripePayments({ url: stripe.url, key: STRIPE_KEY, log: pino({ level: 'silent' }) }).createCustomer({
      name: 'Kim',
      idempotencyKey: `kill-test-customer-${newId()}`,
    });
    await restart();
    await call('POST', `/v1/admin/venues/${DEMO_VENUE_ID}/config`, {
      entities: [event(6), { kind: 'product', data: { id: 'kill-beer', eventId: EVENT, name: 'Beer', category: 'Beer', price: 550, active: true } }],
    });
    const attendee: Attendee = {
      id: 'kim',
      eventId: EVENT,
      firstName: 'Kim',
      lastName: null,
      email: null,
      phone: null,
      smsConsent: false,
      card: { status: 'ready', stripeCustomerId: customer.id, stripePaymentMethodId: 'pm_card_visa', last4: '4242' },
    };
    await call('PUT', `/v1/admin/events/${EVENT}/attendees`, { attendees: [attendee] });

    // 1. The hold: Stripe makes the PaymentIntent, the answer never comes, the cloud dies.
    stripe.injectFault({ operation: 'POST /v1/payment_intents', action: 'hang-after-apply' });
    const holding = stripe.nextRequest((r) => r.operation === 'POST /v1/payment_intents' && r.fault === 'hang-after-apply');
    await call('POST', `/v1/admin/venues/${DEMO_VENUE_ID}/config`, {
      entities: [{ kind: 'band', data: { uid: BAND, eventId: EVENT, attendeeId: 'kim', firstName: 'Kim', status: 'active', hasCard: true, tabLimit: null } }],
    });
    const held = await holding;
    await cloud.kill();
    const intents = () => [...stripe.state.paymentIntents.values()].filter((pi) => pi.customer === customer.id);
    assert.equal(intents().length, 1);
    assert.equal(intents()[0]!.status, 'requires_capture', 'Stripe placed the hold');
    const afterHoldKill = await rowsWhileDown();
    assert.deepEqual(
      afterHoldKill.map((r) => [r.kind, r.attempt, r.status, r.intentId]),
      [['authorize', 1, 'pending', null]],
      'the attempt was committed before the call, and its outcome never was',
    );
    assert.equal(held.idempotencyKey, afterHoldKill[0]!.idempotencyKey);

    await restart();
    await waitFor(async () => (await paymentsNow()).tabs[0]?.status === 'authorized', { timeoutMs: 60_000, what: 'the hold to be recorded after the restart' });
    assert.equal(intents().length, 1, 'still one PaymentIntent');
    const creates = stripe.requestsTo('POST /v1/payment_intents').filter((r) => r.idempotencyKey === held.idempotencyKey);
    assert.deepEqual(
      creates.map((r) => [r.fault, r.replayed]),
      [
        ['hang-after-apply', false],
        [null, true],
      ],
      'the restarted cloud repeated the same call with the same key, and Stripe replayed it',
    );
    assert.equal(creates[1]!.rawBody, creates[0]!.rawBody, 'with the same parameters');
    const hold = (await paymentsNow()).payments.find((p) => p.kind === 'authorize')!;
    assert.equal(hold.status, 'succeeded');
    assert.equal(hold.intentId, intents()[0]!.id);

    // 2. The capture: a sale, the event ends, Stripe captures, the answer never comes, the cloud dies.
    const s = {
      id: newId(),
      terminalId: 'term-kill',
      seq: 1,
      eventId: EVENT,
      stationId: 'bar-main',
      staffId: null,
      bandUid: BAND,
      createdAt: new Date().toISOString(),
      offline: false,
      kind: 'sale',
      currency: 'EUR',
      lines: [{ productId: 'kill-beer', name: 'Beer', quantity: 2, unitPrice: 550 }],
      total: 1100,
    };
    await call('POST', '/v1/sync/push', { v: 1, hubId: 'hub-kill', orders: [s] }, VENUE_KEY);
    await waitFor(async () => ((await call('GET', `/v1/admin/events/${EVENT}/tabs/${BAND}`).catch(() => ({}))) as { tab?: { total: number } }).tab?.total === 1100, {
      timeoutMs: 30_000,
      what: 'the tab to be recomputed',
    });
    stripe.injectFault({ operation: 'POST /v1/payment_intents/{intent}/capture', action: 'hang-after-apply' });
    const capturing = stripe.nextRequest((r) => r.operation === 'POST /v1/payment_intents/{intent}/capture' && r.fault === 'hang-after-apply');
    await call('POST', `/v1/admin/venues/${DEMO_VENUE_ID}/config`, { entities: [event(-1)] });
    const captured = await capturing;
    await cloud.kill();
    assert.equal(intents()[0]!.status, 'succeeded', 'Stripe captured');
    assert.equal(intents()[0]!.amount_received, 1100);
    const afterCaptureKill = (await rowsWhileDown()).filter((r) => r.kind === 'capture');
    assert.deepEqual(afterCaptureKill.map((r) => [r.attempt, r.status, r.amount]), [[1, 'pending', 1100]]);

    await restart();
    await waitFor(async () => (await paymentsNow()).tabs[0]?.status === 'captured', { timeoutMs: 60_000, what: 'the capture to be recorded after the restart' });
    const captures = stripe.requestsTo('POST /v1/payment_intents/{intent}/capture');
    assert.ok(captures.every((r) => r.idempotencyKey === captured.idempotencyKey && r.path.includes(intents()[0]!.id)));
    assert.equal(captures.filter((r) => !r.replayed).length, 1, 'Stripe captured once; the repeat was a replay');
    assert.ok(captures.some((r) => r.replayed && r.status === 200));
    assert.equal(intents().length, 1);
    assert.equal(intents()[0]!.amount_received, 1100);
    const final = await paymentsNow();
    assert.deepEqual(
      final.payments.map((p) => [p.kind, p.attempt, p.status, p.amount]),
      [
        ['authorize', 1, 'succeeded', 5000],
        ['capture', 1, 'succeeded', 1100],
      ],
    );
    assert.equal(final.tabs[0]!.capturedAmount, 1100);
  });
});
