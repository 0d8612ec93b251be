import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { checkRequest, contractsAvailable, decodeForm, type LocalStripe, startLocalStripe } from '../../e2e/harness/local-stripe/index.ts';
import { freePort } from '../../e2e/harness/ports.ts';
import { PaymentProviderError, idempotencyKey } from '../src/providers/payments.ts';
import { StripePayments } from '../src/providers/stripe-payments.ts';

// The stripe provider through the official SDK over real HTTP, against the project's own local Stripe, which checks
// every request body against Stripe's OpenAPI description (../shared/contracts).

const available = contractsAvailable('stripeSpec', 'stripeFixtures');
const mustRun = process.env.CI === 'true';
if (!available.ok) console.warn(`\n!!! stripe provider tests ${mustRun ? 'FAIL under CI' : 'SKIPPED'}: ${available.reason}\n`);

const KEY = 'sk_test_tapline_local';
const quiet = pino({ level: 'silent' });

async function rejectsWith(p: Promise<unknown>, code: string): Promise<PaymentProviderError> {
  const err = await p.then(
    () => assert.fail(`expected a PaymentProviderError ${code}, got an answer`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof PaymentProviderError, `expected a PaymentProviderError, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  return err;
}

describe('stripe provider against the local Stripe', { skip: available.ok || mustRun ? false : available.reason }, () => {
  let local: LocalStripe;
  let payments: StripePayments;
  let n = 0;
  const key = (what: string) => idempotencyKey(what, `run${process.pid}`, ++n);

  before(async () => {
    local = await startLocalStripe({ apiKey: KEY });
    payments = new StripePayments({ url: local.url, key: KEY, log: quiet });
  });
  after(async () => {
    await local?.close();
  });

  /** A customer with a card saved through a SetupIntent, as the attendee's page would do with Stripe.js. */
  async function customerWithCard(card: string): Promise<{ customerId: string; paymentMethodId: string }> {
    const { id: customerId } = await payments.createCustomer({ email: 'ana@example.com', idempotencyKey: key('customer') });
    const si = await payments.createSetupIntent({ customerId, idempotencyKey: key('setup'), metadata: { attendee: 'a1' } });
    assert.equal(si.status, 'requires_payment_method');
    assert.match(si.clientSecret ?? '', new RegExp(`^${si.id}_secret_`));
    await payments.stripe.setupIntents.confirm(si.id, { payment_method: card });
    const done = await payments.retrieveSetupIntent(si.id);
    assert.equal(done.status, 'succeeded');
    assert.ok(done.paymentMethodId);
    return { customerId, paymentMethodId: done.paymentMethodId };
  }

  test('customer, SetupIntent, authorisation, partial capture and refund', async () => {
    const { customerId, paymentMethodId } = await customerWithCard('pm_card_visa');
    const pm = await payments.retrievePaymentMethod(paymentMethodId);
    assert.deepEqual({ brand: pm.brand, last4: pm.last4, customerId: pm.customerId }, { brand: 'visa', last4: '4242', customerId });

    const authKey = key('authorize');
    const auth = await payments.authorize({ customerId, paymentMethodId, amount: 5000, currency: 'EUR', idempotencyKey: authKey, metadata: { tab: 'tab-1' } });
    assert.equal(auth.outcome, 'authorized');
    const pi = auth.intent;
    assert.deepEqual(
      { status: pi.status, amount: pi.amount, amountCapturable: pi.amountCapturable, currency: pi.currency, metadata: pi.metadata },
      { status: 'requires_capture', amount: 5000, amountCapturable: 5000, currency: 'eur', metadata: { tab: 'tab-1' } },
    );
    const sent = local.requestsTo('POST /v1/payment_intents').at(-1)!;
    assert.equal(sent.idempotencyKey, authKey);
    assert.deepEqual(
      { capture_method: sent.params.capture_method, confirm: sent.params.confirm, off_session: sent.params.off_session },
      { capture_method: 'manual', confirm: true, off_session: true },
    );

    const captured = await payments.capture({ paymentIntentId: pi.id, amountToCapture: 4200, idempotencyKey: key('capture') });
    assert.deepEqual(
      { status: captured.status, amountReceived: captured.amountReceived, amountCapturable: captured.amountCapturable },
      { status: 'succeeded', amountReceived: 4200, amountCapturable: 0 },
    );

    const refund = await payments.refund({ paymentIntentId: pi.id, amount: 1000, idempotencyKey: key('refund') });
    assert.deepEqual({ status: refund.status, amount: refund.amount, paymentIntentId: refund.paymentIntentId }, { status: 'succeeded', amount: 1000, paymentIntentId: pi.id });
    // 3200 are left of the 4200 captured.
    const tooMuch = await rejectsWith(payments.refund({ paymentIntentId: pi.id, amount: 3201, idempotencyKey: key('refund') }), 'payment_request_invalid');
    assert.equal(tooMuch.details.providerCode, 'amount_too_large');
    assert.equal(tooMuch.retryable, false);
    assert.match(tooMuch.message, /Stripe refused to refund 3201.*greater than unrefunded amount/);

    const again = await rejectsWith(payments.capture({ paymentIntentId: pi.id, amountToCapture: 100, idempotencyKey: key('capture') }), 'payment_request_invalid');
    assert.equal(again.details.providerCode, 'payment_intent_unexpected_state');
  });

  test('a declined card is a decline result with Stripe’s codes, not an error', async () => {
    // Saving this card works; charging it later does not: a decline at the sweep.
    const { customerId, paymentMethodId } = await customerWithCard('pm_card_chargeCustomerFail');
    const result = await payments.authorize({ customerId, paymentMethodId, amount: 2500, currency: 'usd', idempotencyKey: key('authorize') });
    assert.equal(result.outcome, 'declined');
    assert.ok(result.outcome === 'declined');
    assert.deepEqual(result.decline, { code: 'card_declined', declineCode: 'generic_decline', message: 'Your card was declined.' });
    assert.equal(result.intent?.status, 'requires_payment_method');
    assert.equal(result.intent?.amountCapturable, 0);

    const poor = await payments.authorize({
      customerId,
      paymentMethodId: 'pm_card_chargeDeclinedInsufficientFunds',
      amount: 2500,
      currency: 'usd',
      idempotencyKey: key('authorize'),
    });
    assert.ok(poor.outcome === 'declined');
    assert.equal(poor.decline.declineCode, 'insufficient_funds');

    const needsBank = await payments.authorize({
      customerId,
      paymentMethodId: 'pm_card_authenticationRequired',
      amount: 2500,
      currency: 'usd',
      idempotencyKey: key('authorize'),
    });
    assert.ok(needsBank.outcome === 'declined');
    assert.equal(needsBank.decline.code, 'authentication_required');
  });

  test('a card declined while saving shows on the SetupIntent', async () => {
    const { id: customerId } = await payments.createCustomer({ idempotencyKey: key('customer') });
    const si = await payments.createSetupIntent({ customerId, idempotencyKey: key('setup') });
    await assert.rejects(payments.stripe.setupIntents.confirm(si.id, { payment_method: 'pm_card_chargeDeclinedInsufficientFunds' }), {
      type: 'StripeCardError',
      decline_code: 'insufficient_funds',
    });
    const after = await payments.retrieveSetupIntent(si.id);
    assert.equal(after.status, 'requires_payment_method');
    assert.equal(after.lastDecline?.declineCode, 'insufficient_funds');
  });

  test('the same idempotency key twice makes one PaymentIntent; with other parameters it is refused', async () => {
    const { customerId, paymentMethodId } = await customerWithCard('pm_card_visa');
    const before = local.state.paymentIntents.size;
    const k = key('authorize');
    const input = { customerId, paymentMethodId, amount: 1800, currency: 'usd', idempotencyKey: k };
    const first = await payments.authorize(input);
    const second = await payments.authorize(input);
    assert.ok(first.outcome === 'authorized' && second.outcome === 'authorized');
    assert.equal(second.intent.id, first.intent.id);
    assert.equal(local.state.paymentIntents.size, before + 1);
    const sent = local.requestsTo('POST /v1/payment_intents').filter((r) => r.idempotencyKey === k);
    assert.deepEqual(
      sent.map((r) => r.replayed),
      [false, true],
    );

    const conflict = await rejectsWith(payments.authorize({ ...input, amount: 1900 }), 'payment_idempotency_conflict');
    assert.equal(conflict.retryable, false);
    assert.equal(local.state.paymentIntents.size, before + 1);
  });

  test('a worker that dies after Stripe authorised and captured, retrying with the same keys, is never charged twice', async () => {
    const { customerId, paymentMethodId } = await customerWithCard('pm_card_visa');
    const before = local.state.paymentIntents.size;
    const authInput = { customerId, paymentMethodId, amount: 3000, currency: 'usd', idempotencyKey: key('authorize') };

    // The SDK retries a closed connection once by itself (stripe-node #1040): cut that retry too, as a dead worker
    // would never make it.
    local.injectFault({ operation: 'POST /v1/payment_intents', action: 'drop-after-apply', times: 2 });
    const lost = await rejectsWith(payments.authorize(authInput), 'payment_provider_unreachable');
    local.clearFaults();
    assert.equal(lost.retryable, true);
    assert.equal(local.state.paymentIntents.size, before + 1, 'the local Stripe did authorise before the connection was cut');

    const retried = await payments.authorize(authInput);
    assert.ok(retried.outcome === 'authorized');
    assert.equal(local.state.paymentIntents.size, before + 1);

    const captureInput = { paymentIntentId: retried.intent.id, amountToCapture: 2750, idempotencyKey: key('capture') };
    local.injectFault({ operation: 'POST /v1/payment_intents/{intent}/capture', action: 'drop-after-apply', times: 2 });
    await rejectsWith(payments.capture(captureInput), 'payment_provider_unreachable');
    local.clearFaults();
    const captured = await payments.capture(captureInput);
    assert.equal(captured.amountReceived, 2750);
    const charge = local.state.charges.get(local.state.paymentIntent(captured.id).latest_charge!)!;
    assert.equal(charge.amount_captured, 2750);
    const calls = local.requestsTo('POST /v1/payment_intents/{intent}/capture').filter((r) => r.idempotencyKey === captureInput.idempotencyKey);
    assert.deepEqual([calls[0]!.fault, calls[0]!.replayed], ['drop-after-apply', false]);
    assert.deepEqual([calls.at(-1)!.fault, calls.at(-1)!.replayed, calls.at(-1)!.status], [null, true, 200]);
    assert.equal(calls.filter((r) => !r.replayed).length, 1, 'Stripe executed the capture once');
  });

  test('a Stripe that takes the request and never answers times out as retryable, and the retry replays', async () => {
    // Only the call that hangs goes through the 300 ms client: on a busy machine an ordinary answer can take longer.
    const impatient = new StripePayments({ url: local.url, key: KEY, timeoutMs: 300, log: quiet });
    const { id: customerId } = await payments.createCustomer({ idempotencyKey: key('customer') });
    const input = { customerId, paymentMethodId: 'pm_card_mastercard', amount: 999, currency: 'usd', idempotencyKey: key('authorize') };
    local.injectFault({ operation: 'POST /v1/payment_intents', action: 'hang-after-apply' });
    await rejectsWith(impatient.authorize(input), 'payment_provider_unreachable');
    const retried = await payments.authorize(input);
    assert.ok(retried.outcome === 'authorized');
    assert.equal(local.requestsTo('POST /v1/payment_intents').filter((r) => r.idempotencyKey === input.idempotencyKey && r.replayed).length, 1);
  });

  test('a 500 before Stripe did anything is retryable, and the retry goes through', async () => {
    const { id: customerId } = await payments.createCustomer({ idempotencyKey: key('customer') });
    local.injectFault({ operation: 'POST /v1/payment_intents', action: { status: 500 } });
    const input = { customerId, paymentMethodId: 'pm_card_visa', amount: 700, currency: 'usd', idempotencyKey: key('authorize') };
    const err = await rejectsWith(payments.authorize(input), 'payment_provider_failed');
    assert.equal(err.retryable, true);
    assert.equal((await payments.authorize(input)).outcome, 'authorized');
  });

  test('a hold that lapsed is canceled at Stripe; re-authorising with a new attempt holds again', async () => {
    const { customerId, paymentMethodId } = await customerWithCard('pm_card_visa');
    const first = await payments.authorize({ customerId, paymentMethodId, amount: 4000, currency: 'usd', idempotencyKey: idempotencyKey('authorize', `tab${n}`, 1) });
    assert.ok(first.outcome === 'authorized');
    local.state.expireAuthorization(first.intent.id);
    const seen = await payments.retrievePaymentIntent(first.intent.id);
    assert.deepEqual({ status: seen.status, reason: seen.cancellationReason, capturable: seen.amountCapturable }, { status: 'canceled', reason: 'automatic', capturable: 0 });
    const second = await payments.authorize({ customerId, paymentMethodId, amount: 4000, currency: 'usd', idempotencyKey: idempotencyKey('authorize', `tab${n}`, 2) });
    assert.ok(second.outcome === 'authorized');
    assert.notEqual(second.intent.id, first.intent.id);
    const canceled = await payments.cancel({ paymentIntentId: second.intent.id, idempotencyKey: key('cancel'), reason: 'requested_by_customer' });
    assert.equal(canceled.status, 'canceled');
  });

  test('unknown objects, a wrong key and an unreachable Stripe are told apart', async () => {
    const missing = await rejectsWith(payments.retrievePaymentIntent('pi_doesnotexist'), 'payment_not_found');
    assert.match(missing.message, /No such payment_intent: 'pi_doesnotexist'/);

    const wrongKey = new StripePayments({ url: local.url, key: 'sk_test_someone_else', log: quiet });
    const auth = await rejectsWith(wrongKey.createCustomer({ idempotencyKey: key('customer') }), 'payment_auth_failed');
    assert.equal(auth.details.status, 401);

    const closed = new StripePayments({ url: `http://127.0.0.1:${await freePort()}`, key: KEY, log: quiet });
    const down = await rejectsWith(closed.createCustomer({ idempotencyKey: key('customer') }), 'payment_provider_unreachable');
    assert.equal(down.retryable, true);
  });
});

describe('the local Stripe checks requests against Stripe’s spec', { skip: available.ok || mustRun ? false : available.reason }, () => {
  const create = 'POST';
  const path = '/v1/payment_intents';

  test('a valid form body is accepted and typed as the schema says', () => {
    const checked = checkRequest(create, path, decodeForm('amount=1000&currency=usd&confirm=true&off_session=true&metadata[tab]=t1&payment_method_types[0]=card'));
    assert.ok(checked.ok, JSON.stringify(!checked.ok && checked.error));
    assert.deepEqual(checked.params, {
      amount: 1000,
      currency: 'usd',
      confirm: true,
      off_session: true,
      metadata: { tab: 't1' },
      payment_method_types: ['card'],
    });
  });

  test('an unknown parameter fails like Stripe: parameter_unknown, named in bracket notation', () => {
    const top = checkRequest(create, path, decodeForm('amount=1000&currency=usd&tip=200'));
    assert.ok(!top.ok);
    assert.deepEqual(top.error, { type: 'invalid_request_error', code: 'parameter_unknown', param: 'tip', message: 'Received unknown parameter: tip' });

    const nested = checkRequest(create, path, decodeForm('amount=1000&currency=usd&payment_method_options[card][hold_days]=9'));
    assert.ok(!nested.ok);
    assert.equal(nested.error.code, 'parameter_unknown');
    assert.equal(nested.error.param, 'payment_method_options[card][hold_days]');
  });

  test('a missing, mistyped or out-of-enum parameter is refused', () => {
    const noAmount = checkRequest(create, path, decodeForm('currency=usd'));
    assert.ok(!noAmount.ok);
    assert.deepEqual([noAmount.error.code, noAmount.error.param], ['parameter_missing', 'amount']);

    const words = checkRequest(create, path, decodeForm('amount=ten&currency=usd'));
    assert.ok(!words.ok);
    assert.deepEqual([words.error.code, words.error.message], ['parameter_invalid_integer', 'Invalid integer: ten']);

    const capture = checkRequest(create, path, decodeForm('amount=10&currency=usd&capture_method=later'));
    assert.ok(!capture.ok);
    assert.equal(capture.error.param, 'capture_method');
    assert.match(capture.error.message, /must be one of automatic, automatic_async, manual|must be one of automatic, manual/);
  });

  test('over HTTP a rejected body is a 400 that is not stored under its idempotency key', async () => {
    const local = await startLocalStripe();
    try {
      const post = (body: string) =>
        fetch(`${local.url}/v1/customers`, {
          method: 'POST',
          headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/x-www-form-urlencoded', 'idempotency-key': 'same-key' },
          body,
        });
      const bad = await post('email=ana%40example.com&loyalty_tier=gold');
      assert.equal(bad.status, 400);
      const body = (await bad.json()) as { error: { type: string; code: string; param: string } };
      assert.deepEqual([body.error.type, body.error.code, body.error.param], ['invalid_request_error', 'parameter_unknown', 'loyalty_tier']);
      assert.equal(local.state.customers.size, 0);

      const good = await post('email=ana%40example.com');
      assert.equal(good.status, 200);
      assert.equal(((await good.json()) as { email: string }).email, 'ana@example.com');
      assert.deepEqual(
        local.requests.map((r) => [r.status, r.replayed]),
        [
          [400, false],
          [200, false],
        ],
      );
    } finally {
      await local.close();
    }
  });
});
