import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { and, eq, sql } from 'drizzle-orm';
import pino from 'pino';
import Stripe from 'stripe';
import { attendees, configChanges } from '../src/db/schema.ts';
import { StripePayments } from '../src/providers/stripe-payments.ts';
import { DEMO_EVENT_ID } from '../src/seed/demo-constants.ts';
import type { RunningCloud } from '../src/start.ts';
import { startTestCloud } from './helpers/cloud.ts';
import { createTestDatabase, databaseSkipReason, type TestDatabase } from './helpers/database.ts';
import { type LocalProviders, providersSkipReason, STRIPE_KEY, startLocalProviders } from './helpers/providers.ts';

/*
 * The card page against the local Stripe (every request checked against Stripe's OpenAPI): Customer and off-session
 * SetupIntent made once, the test-card path, and the two ways a card made with Stripe.js comes back: the signed
 * `setup_intent.*` webhook and the return URL. Stripe's state is the truth: an event is only a hint to read it.
 */

const skip = (await databaseSkipReason()) || providersSkipReason();
const WEBHOOK_SECRET = 'whsec_tapline_card_tests_0123456789';

describe('card setup through the stripe SDK against the local Stripe', { skip, timeout: 120_000 }, () => {
  let target: TestDatabase;
  let cloud: RunningCloud;
  let local: LocalProviders;
  let payments: StripePayments;
  let n = 0;

  const get = (path: string) => fetch(cloud.url + path, { redirect: 'manual' });
  const row = async (id: string) => (await cloud.database.db.select().from(attendees).where(and(eq(attendees.eventId, DEMO_EVENT_ID), eq(attendees.id, id))))[0]!;
  const published = async (id: string) =>
    (await cloud.database.db.select({ n: sql<number>`count(*)::int` }).from(configChanges).where(and(eq(configChanges.kind, 'attendee'), eq(configChanges.entityKey, id))))[0]!.n;

  /** A registered attendee with their card page opened once: returns their id, card path and SetupIntent. */
  async function registeredWithCardPage(): Promise<{ id: string; cardPath: string; setupIntentId: string }> {
    const form = await (await get(`/e/${DEMO_EVENT_ID}/register`)).text();
    const formToken = /name="formToken" value="([^"]+)"/.exec(form)![1]!;
    const email = `card${++n}@example.com`;
    const res = await fetch(`${cloud.url}/e/${DEMO_EVENT_ID}/register`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ formToken, firstName: 'Card', lastName: `Tester ${n}`, email }).toString(),
    });
    assert.equal(res.status, 303);
    const cardPath = res.headers.get('location')!;
    assert.equal((await get(cardPath)).status, 200);
    const [a] = await cloud.database.db.select().from(attendees).where(eq(attendees.email, email));
    assert.ok(a?.stripeSetupIntentId);
    return { id: a.id, cardPath, setupIntentId: a.stripeSetupIntentId };
  }

  const webhook = (type: string, object: unknown, secret = WEBHOOK_SECRET) => {
    const payload = JSON.stringify({ id: `evt_test_${++n}`, object: 'event', type, api_version: '2023-10-16', created: Math.floor(Date.now() / 1000), livemode: false, data: { object } });
    return fetch(`${cloud.url}/v1/stripe/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload, secret }) },
      body: payload,
    });
  };

  before(async () => {
    target = await createTestDatabase();
    local = await startLocalProviders();
    payments = new StripePayments({ url: local.stripe.url, key: STRIPE_KEY, webhookSecret: WEBHOOK_SECRET, timeoutMs: 5000, log: pino({ level: 'silent' }) });
    cloud = await startTestCloud(target, { providers: { payments, sms: local.providers.sms } });
  });
  after(async () => {
    await cloud?.close();
    await local?.close();
    await target?.drop();
  });

  test('the card page makes one Customer and one off-session SetupIntent, accepted by the spec, and reuses them', async () => {
    const before = local.stripe.requests.length;
    const { cardPath, setupIntentId } = await registeredWithCardPage();
    const made = local.stripe.requests.slice(before);
    const customers = made.filter((r) => r.operation === 'POST /v1/customers');
    const setups = made.filter((r) => r.operation === 'POST /v1/setup_intents');
    assert.deepEqual(
      [customers.length, setups.length, customers[0]!.status, setups[0]!.status],
      [1, 1, 200, 200],
    );
    assert.match(customers[0]!.idempotencyKey ?? '', /^tapline:customer:/);
    assert.match(setups[0]!.idempotencyKey ?? '', /^tapline:setup:[0-9a-f]{32}:1$/);
    assert.equal(setups[0]!.params.usage, 'off_session');
    assert.equal(local.stripe.state.setupIntent(setupIntentId).usage, 'off_session');
    const after = local.stripe.requests.length;
    assert.equal((await get(cardPath)).status, 200);
    const again = local.stripe.requests.slice(after).map((r) => r.operation);
    assert.deepEqual(again, ['GET /v1/setup_intents/{intent}'], 'a reload only reads the SetupIntent');
  });

  test('Stripe test mode without a publishable key offers test cards; one confirms the SetupIntent and the card is ready', async () => {
    const { id, cardPath, setupIntentId } = await registeredWithCardPage();
    const page = await (await get(cardPath)).text();
    assert.match(page, /Test mode/);
    const formToken = /name="formToken" value="([^"]+)"/.exec(page)![1]!;
    const res = await fetch(`${cloud.url}${cardPath}/test-card`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ formToken, paymentMethod: 'pm_card_visa' }).toString(),
    });
    assert.equal(res.status, 303);
    assert.match(res.headers.get('location') ?? '', /\/confirmation\//);
    const [confirm] = local.stripe.requestsTo('POST /v1/setup_intents/{intent}/confirm').filter((r) => r.path.includes(setupIntentId));
    assert.ok(confirm);
    assert.equal(confirm.status, 200);
    assert.equal(confirm.params.payment_method, 'pm_card_visa');
    const a = await row(id);
    const si = local.stripe.state.setupIntent(setupIntentId);
    assert.deepEqual([a.cardStatus, a.cardLast4, a.stripePaymentMethodId, a.stripeCustomerId], ['ready', '4242', si.payment_method, si.customer]);
  });

  test('setup_intent.succeeded: the card saved with Stripe.js becomes ready, once, however often the event comes', async () => {
    const { id, setupIntentId } = await registeredWithCardPage();
    // What Stripe.js does in the attendee's browser with the client secret.
    const confirmed = await payments.stripe.setupIntents.confirm(setupIntentId, { payment_method: 'pm_card_mastercard' });
    assert.equal((await row(id)).cardStatus, 'none', 'nothing is known before Stripe says so');
    const changed = new Promise((resolve) => cloud.events.once('cards:changed', resolve));
    const res = await webhook('setup_intent.succeeded', confirmed);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { received: true, cardStatus: 'ready' });
    assert.deepEqual(await changed, { eventId: DEMO_EVENT_ID, attendeeId: id, status: 'ready', via: 'webhook' });
    const a = await row(id);
    assert.deepEqual([a.cardStatus, a.cardLast4], ['ready', '4444']);
    const entities = await published(id);
    assert.equal((await webhook('setup_intent.succeeded', confirmed)).status, 200);
    assert.equal(await published(id), entities, 'a repeated event publishes nothing');
  });

  test('a webhook with a wrong signature is refused; a forged "succeeded" cannot beat what Stripe says', async () => {
    const { id, setupIntentId } = await registeredWithCardPage();
    const forged = { ...local.stripe.state.setupIntent(setupIntentId), status: 'succeeded', payment_method: 'pm_card_visa' };
    const bad = await webhook('setup_intent.succeeded', forged, 'whsec_not_the_secret');
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: { code: string } }).error.code, 'unauthorized');
    // Correctly signed but claiming more than Stripe knows (a replayed or reordered event): Stripe is read again.
    assert.equal((await webhook('setup_intent.succeeded', forged)).status, 200);
    assert.equal((await row(id)).cardStatus, 'none');
  });

  test('setup_intent.setup_failed: a declined card is failed with the reason, and a retry can still succeed', async () => {
    const { id, cardPath, setupIntentId } = await registeredWithCardPage();
    await assert.rejects(payments.stripe.setupIntents.confirm(setupIntentId, { payment_method: 'pm_card_chargeDeclinedInsufficientFunds' }), { type: 'StripeCardError' });
    assert.equal((await webhook('setup_intent.setup_failed', local.stripe.state.setupIntent(setupIntentId))).status, 200);
    const failed = await row(id);
    assert.equal(failed.cardStatus, 'failed');
    assert.match(failed.cardError ?? '', /insufficient funds/i);
    assert.match(await (await get(cardPath)).text(), /Your card was not saved/);
    // The same SetupIntent takes another card (Stripe leaves it in requires_payment_method).
    await payments.stripe.setupIntents.confirm(setupIntentId, { payment_method: 'pm_card_visa' });
    const back = await get(`${cardPath}/return?setup_intent=${setupIntentId}&redirect_status=succeeded`);
    assert.equal(back.status, 303);
    assert.match(back.headers.get('location') ?? '', /\/confirmation\//);
    assert.deepEqual([(await row(id)).cardStatus, (await row(id)).cardError], ['ready', null]);
  });

  test('the local Stripe delivers setup_intent.succeeded signed as Stripe signs; the SDK checks it and the card is ready', async () => {
    const { id, setupIntentId } = await registeredWithCardPage();
    local.stripe.setWebhookEndpoint({ url: `${cloud.url}/v1/stripe/webhook`, secret: WEBHOOK_SECRET });
    try {
      const changed = new Promise((resolve) => {
        const on = (c: { attendeeId: string }) => {
          if (c.attendeeId !== id) return;
          cloud.events.off('cards:changed', on);
          resolve(c);
        };
        cloud.events.on('cards:changed', on);
      });
      // Stripe.js in the attendee's browser; nobody calls the return URL: the webhook alone completes it.
      await payments.stripe.setupIntents.confirm(setupIntentId, { payment_method: 'pm_card_visa' });
      const delivery = await local.stripe.webhooks.nextDelivery((d) => d.objectId === setupIntentId);
      assert.deepEqual([delivery.type, delivery.status], ['setup_intent.succeeded', 200]);
      assert.deepEqual(await changed, { eventId: DEMO_EVENT_ID, attendeeId: id, status: 'ready', via: 'webhook' });
      assert.deepEqual([(await row(id)).cardStatus, (await row(id)).cardLast4], ['ready', '4242']);
    } finally {
      local.stripe.setWebhookEndpoint(null);
    }
  });

  test('an endpoint signed with another secret is refused and changes nothing', async () => {
    const { id, setupIntentId } = await registeredWithCardPage();
    local.stripe.setWebhookEndpoint({ url: `${cloud.url}/v1/stripe/webhook`, secret: 'whsec_someone_else' });
    try {
      await payments.stripe.setupIntents.confirm(setupIntentId, { payment_method: 'pm_card_visa' });
      const delivery = await local.stripe.webhooks.nextDelivery((d) => d.objectId === setupIntentId);
      assert.equal(delivery.status, 400);
      assert.equal((await row(id)).cardStatus, 'none');
    } finally {
      local.stripe.setWebhookEndpoint(null);
    }
  });

  test('a different card through Stripe.js: a second SetupIntent, the old card stays until the return URL says the new one is saved', async () => {
    const { id, cardPath, setupIntentId } = await registeredWithCardPage();
    await payments.stripe.setupIntents.confirm(setupIntentId, { payment_method: 'pm_card_visa' });
    assert.equal((await get(`${cardPath}/return?setup_intent=${setupIntentId}`)).status, 303);
    const first = await row(id);
    assert.deepEqual([first.cardStatus, first.cardLast4], ['ready', '4242']);

    assert.equal((await get(`${cardPath}?replace=1`)).status, 200);
    assert.equal((await get(`${cardPath}?replace=1`)).status, 200);
    const replacing = await row(id);
    assert.notEqual(replacing.stripeSetupIntentId, setupIntentId);
    assert.equal(replacing.cardSetupAttempt, 2, 'one new SetupIntent however often the page is opened');
    assert.match(local.stripe.requestsTo('POST /v1/setup_intents').at(-1)!.idempotencyKey ?? '', /:2$/);
    assert.deepEqual([replacing.cardStatus, replacing.stripePaymentMethodId], ['ready', first.stripePaymentMethodId]);
    // A late event about the first SetupIntent is not the stored one any more: nothing changes.
    assert.equal((await webhook('setup_intent.succeeded', local.stripe.state.setupIntent(setupIntentId))).status, 200);

    await payments.stripe.setupIntents.confirm(replacing.stripeSetupIntentId!, { payment_method: 'pm_card_mastercard' });
    assert.equal((await get(`${cardPath}/return?setup_intent=${replacing.stripeSetupIntentId}`)).status, 303);
    const after = await row(id);
    assert.deepEqual([after.cardStatus, after.cardLast4, after.stripeCustomerId], ['ready', '4444', first.stripeCustomerId]);
    assert.notEqual(after.stripePaymentMethodId, first.stripePaymentMethodId);
  });

  test("the return URL only reads the attendee's own SetupIntent", async () => {
    const mine = await registeredWithCardPage();
    const other = await registeredWithCardPage();
    await payments.stripe.setupIntents.confirm(other.setupIntentId, { payment_method: 'pm_card_visa' });
    const res = await get(`${mine.cardPath}/return?setup_intent=${other.setupIntentId}`);
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), mine.cardPath);
    assert.equal((await row(mine.id)).cardStatus, 'none');
    assert.equal((await row(other.id)).cardStatus, 'none', 'nor does it touch the other attendee');
  });
});
