import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { and, eq, sql } from 'drizzle-orm';
import pino from 'pino';
import { auditLog, payments, tabFacts, tabPayments, users } from '../src/db/schema.ts';
import { LogPayments } from '../src/providers/log-payments.ts';
import { LogSms } from '../src/providers/log-sms.ts';
import { type PaymentProvider, PaymentProviderError } from '../src/providers/payments.ts';
import { DEMO_EVENT_ID, demoBandUid } from '../src/seed/demo-constants.ts';
import { DEMO_USERS } from '../src/services/accounts-demo.ts';
import { DEFAULT_PAYMENT_SETTINGS } from '../src/services/payment-settings.ts';
import { tabLinks } from '../src/services/tab-links.ts';
import { captureTab, CHARGING_NOW, tabRef, type TabPaymentDeps } from '../src/services/tab-payments.ts';
import type { RunningCloud } from '../src/start.ts';
import { api, startTestCloud, VENUE_KEY } from './helpers/cloud.ts';
import { type ConsoleClient, sessionClient } from './helpers/console.ts';
import { createTestDatabase, databaseSkipReason, type TestDatabase } from './helpers/database.ts';
import { push, sale } from './helpers/facts.ts';
import { nextEvent, tabWhere } from './helpers/jobs.ts';

// Head office refunds while the tab's card is being charged. The capture plans its amount in one transaction, writes
// its capture row in a later one and calls Stripe after that; a refund takes the same payment lock, so it is either in
// what is captured, or refused while the charge is at Stripe, or, after the capture, paid back to the card by a
// Stripe refund made by a job with its own attempt row and key.

const skip = await databaseSkipReason();
const silent = pino({ level: 'silent' });
type Hook = () => Promise<void>;

/** The log provider with a hook run once inside the next call of a kind (no lock is held then), and every refund asked. */
class HookedPayments {
  readonly log = new LogPayments(silent);
  readonly hooks: Partial<Record<'authorize' | 'capture' | 'refund', Hook>> = {};
  readonly refunds: Array<{ key: string; amount: number; intent: string }> = [];
  readonly provider: PaymentProvider;

  constructor() {
    const run = async (kind: 'authorize' | 'capture' | 'refund') => {
      const hook = this.hooks[kind];
      delete this.hooks[kind];
      await hook?.();
    };
    this.provider = Object.assign(Object.create(this.log) as PaymentProvider, {
      authorize: async (input: Parameters<PaymentProvider['authorize']>[0]) => {
        await run('authorize');
        return this.log.authorize(input);
      },
      capture: async (input: Parameters<PaymentProvider['capture']>[0]) => {
        await run('capture');
        return this.log.capture(input);
      },
      refund: async (input: Parameters<PaymentProvider['refund']>[0]) => {
        this.refunds.push({ key: input.idempotencyKey, amount: input.amount, intent: input.paymentIntentId });
        const answer = await this.log.refund(input);
        await run('refund');
        return answer;
      },
    });
  }
}

describe('a head-office refund while the tab is being charged', { skip, timeout: 120_000 }, () => {
  let target: TestDatabase;
  let cloud: RunningCloud;
  let manager: ConsoleClient;
  const stripe = new HookedPayments();
  const base = `/v1/console/events/${DEMO_EVENT_ID}`;

  before(async () => {
    target = await createTestDatabase();
    // No sweeper: the test runs captures itself, at the moment it chooses. The cloud's own capture worker (the one a
    // refund after capture sends its job to) shares the provider, so it refunds what this test's captures charged.
    cloud = await startTestCloud(target, {
      seedDemo: { venueKey: VENUE_KEY, bands: 4 },
      providers: { payments: stripe.provider, sms: new LogSms(silent) },
      payments: { sweepIntervalSeconds: 0 },
      jobSettings: { 'payments.capture': { retryDelay: 1 } },
    });
    const [user] = await cloud.database.db.select({ id: users.id }).from(users).where(eq(users.email, DEMO_USERS.manager.email));
    manager = await sessionClient(cloud.url, cloud.database.db, { userId: user!.id, organisationId: 'demo-festivals' });
  });
  after(async () => {
    await cloud?.close();
    await target?.drop();
  });

  const deps = (): TabPaymentDeps => ({
    db: cloud.database.db,
    queue: cloud.queue,
    provider: stripe.provider,
    links: tabLinks({ secret: 'refund-capture-race-secret', publicUrl: () => 'https://tab.example.test' }),
    log: silent,
    settings: { ...DEFAULT_PAYMENT_SETTINGS, sweepIntervalSeconds: 0 },
  });

  /** Four beers on the band, priced. */
  async function tabOf(band: number): Promise<{ bandUid: string; orderId: string }> {
    const bandUid = demoBandUid(band);
    const beers = sale({ band, lines: [{ productId: 'beer-pils', name: 'Pils 0.5 l', quantity: 4, unitPrice: 550 }] });
    const priced = tabWhere(cloud, DEMO_EVENT_ID, bandUid, (t) => t.total === 2200);
    assert.equal((await api(cloud.url, VENUE_KEY).post('/v1/sync/push', push([beers]))).status, 200);
    await priced;
    return { bandUid, orderId: beers.id };
  }

  const refund = (bandUid: string, orderId: string, amount: number) => manager.post(`${base}/tabs/${bandUid}/refunds`, { orderId, amount, reason: 'Spilled at the bar' });
  const voidIt = (bandUid: string, orderId: string) => manager.post(`${base}/tabs/${bandUid}/voids`, { orderId, reason: 'Wrong band charged' });

  const rowsOf = async (bandUid: string) =>
    (
      await cloud.database.db
        .select({ kind: payments.kind, amount: payments.amount, status: payments.status, key: payments.idempotencyKey, intent: payments.intentId })
        .from(payments)
        .where(and(eq(payments.eventId, DEMO_EVENT_ID), eq(payments.bandUid, bandUid)))
        .orderBy(payments.createdAt, payments.kind)
    ).map((r) => ({ ...r, line: `${r.kind} ${r.amount} ${r.status}` }));
  const tabPayment = async (bandUid: string) =>
    (await cloud.database.db.select().from(tabPayments).where(and(eq(tabPayments.eventId, DEMO_EVENT_ID), eq(tabPayments.bandUid, bandUid))))[0];
  const refundFacts = async (bandUid: string) =>
    Number(
      (await cloud.database.db.select({ n: sql<number>`count(*)::int` }).from(tabFacts).where(and(eq(tabFacts.bandUid, bandUid), eq(tabFacts.kind, 'refund'))))[0]!.n,
    );
  const refundAudits = async (bandUid: string) =>
    (await cloud.database.db.select({ details: auditLog.details }).from(auditLog).where(sql`${auditLog.action} in ('tabs.refunded', 'tabs.order_voided')`)).filter(
      (a) => (a.details as { bandUid?: string }).bandUid === bandUid,
    );

  test('a refund made while the capture is being planned is in what is captured', async () => {
    const { bandUid, orderId } = await tabOf(1);
    // No hold yet, so the capture authorises its total first: head office refunds one beer while Stripe is answering.
    let answered: { status: number; body: { toCard: number } } | undefined;
    stripe.hooks.authorize = async () => {
      answered = await refund(bandUid, orderId, 550);
    };
    const outcome = await captureTab(deps(), { eventId: DEMO_EVENT_ID, bandUid });
    assert.equal(answered?.status, 201, JSON.stringify(answered?.body));
    assert.equal(answered.body.toCard, 0, 'nothing was charged yet, so nothing goes back to the card');
    assert.deepEqual(outcome, { outcome: 'captured', amount: 1650, outstanding: 0 });
    // The hold for the total before the refund covers the lower one: captured at 1650, nothing refunded at Stripe.
    assert.deepEqual((await rowsOf(bandUid)).map((r) => r.line), ['authorize 2200 succeeded', 'capture 1650 succeeded']);
    assert.equal(stripe.refunds.length, 0);
  });

  test('a refund made while the charge is at Stripe is refused with a sentence, and nothing is written', async () => {
    const { bandUid, orderId } = await tabOf(2);
    let refused: { status: number; body: { error?: { code: string; message: string } } } | undefined;
    let voided: typeof refused;
    stripe.hooks.capture = async () => {
      refused = await refund(bandUid, orderId, 550);
      voided = await voidIt(bandUid, orderId);
    };
    const outcome = await captureTab(deps(), { eventId: DEMO_EVENT_ID, bandUid });
    assert.deepEqual(outcome, { outcome: 'captured', amount: 2200, outstanding: 0 });
    for (const r of [refused, voided]) {
      assert.equal(r?.status, 409, JSON.stringify(r?.body));
      assert.deepEqual(r.body.error, { code: 'conflict', message: CHARGING_NOW });
    }
    assert.equal(await refundFacts(bandUid), 0, 'no refund fact');
    assert.deepEqual(await refundAudits(bandUid), [], 'no audit row');
    assert.equal((await tabWhere(cloud, DEMO_EVENT_ID, bandUid, () => true)).total, 2200);
  });

  test('after the capture, a refund is paid back to the card by a Stripe refund, once even when its answer is lost', async () => {
    const { bandUid, orderId } = await tabOf(3);
    assert.deepEqual(await captureTab(deps(), { eventId: DEMO_EVENT_ID, bandUid }), { outcome: 'captured', amount: 2200, outstanding: 0 });
    const [capture] = (await rowsOf(bandUid)).filter((r) => r.kind === 'capture');

    // The first refund's answer is lost on the way back (the call took effect at Stripe): the job fails and its retry
    // replays the same attempt with the same key.
    stripe.hooks.refund = async () => {
      throw new PaymentProviderError('payment_provider_unreachable', 'simulated: the connection dropped after Stripe refunded', { retryable: true });
    };
    const lost = nextEvent(cloud, 'jobs:failed', (f) => f.queue === 'payments.capture');
    const first = nextEvent(cloud, 'payments:done', (d) => d.bandUid === bandUid && d.job === 'capture');
    const r1 = await refund(bandUid, orderId, 550);
    assert.equal(r1.status, 201, JSON.stringify(r1.body));
    assert.equal(r1.body.toCard, 550);
    const [failure] = await lost;
    assert.equal(failure.deadLettered, false);
    const [done1] = await first;
    assert.deepEqual({ outcome: done1.outcome, ...(done1.outcome === 'refunded' ? { amount: done1.amount, paid: done1.paid } : {}) }, { outcome: 'refunded', amount: 550, paid: 1650 });

    // Head office then voids what is left of the order: the rest goes back too, on the same charge.
    const second = nextEvent(cloud, 'payments:done', (d) => d.bandUid === bandUid && d.job === 'capture');
    const r2 = await voidIt(bandUid, orderId);
    assert.equal(r2.status, 201, JSON.stringify(r2.body));
    assert.deepEqual([r2.body.refund.amount, r2.body.toCard], [1650, 1650]);
    const [done2] = await second;
    assert.equal(done2.outcome, 'refunded');

    const ref = tabRef({ eventId: DEMO_EVENT_ID, bandUid });
    const rows = await rowsOf(bandUid);
    assert.deepEqual(
      rows.filter((r) => r.kind === 'refund').map((r) => [r.amount, r.status, r.key, r.intent]),
      [
        [550, 'succeeded', `tapline:refund:${ref}:1`, capture!.intent],
        [1650, 'succeeded', `tapline:refund:${ref}:2`, capture!.intent],
      ],
    );
    // Stripe was asked three times (the lost answer's key twice) and refunded twice: 550 + 1650, all of the charge.
    assert.deepEqual(
      stripe.refunds.map((r) => [r.key, r.amount]),
      [
        [`tapline:refund:${ref}:1`, 550],
        [`tapline:refund:${ref}:1`, 550],
        [`tapline:refund:${ref}:2`, 1650],
      ],
    );
    const tp = await tabPayment(bandUid);
    assert.deepEqual([tp?.status, tp?.capturedAmount, tp?.outstanding], ['captured', 0, 0]);
    const audits = await refundAudits(bandUid);
    assert.deepEqual(
      audits.map((a) => (a.details as { toCard?: number }).toCard),
      [550, 1650],
    );
  });

  test('a refund after the card is paid back in full has nothing left to refund and is refused before the card', async () => {
    const { bandUid, orderId } = await tabOf(4);
    assert.equal((await captureTab(deps(), { eventId: DEMO_EVENT_ID, bandUid })).outcome, 'captured');
    const done = nextEvent(cloud, 'payments:done', (d) => d.bandUid === bandUid && d.job === 'capture');
    assert.equal((await voidIt(bandUid, orderId)).status, 201);
    assert.equal((await done)[0].outcome, 'refunded');
    const before = stripe.refunds.length;
    const again = await refund(bandUid, orderId, 1);
    assert.equal(again.status, 400, JSON.stringify(again.body));
    assert.match(again.body.error.message, /still refundable/);
    assert.equal(stripe.refunds.length, before);
  });
});
