import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Attendee, ConfigEntity } from '@tapline/shared';
import { and, asc, eq, sql } from 'drizzle-orm';
import { payments, smsMessages, tabPayments } from '../src/db/schema.ts';
import type { PaymentDone } from '../src/jobs/payments.ts';
import { DEMO_VENUE_ID, demoBandUid } from '../src/seed/demo-constants.ts';
import type { CloudEvents, RunningCloud } from '../src/start.ts';
import { ADMIN_TOKEN, api, startTestCloud, VENUE_KEY } from './helpers/cloud.ts';
import { createTestDatabase, databaseSkipReason, type TestDatabase } from './helpers/database.ts';
import { push, sale } from './helpers/facts.ts';
import { collect, tabWhere } from './helpers/jobs.ts';
import { type LocalProviders, providersSkipReason, startLocalProviders } from './helpers/providers.ts';

// The payment sweepers end to end: the cloud's jobs call the official stripe SDK, over HTTP, against the project's
// local Stripe, which keeps state, checks each request against Stripe's spec, replays idempotency keys and declines
// Stripe's test cards.

const skip = (await databaseSkipReason()) || providersSkipReason();
const HOUR = 3_600_000;

let bandNo = 5000;
let phoneNo = 100;

describe('card payments: holds before the event, renewals, capture after it, declines flagged', { skip, timeout: 180_000 }, () => {
  let target: TestDatabase;
  let cloud: RunningCloud;
  let local: LocalProviders;
  let admin: ReturnType<typeof api>;
  let hub: ReturnType<typeof api>;
  let done: ReturnType<typeof collect<'payments:done'>>;

  const iso = (offsetHours: number) => new Date(Date.now() + offsetHours * HOUR).toISOString();

  async function defineEvent(id: string, startsIn: number, endsIn: number): Promise<void> {
    const entities: ConfigEntity[] = [
      {
        kind: 'event',
        data: {
          id,
          name: `Event ${id}`,
          currency: 'EUR',
          timezone: 'Europe/Amsterdam',
          startsAt: iso(startsIn),
          endsAt: iso(endsIn),
          offlineBandAllowance: 5000,
          offlineTerminalTotal: 500000,
          noCardAllowance: 2500,
        },
      },
      { kind: 'product', data: { id: `${id}-beer`, eventId: id, name: 'Beer', category: 'Beer', price: 550, active: true } },
    ];
    const res = await admin.post(`/v1/admin/venues/${DEMO_VENUE_ID}/config`, { entities });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  }

  /** A band paired with an attendee whose card (a Stripe test PaymentMethod) is saved on a customer at the local Stripe. */
  async function pairBand(
    eventId: string,
    paymentMethod: string,
    extra: Partial<Attendee> = {},
    uid?: string,
    tabLimit: number | null = null,
  ): Promise<{ bandUid: string; attendee: Attendee }> {
    const n = ++bandNo;
    const bandUid = uid ?? demoBandUid(n);
    const customer = await local.providers.payments.createCustomer({ name: `Attendee ${n}`, idempotencyKey: `test-customer-${eventId}-${n}` });
    const attendee: Attendee = {
      id: `att-${n}`,
      eventId,
      firstName: 'Kim',
      lastName: null,
      email: null,
      phone: `+3162000${String(++phoneNo).padStart(4, '0')}`,
      smsConsent: false,
      card: { status: 'ready', stripeCustomerId: customer.id, stripePaymentMethodId: paymentMethod, last4: '4242' },
      ...extra,
    };
    const put = await admin.put(`/v1/admin/events/${eventId}/attendees`, { attendees: [attendee] });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const band: ConfigEntity = {
      kind: 'band',
      data: { uid: bandUid, eventId, attendeeId: attendee.id, firstName: 'Kim', status: 'active', hasCard: true, tabLimit },
    };
    assert.equal((await admin.post(`/v1/admin/venues/${DEMO_VENUE_ID}/config`, { entities: [band] })).status, 200);
    return { bandUid, attendee };
  }

  /** Resolves once `check` holds: checked now and after each `name` event from now on (no polling). */
  async function until<K extends keyof CloudEvents>(name: K, check: () => Promise<boolean>): Promise<void> {
    const events = collect(cloud, name);
    try {
      for (let seen = 0; !(await check()); seen = events.seen.length) {
        const at = seen;
        await events.waitFor(() => events.seen.length > at);
      }
    } finally {
      events.stop();
    }
  }

  const doneFor = (bandUid: string, job: PaymentDone['job'], outcome?: string) =>
    done.waitFor(([d]) => d.bandUid === bandUid && d.job === job && (outcome === undefined || d.outcome === outcome));

  const attempts = (eventId: string, bandUid: string) =>
    cloud.database.db
      .select()
      .from(payments)
      .where(and(eq(payments.eventId, eventId), eq(payments.bandUid, bandUid)))
      .orderBy(asc(payments.createdAt), asc(payments.kind), asc(payments.attempt));
  const tabPayment = async (eventId: string, bandUid: string) =>
    (await cloud.database.db.select().from(tabPayments).where(and(eq(tabPayments.eventId, eventId), eq(tabPayments.bandUid, bandUid))))[0];
  const intentsOf = (customer: string) => [...local.stripe.state.paymentIntents.values()].filter((pi) => pi.customer === customer);

  async function saleOn(eventId: string, bandUid: string, quantity: number) {
    const s = sale({ eventId, bandUid, lines: [{ productId: `${eventId}-beer`, name: 'Beer', quantity, unitPrice: 550 }] });
    const tab = tabWhere(cloud, eventId, bandUid, (t) => (t.priced as { orders: { orderId: string }[] } | null)?.orders.some((o) => o.orderId === s.id) ?? false);
    assert.equal((await hub.post('/v1/sync/push', push([s]))).status, 200);
    return tab;
  }

  before(async () => {
    target = await createTestDatabase();
    local = await startLocalProviders();
    cloud = await startTestCloud(target, {
      providers: local.providers,
      seedDemo: { venueKey: VENUE_KEY, bands: 0 },
      payments: { sweepIntervalSeconds: 1, captureDelayHours: 0, authLeadHours: 24 },
      jobSettings: { 'payments.authorize': { retryDelay: 1 }, 'payments.capture': { retryDelay: 1 }, 'sms.message': { retryDelay: 1 } },
    });
    done = collect(cloud, 'payments:done');
    admin = api(cloud.url, ADMIN_TOKEN);
    hub = api(cloud.url, VENUE_KEY);
  });
  after(async () => {
    done?.stop();
    await cloud?.close();
    await local?.close();
    await target?.drop();
  });

  test('before the event: one hold per tab (manual capture, keyed by tab and attempt); a decline is flagged and the attendee told', async () => {
    await defineEvent('pay-a', 2, 10);
    const ok = await pairBand('pay-a', 'pm_card_visa');
    const bad = await pairBand('pay-a', 'pm_card_chargeDeclinedInsufficientFunds');
    const [held] = await doneFor(ok.bandUid, 'authorize', 'authorized');
    assert.equal(held.job === 'authorize' && held.outcome === 'authorized' && held.hold.amount, 5000);
    await doneFor(bad.bandUid, 'authorize', 'declined');

    const pis = intentsOf(ok.attendee.card.stripeCustomerId!);
    assert.equal(pis.length, 1);
    assert.equal(pis[0]!.status, 'requires_capture');
    assert.equal(pis[0]!.amount, 5000);
    assert.equal(pis[0]!.capture_method, 'manual');
    const [attempt] = await attempts('pay-a', ok.bandUid);
    assert.equal(attempt!.idempotencyKey, `tapline:authorize:pay-a.${ok.bandUid}:1`);
    assert.equal(attempt!.intentId, pis[0]!.id);
    assert.equal(attempt!.status, 'succeeded');
    const creates = local.stripe.requestsTo('POST /v1/payment_intents').filter((r) => r.idempotencyKey === attempt!.idempotencyKey);
    assert.equal(creates.length, 1);
    assert.deepEqual(creates[0]!.params.metadata, { tapline_event: 'pay-a', tapline_band: ok.bandUid, tapline_attendee: ok.attendee.id, tapline_kind: 'authorize', tapline_attempt: '1' });

    // Declined: flagged for head office, and an SMS to the attendee (consent covers receipts and bulk, not this).
    const issues = await admin.get('/v1/admin/events/pay-a/payment-issues');
    assert.equal(issues.status, 200);
    assert.deepEqual(
      issues.body.issues.map((i: { bandUid: string; status: string; declineCode: string }) => [i.bandUid, i.status, i.declineCode]),
      [[bad.bandUid, 'declined', 'insufficient_funds']],
    );
    assert.match(issues.body.issues[0].reason, /insufficient funds/i);
    const noticeOf = async () =>
      (await cloud.database.db.select().from(smsMessages).where(and(eq(smsMessages.kind, 'payment_declined'), eq(smsMessages.attendeeId, bad.attendee.id))))[0];
    await until('sms:settled', async () => (await noticeOf())?.status === 'sent');
    const notice = (await noticeOf())!;
    assert.equal(local.twilio.messagesTo(bad.attendee.phone!).length, 1);
    assert.match(notice.body, /^Event pay-a: your card ending 4242 was declined for €50\.00 \(.*\)\. Please add another card: http:\/\/127\.0\.0\.1:\d+\/t\/\S+ Ref /);

    // Later sweeps add nothing: the hold covers the tab, the declined card has not changed.
    const swept = collect(cloud, 'payments:swept');
    await swept.waitFor(() => swept.seen.length >= 3);
    swept.stop();
    assert.equal((await attempts('pay-a', ok.bandUid)).length, 1);
    assert.equal((await attempts('pay-a', bad.bandUid)).length, 1);

    // The attendee saves another card: the next sweep holds on it and the flag goes.
    const put = await admin.put('/v1/admin/events/pay-a/attendees', { attendees: [{ ...bad.attendee, card: { ...bad.attendee.card, stripePaymentMethodId: 'pm_card_mastercard' } }] });
    assert.equal(put.status, 200);
    await doneFor(bad.bandUid, 'authorize', 'authorized');
    assert.equal((await tabPayment('pay-a', bad.bandUid))?.status, 'authorized');
    assert.deepEqual((await admin.get('/v1/admin/events/pay-a/payment-issues')).body.issues, []);
  });

  test('a tab that passes its hold gets a new one (total + headroom) and the old one is released; after the event the total plus tip is captured', async () => {
    await defineEvent('pay-b', -1, 5);
    assert.equal((await admin.put('/v1/admin/events/pay-b/payment-settings', { holdAmount: 1000 })).status, 200);
    const c = await pairBand('pay-b', 'pm_card_visa');
    await doneFor(c.bandUid, 'authorize', 'authorized');
    assert.equal((await tabPayment('pay-b', c.bandUid))?.holdAmount, 1000);

    await saleOn('pay-b', c.bandUid, 2); // 11.00 > 10.00 held
    await until('payments:done', async () => {
      const tp = await tabPayment('pay-b', c.bandUid);
      const rows = await attempts('pay-b', c.bandUid);
      return tp?.holdAmount === 2100 && rows.some((r) => r.kind === 'cancel' && r.status === 'succeeded');
    });
    const renewed = await attempts('pay-b', c.bandUid);
    const [first, second] = renewed.filter((r) => r.kind === 'authorize');
    assert.equal(first!.amount, 1000);
    assert.equal(second!.amount, 2100);
    assert.equal(local.stripe.state.paymentIntents.get(first!.intentId!)!.status, 'canceled');
    assert.equal(local.stripe.state.paymentIntents.get(second!.intentId!)!.status, 'requires_capture');

    // A 10% tip, then the event ends.
    assert.equal((await admin.post(`/v1/admin/events/pay-b/tabs/${c.bandUid}/tips`, { value: { type: 'percent', basisPoints: 1000 } })).status, 201);
    await tabWhere(cloud, 'pay-b', c.bandUid, (t) => t.total === 1210);
    await defineEvent('pay-b', -6, -1);
    const [captured] = await doneFor(c.bandUid, 'capture', 'captured');
    assert.equal(captured.job === 'capture' && captured.outcome === 'captured' && captured.amount, 1210);
    const pi = local.stripe.state.paymentIntents.get(second!.intentId!)!;
    assert.equal(pi.status, 'succeeded');
    assert.equal(pi.amount_received, 1210);
    const tp = await tabPayment('pay-b', c.bandUid);
    assert.equal(tp?.status, 'captured');
    assert.equal(tp?.capturedAmount, 1210);
    assert.equal(tp?.outstanding, 0);
    const captures = local.stripe.requestsTo('POST /v1/payment_intents/{intent}/capture').filter((r) => r.path.includes(second!.intentId!));
    assert.equal(captures.length, 1);
    assert.equal(captures[0]!.idempotencyKey, `tapline:capture:pay-b.${c.bandUid}:1`);
  });

  test("a big tab's new hold grows with it (total + half, above the event hold); a tab limit caps it at limit + event hold", async () => {
    await defineEvent('pay-h', -1, 5);
    assert.equal((await admin.put('/v1/admin/events/pay-h/payment-settings', { holdAmount: 1000 })).status, 200);
    const free = await pairBand('pay-h', 'pm_card_visa');
    const limited = await pairBand('pay-h', 'pm_card_visa', {}, undefined, 6000);
    await doneFor(free.bandUid, 'authorize', 'authorized');
    await doneFor(limited.bandUid, 'authorize', 'authorized');

    await saleOn('pay-h', free.bandUid, 10); // 55.00: 55.00 + 27.50 rounded up to 28.00
    await saleOn('pay-h', limited.bandUid, 10); // capped at 60.00 + 10.00
    const renewedTo = async (bandUid: string, amount: number) => {
      const rows = await attempts('pay-h', bandUid);
      return (await tabPayment('pay-h', bandUid))?.holdAmount === amount && rows.some((r) => r.kind === 'cancel' && r.status === 'succeeded');
    };
    await until('payments:done', async () => (await renewedTo(free.bandUid, 8300)) && (await renewedTo(limited.bandUid, 7000)));
    for (const [band, amount] of [[free, 8300], [limited, 7000]] as const) {
      const holds = (await attempts('pay-h', band.bandUid)).filter((r) => r.kind === 'authorize');
      assert.deepEqual(holds.map((r) => [r.amount, r.status]), [[1000, 'succeeded'], [amount, 'succeeded']]);
      assert.equal(local.stripe.state.paymentIntents.get(holds[1]!.intentId!)!.amount, amount);
    }
  });

  test('after the event: a tab with no hold is authorised for its total and captured; a card declined before and not changed is left to head office; an empty tab is settled with its hold released', async () => {
    await defineEvent('pay-c', -10, 20); // running while the sales come in
    const broke = await pairBand('pay-c', 'pm_card_chargeCustomerFail');
    const empty = await pairBand('pay-c', 'pm_card_visa');
    await doneFor(empty.bandUid, 'authorize', 'authorized');
    await doneFor(broke.bandUid, 'authorize', 'declined');
    await saleOn('pay-c', broke.bandUid, 1);
    // A band sold to before it was paired (registration reached the cloud late): no hold was ever placed.
    const late = demoBandUid(++bandNo);
    await saleOn('pay-c', late, 3);
    await defineEvent('pay-c', -10, -1);
    const paid = await pairBand('pay-c', 'pm_card_visa', {}, late);

    const [p] = await doneFor(paid.bandUid, 'capture', 'captured');
    assert.equal(p.job === 'capture' && p.outcome === 'captured' && p.amount, 1650);
    const rows = await attempts('pay-c', paid.bandUid);
    assert.deepEqual(
      rows.map((r) => [r.kind, r.attempt, r.status, r.amount]),
      [
        ['authorize', 1, 'succeeded', 1650],
        ['capture', 1, 'succeeded', 1650],
      ],
    );
    assert.equal(local.stripe.state.paymentIntents.get(rows[0]!.intentId!)!.amount_received, 1650);

    const [e] = await doneFor(empty.bandUid, 'capture', 'settled');
    assert.equal(e.outcome, 'settled');
    const emptyHold = (await attempts('pay-c', empty.bandUid)).find((r) => r.kind === 'authorize')!;
    assert.equal(local.stripe.state.paymentIntents.get(emptyHold.intentId!)!.status, 'canceled');
    assert.equal((await tabPayment('pay-c', empty.bandUid))?.status, 'settled');

    // The declined card was never changed, so the sweeper leaves that tab to head office.
    const issues = (await admin.get('/v1/admin/events/pay-c/payment-issues')).body.issues as Array<{ bandUid: string; status: string; tabTotal: number }>;
    assert.deepEqual(issues.map((i) => [i.bandUid, i.status, i.tabTotal]), [[broke.bandUid, 'declined', 550]]);
  });

  test('a renewal declined: after the event the old hold is captured in full and the rest is flagged as owed', async () => {
    await defineEvent('pay-f', -2, 4);
    assert.equal((await admin.put('/v1/admin/events/pay-f/payment-settings', { holdAmount: 1000 })).status, 200);
    const x = await pairBand('pay-f', 'pm_card_visa');
    await doneFor(x.bandUid, 'authorize', 'authorized');
    // The attendee swaps to a card that saves but declines every charge; the tab then passes its hold.
    await admin.put('/v1/admin/events/pay-f/attendees', { attendees: [{ ...x.attendee, card: { ...x.attendee.card, stripePaymentMethodId: 'pm_card_chargeCustomerFail' } }] });
    await saleOn('pay-f', x.bandUid, 2);
    await doneFor(x.bandUid, 'authorize', 'declined');
    assert.equal((await tabPayment('pay-f', x.bandUid))?.status, 'declined');
    await defineEvent('pay-f', -6, -1);
    const [c] = await doneFor(x.bandUid, 'capture', 'captured');
    assert.equal(c.job === 'capture' && c.outcome === 'captured' && c.outstanding, 100);
    const [hold] = (await attempts('pay-f', x.bandUid)).filter((r) => r.kind === 'authorize');
    assert.equal(local.stripe.state.paymentIntents.get(hold!.intentId!)!.amount_received, 1000);
    const issues = (await admin.get('/v1/admin/events/pay-f/payment-issues')).body.issues as Array<Record<string, unknown>>;
    assert.equal(issues.length, 1);
    assert.equal(issues[0]!.bandUid, x.bandUid);
    assert.equal(issues[0]!.capturedAmount, 1000);
    assert.equal(issues[0]!.outstanding, 100);
    assert.equal(issues[0]!.reason, 'Captured €10.00; €1.00 is still owed.');
  });

  test('a card Stripe does not know is a failure no retry fixes: the tab is flagged and the job is in the dead letters', async () => {
    await defineEvent('pay-g', 1, 5);
    const failed = collect(cloud, 'jobs:failed');
    // The band is paired with the unknown customer from the start: pairing a good card first would race its hold
    // against the change and leave two attempts.
    const known = await local.providers.payments.createCustomer({ name: 'Attendee pay-g', idempotencyKey: 'test-customer-pay-g-fixed' });
    const gone = await pairBand('pay-g', 'pm_card_visa', {
      card: { status: 'ready', stripeCustomerId: 'cus_deleted_at_stripe', stripePaymentMethodId: 'pm_card_visa', last4: '4242' },
    });
    const [f] = await failed.waitFor(([x]) => x.queue === 'payments.authorize' && x.deadLettered);
    failed.stop();
    assert.match(f.error, /Stripe does not know/);
    const letters = (await admin.get('/v1/admin/dead-letters?queue=payments.authorize')).body.deadLetters as Array<{ id: string; data: { bandUid: string }; errorCode: string; permanent: boolean }>;
    const letter = letters.find((l) => l.data.bandUid === gone.bandUid);
    assert.ok(letter, 'listed in the dead letters');
    assert.equal(letter.permanent, true);
    assert.equal(letter.errorCode, 'payment_not_found');
    const issues = (await admin.get('/v1/admin/events/pay-g/payment-issues')).body.issues as Array<{ bandUid: string; status: string; reason: string }>;
    assert.deepEqual(issues.map((i) => [i.bandUid, i.status]), [[gone.bandUid, 'failed']]);
    // Flagged tabs are left to head office: the sweeper does not try again on its own.
    const swept = collect(cloud, 'payments:swept');
    await swept.waitFor(() => swept.seen.length >= 2);
    swept.stop();
    assert.equal((await attempts('pay-g', gone.bandUid)).length, 1);

    // Head office fixes the card and retries the dead letter: the hold is placed and the flag goes.
    await admin.put('/v1/admin/events/pay-g/attendees', { attendees: [{ ...gone.attendee, card: { ...gone.attendee.card, stripeCustomerId: known.id } }] });
    const retried = await admin.post(`/v1/admin/dead-letters/${letter.id}/retry`, {});
    assert.equal(retried.status, 202);
    await doneFor(gone.bandUid, 'authorize', 'authorized');
    assert.equal((await tabPayment('pay-g', gone.bandUid))?.status, 'authorized');
    assert.deepEqual((await admin.get('/v1/admin/events/pay-g/payment-issues')).body.issues, []);
  });

  test('a hold that lapsed at Stripe is replaced before capturing; a hold near the end of its life is renewed', async () => {
    await defineEvent('pay-d', -30, 20);
    const lapsing = await pairBand('pay-d', 'pm_card_visa');
    const ageing = await pairBand('pay-d', 'pm_card_visa');
    await doneFor(lapsing.bandUid, 'authorize', 'authorized');
    await doneFor(ageing.bandUid, 'authorize', 'authorized');

    // Six and a half days old: within the day before Stripe would let it lapse, so the sweeper renews it.
    await cloud.database.db
      .update(payments)
      .set({ heldAt: sql`now() - interval '156 hours'` })
      .where(and(eq(payments.bandUid, ageing.bandUid), eq(payments.kind, 'authorize')));
    await until('payments:done', async () => {
      const rows = (await attempts('pay-d', ageing.bandUid)).filter((r) => r.kind === 'authorize');
      return rows.length === 2 && rows[0]!.releasedAt !== null;
    });
    const aged = (await attempts('pay-d', ageing.bandUid)).filter((r) => r.kind === 'authorize');
    assert.equal(local.stripe.state.paymentIntents.get(aged[0]!.intentId!)!.status, 'canceled');
    assert.equal(local.stripe.state.paymentIntents.get(aged[1]!.intentId!)!.status, 'requires_capture');

    await saleOn('pay-d', lapsing.bandUid, 1);
    const [hold] = (await attempts('pay-d', lapsing.bandUid)).filter((r) => r.kind === 'authorize');
    local.stripe.state.expireAuthorization(hold!.intentId!);
    await defineEvent('pay-d', -30, -1);
    const [c] = await doneFor(lapsing.bandUid, 'capture', 'captured');
    assert.equal(c.job === 'capture' && c.outcome === 'captured' && c.amount, 550);
    const rows = await attempts('pay-d', lapsing.bandUid);
    assert.deepEqual(
      rows.map((r) => [r.kind, r.attempt, r.status, r.errorCode]),
      [
        ['authorize', 1, 'succeeded', null],
        ['capture', 1, 'failed', 'hold_lapsed'],
        ['authorize', 2, 'succeeded', null],
        ['capture', 2, 'succeeded', null],
      ],
    );
    assert.equal(local.stripe.state.paymentIntents.get(rows[2]!.intentId!)!.amount_received, 550);
  });

  test('the answer to a capture is lost twice on the way back: the retry replays the same key and Stripe captures once', async () => {
    await defineEvent('pay-e', -3, 3);
    const t = await pairBand('pay-e', 'pm_card_visa');
    await doneFor(t.bandUid, 'authorize', 'authorized');
    await saleOn('pay-e', t.bandUid, 2);
    // The SDK retries a cut connection once by itself: two cuts make the job itself fail and retry.
    local.stripe.injectFault({ operation: 'POST /v1/payment_intents/{intent}/capture', action: 'drop-after-apply', times: 2 });
    const failed = collect(cloud, 'jobs:failed');
    await defineEvent('pay-e', -3, -1);
    await doneFor(t.bandUid, 'capture', 'captured');
    local.stripe.clearFaults();
    assert.ok(failed.seen.some(([f]) => f.queue === 'payments.capture' && !f.deadLettered));
    failed.stop();
    const [hold] = (await attempts('pay-e', t.bandUid)).filter((r) => r.kind === 'authorize');
    const calls = local.stripe.requestsTo('POST /v1/payment_intents/{intent}/capture').filter((r) => r.path.includes(hold!.intentId!));
    assert.ok(calls.length >= 2);
    assert.ok(calls.every((r) => r.idempotencyKey === `tapline:capture:pay-e.${t.bandUid}:1`));
    assert.equal(calls.filter((r) => !r.replayed).length, 1, 'Stripe did the capture once; every later call was a replay');
    assert.equal(local.stripe.state.paymentIntents.get(hold!.intentId!)!.amount_received, 1100);
    const captures = (await attempts('pay-e', t.bandUid)).filter((r) => r.kind === 'capture');
    assert.deepEqual(captures.map((r) => [r.attempt, r.status]), [[1, 'succeeded']]);
  });
});
