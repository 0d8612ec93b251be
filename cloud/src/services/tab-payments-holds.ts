import { formatMoney, holdFor, newId, type Wristband } from '@tapline/shared';
import { and, eq, isNull, ne, sql } from 'drizzle-orm';
import type { Queryable, Tx } from '../db/open.ts';
import { bands, events, payments } from '../db/schema.ts';
import { PermanentJobError } from '../jobs/processor.ts';
import { PaymentProviderError } from '../providers/payments.ts';
import { attendeeOfBand } from './attendees.ts';
import { eventHoldAmount } from './payment-settings.ts';
import { queueSms } from './sms-outbox.ts';
import {
  beginAttempt,
  describe,
  finish,
  flag,
  isStale,
  lockTab,
  metadataOf,
  pendingAttempt,
  type PaymentRow,
  readTabPayment,
  refuseStale,
  setTabPayment,
  type TabKey,
  type TabPaymentDeps,
  type TabPaymentRow,
  tabTotal,
  whereTab,
} from './tab-payments-attempts.ts';

/*
 * Holds on a tab's card before and during the event: placed when the tab needs one, renewed before it lapses or when
 * the tab outgrows it, and released once another replaced it. Each Stripe call by the attempt protocol of
 * tab-payments-attempts.ts.
 */

export async function liveHold(q: Queryable, tp: TabPaymentRow | undefined): Promise<PaymentRow | undefined> {
  if (!tp?.holdPaymentId) return undefined;
  const [row] = await q
    .select()
    .from(payments)
    .where(and(eq(payments.id, tp.holdPaymentId), eq(payments.status, 'succeeded'), isNull(payments.releasedAt)));
  return row;
}

async function declinedSms(tx: Tx, deps: TabPaymentDeps, t: TabKey, row: PaymentRow, message: string): Promise<void> {
  const attendee = await attendeeOfBand(tx, t.eventId, t.bandUid);
  // A decline notice is about the attendee's own card and what they owe: it is sent to any attendee with a phone,
  // consent or not (consent covers receipts and bulk messages). See cloud/README.md.
  if (!attendee?.phone) return;
  const [event] = await tx.select({ name: events.name }).from(events).where(eq(events.id, t.eventId));
  const card = attendee.card.last4 ? `your card ending ${attendee.card.last4}` : 'your card';
  const amount = formatMoney(row.amount, row.currency.toUpperCase());
  await queueSms(tx, deps.queue, [
    {
      id: newId(),
      eventId: t.eventId,
      kind: 'payment_declined',
      dedupeKey: `payment_declined:${row.id}`,
      attendeeId: attendee.id,
      toPhone: attendee.phone,
      text: `${event?.name ?? 'Tapline'}: ${card} was declined for ${amount} (${message.replace(/\.$/, '')}). Please add another card: ${deps.links.url(t.eventId, t.bandUid)}`,
    },
  ]);
}

export type HoldOutcome =
  | { outcome: 'authorized'; hold: PaymentRow }
  | { outcome: 'declined'; payment: PaymentRow }
  | { outcome: 'skipped'; reason: string };

/** The band's tab limit (null: none), from the latest band entity head office or a desk sent. */
async function tabLimitOf(q: Queryable, t: TabKey): Promise<number | null> {
  const [row] = await q
    .select({ data: bands.data })
    .from(bands)
    .where(and(eq(bands.eventId, t.eventId), eq(bands.uid, t.bandUid)));
  return (row?.data as Wristband | undefined)?.tabLimit ?? null;
}

/** Whether a tab needs a (new) hold now, and for how much (the policy: shared/src/hold-policy.ts). */
async function holdNeeded(
  tx: Tx,
  deps: TabPaymentDeps,
  t: TabKey,
  paymentMethodId: string,
  fromSweep: boolean,
): Promise<{ amount: number; currency: string } | { skip: string }> {
  const tp = await readTabPayment(tx, t);
  const total = await tabTotal(tx, t);
  const event = await eventHoldAmount(tx, t.eventId);
  if (!event) throw new PermanentJobError('unknown_event', `There is no event "${t.eventId}".`);
  const tabLimit = await tabLimitOf(tx, t);
  const amount = { amount: holdFor({ total, eventHold: event.amount, currency: event.currency, tabLimit }), currency: event.currency };
  if (!tp || tp.status === 'authorizing') return amount;
  if (tp.status === 'captured' || tp.status === 'settled') return { skip: `the tab is already ${tp.status}` };
  // A failed tab is head office's: only their retry (the dead letter, the console's payment retry) tries again. A
  // sweep job can still get here when it was sent while the failing job was running.
  if (tp.status === 'failed') return fromSweep ? { skip: 'the tab is flagged for head office' } : amount;
  if (tp.status === 'declined') return tp.paymentMethodId === paymentMethodId ? { skip: 'the card was declined and has not changed' } : amount;
  const hold = await liveHold(tx, tp);
  if (!hold) return amount;
  const renewAt = new Date(hold.heldAt ?? hold.createdAt).getTime() + (deps.settings.holdLifetimeHours - deps.settings.renewBeforeHours) * 3_600_000;
  if (Date.now() >= renewAt) return amount;
  if (total > hold.amount) return amount;
  return { skip: 'the tab has a live hold that covers it' };
}

/**
 * Places a hold on the tab's card (a PaymentIntent with manual capture) when it needs one — none yet, a new card after
 * a decline, a hold near the end of its life, a tab past its hold — or for `amount` when given (the capture's own
 * authorisation). Resumes a pending attempt first, whatever else is true.
 */
export async function authorizeHold(deps: TabPaymentDeps, t: TabKey, options: { amount?: number; fromSweep?: boolean } = {}): Promise<HoldOutcome> {
  const { db, provider, log } = deps;
  const start = await db.transaction(async (tx): Promise<{ row: PaymentRow } | { skip: string }> => {
    await lockTab(tx, t);
    const pending = await pendingAttempt(tx, t, 'authorize');
    if (pending) return { row: pending };
    const attendee = await attendeeOfBand(tx, t.eventId, t.bandUid);
    if (!attendee) return { skip: 'the band is not paired with an attendee' };
    const { stripeCustomerId: customerId, stripePaymentMethodId: paymentMethodId } = attendee.card;
    if (attendee.card.status !== 'ready' || !customerId || !paymentMethodId) return { skip: 'the attendee has no card ready' };
    let amount: number;
    let currency: string;
    if (options.amount !== undefined) {
      const event = await eventHoldAmount(tx, t.eventId);
      if (!event) throw new PermanentJobError('unknown_event', `There is no event "${t.eventId}".`);
      amount = options.amount;
      currency = event.currency;
    } else {
      const needed = await holdNeeded(tx, deps, t, paymentMethodId, options.fromSweep ?? false);
      if ('skip' in needed) return needed;
      ({ amount, currency } = needed);
    }
    const row = await beginAttempt(tx, t, { kind: 'authorize', attendeeId: attendee.id, amount, currency, customerId, paymentMethodId });
    if (!(await readTabPayment(tx, t))) await setTabPayment(tx, t, attendee.id, { status: 'authorizing', paymentMethodId });
    return { row };
  });
  if ('skip' in start) return { outcome: 'skipped', reason: start.skip };
  const row = start.row;
  if (isStale(row)) await refuseStale(deps, t, row);

  let result;
  try {
    result = await provider.authorize({
      customerId: row.customerId!,
      paymentMethodId: row.paymentMethodId!,
      amount: row.amount,
      currency: row.currency,
      idempotencyKey: row.idempotencyKey,
      metadata: metadataOf(row),
    });
  } catch (err) {
    if (err instanceof PaymentProviderError && err.retryable) throw err;
    const e = describe(err);
    await db.transaction(async (tx) => {
      await lockTab(tx, t);
      if (await finish(tx, row, { status: 'failed', errorCode: e.code, error: e.message })) {
        await flag(tx, t, row.attendeeId, 'failed', e.message, { paymentMethodId: row.paymentMethodId });
      }
    });
    throw new PermanentJobError(e.code ?? 'payment_failed', e.message);
  }

  return db.transaction(async (tx): Promise<HoldOutcome> => {
    await lockTab(tx, t);
    if (result.outcome === 'authorized') {
      const done = await finish(tx, row, { status: 'succeeded', intentId: result.intent.id, heldAt: new Date(result.intent.created * 1000).toISOString() });
      if (done) {
        await setTabPayment(tx, t, row.attendeeId, {
          status: 'authorized',
          holdPaymentId: row.id,
          holdAmount: row.amount,
          paymentMethodId: row.paymentMethodId,
          declineCode: null,
          reason: null,
          flaggedAt: null,
        });
        log.info({ ...t, amount: row.amount, intent: result.intent.id, attempt: row.attempt }, 'card hold placed');
      }
      const [now] = await tx.select().from(payments).where(eq(payments.id, row.id));
      return now!.status === 'succeeded' ? { outcome: 'authorized', hold: now! } : { outcome: 'declined', payment: now! };
    }
    const d = result.decline;
    const done = await finish(tx, row, { status: 'declined', intentId: result.intent?.id ?? null, declineCode: d.declineCode ?? d.code, declineMessage: d.message });
    if (done) {
      await flag(tx, t, row.attendeeId, 'declined', d.message, { declineCode: d.declineCode ?? d.code, paymentMethodId: row.paymentMethodId });
      await declinedSms(tx, deps, t, row, d.message);
      log.warn({ ...t, amount: row.amount, code: d.code, declineCode: d.declineCode, attempt: row.attempt }, 'card declined; tab flagged for head office');
    }
    const [now] = await tx.select().from(payments).where(eq(payments.id, row.id));
    return now!.status === 'succeeded' ? { outcome: 'authorized', hold: now! } : { outcome: 'declined', payment: now! };
  });
}

/** Releases one hold: a cancel attempt on its PaymentIntent (resumed if pending), then the hold marked released. */
async function releaseHold(deps: TabPaymentDeps, t: TabKey, hold: PaymentRow): Promise<void> {
  const { db, provider } = deps;
  const row = await db.transaction(async (tx) => {
    await lockTab(tx, t);
    return (
      (await pendingAttempt(tx, t, 'cancel', hold.intentId!)) ??
      (await beginAttempt(tx, t, { kind: 'cancel', attendeeId: hold.attendeeId, amount: hold.amount, currency: hold.currency, intentId: hold.intentId }))
    );
  });
  if (isStale(row)) await refuseStale(deps, t, row);
  let outcome: { status: 'succeeded' | 'failed'; error?: string; errorCode?: string | null };
  try {
    await provider.cancel({ paymentIntentId: row.intentId!, idempotencyKey: row.idempotencyKey, reason: 'abandoned' });
    outcome = { status: 'succeeded' };
  } catch (err) {
    if (err instanceof PaymentProviderError && err.retryable) throw err;
    // Refused: the hold may be gone already (lapsed, captured, canceled). Stripe's word on the intent decides.
    const pi = await provider.retrievePaymentIntent(row.intentId!);
    if (pi.status !== 'canceled' && pi.status !== 'succeeded') throw new PermanentJobError(describe(err).code ?? 'payment_failed', describe(err).message);
    outcome = { status: 'failed', ...{ errorCode: describe(err).code, error: `${describe(err).message} (the hold was already ${pi.status})` } };
  }
  await db.transaction(async (tx) => {
    await lockTab(tx, t);
    await finish(tx, row, outcome);
    await tx.update(payments).set({ releasedAt: sql`now()`, updatedAt: sql`now()` }).where(and(eq(payments.id, hold.id), isNull(payments.releasedAt)));
  });
}

/** Holds of the tab that are no longer its hold (replaced by a bigger or younger one): released. */
export async function releaseSupersededHolds(deps: TabPaymentDeps, t: TabKey): Promise<number> {
  const tp = await readTabPayment(deps.db, t);
  const old = await deps.db
    .select()
    .from(payments)
    .where(
      and(
        whereTab(t),
        eq(payments.kind, 'authorize'),
        eq(payments.status, 'succeeded'),
        isNull(payments.releasedAt),
        tp?.holdPaymentId ? ne(payments.id, tp.holdPaymentId) : undefined,
      ),
    );
  for (const hold of old) await releaseHold(deps, t, hold);
  return old.length;
}

/** Authorises if needed, then releases holds it replaced. What the payments.authorize job does. */
export async function authorizeTab(deps: TabPaymentDeps, t: TabKey, origin: { fromSweep: boolean } = { fromSweep: false }): Promise<HoldOutcome> {
  const outcome = await authorizeHold(deps, t, origin);
  await releaseSupersededHolds(deps, t);
  return outcome;
}
