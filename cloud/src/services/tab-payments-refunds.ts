import { formatMoney } from '@tapline/shared';
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Tx } from '../db/open.ts';
import { payments } from '../db/schema.ts';
import { HttpError } from '../http/http-error.ts';
import { PermanentJobError } from '../jobs/processor.ts';
import { type JobQueue, QUEUES, type TabPaymentJob } from '../jobs/queue.ts';
import { PaymentProviderError } from '../providers/payments.ts';
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
  whereTab,
} from './tab-payments-attempts.ts';
import { paidByCard, pricedTotal } from './tab-payments-owed.ts';

/*
 * Head office's refunds and the tab's card. A refund is a fact on the tab (services/tab-facts.ts); what it does to the
 * card depends on where the tab's payment is, decided under the tab's payment lock (the one every capture step takes):
 *
 *  - not charged yet: nothing to do. The capture to come prices the tab from its facts under that lock, so it
 *    includes the refund (a capture that planned its amount before the refund sees the total move and plans again);
 *  - being charged (a capture attempt is pending: its amount is fixed and may be at Stripe this moment): refused with
 *    a sentence, nothing written. Head office tries again in a minute, once the charge has an answer;
 *  - charged: the card is paid back what it paid beyond the tab's new total, by a Stripe refund. The refund is made by
 *    the payments.capture job for the tab, sent in the refund's own transaction, by the same attempt protocol as
 *    every other call (a `refund` row committed first, keyed `tapline:refund:<tab>:<attempt>`), never in the request.
 */

/** The sentence a refund is refused with while the tab's card is being charged. */
export const CHARGING_NOW =
  "This tab's card is being charged right now, so the refund was not recorded. Try again in a minute: once the charge has gone through, a refund is paid back to the card.";

/**
 * Call in the transaction that records a head-office refund, after the refund fact is written (so the tab priced here
 * includes it). Takes the tab's payment lock; refuses while a capture is in flight; when the card has paid more than
 * the tab now owes, sends the job that pays the difference back. Returns that difference (0: nothing goes to the card
 * now; the capture to come charges the lower total).
 */
export async function admitRefund(tx: Tx, queue: Pick<JobQueue, 'sendMany'>, t: TabKey): Promise<number> {
  await lockTab(tx, t);
  if (await pendingAttempt(tx, t, 'capture')) throw new HttpError(409, 'conflict', CHARGING_NOW);
  const paid = await paidByCard(tx, t);
  if (paid <= 0) return 0;
  const back = paid - (await pricedTotal(tx, t));
  if (back <= 0) return 0;
  await queue.sendMany(tx, [{ name: QUEUES.paymentsCapture, data: { eventId: t.eventId, bandUid: t.bandUid } satisfies TabPaymentJob }]);
  return back;
}

/** Captures of the tab with what is left to refund on each (refunds pending or done taken off), newest first. */
async function refundableCaptures(tx: Tx, t: TabKey): Promise<Array<{ capture: PaymentRow; left: number }>> {
  const captures = await tx
    .select()
    .from(payments)
    .where(and(whereTab(t), eq(payments.kind, 'capture'), eq(payments.status, 'succeeded')))
    .orderBy(desc(payments.createdAt), desc(payments.attempt));
  const refunded = await tx
    .select({ intentId: payments.intentId, sum: sql<string | number>`sum(${payments.amount})` })
    .from(payments)
    .where(and(whereTab(t), eq(payments.kind, 'refund'), sql`${payments.status} in ('succeeded', 'pending')`))
    .groupBy(payments.intentId);
  const back = new Map(refunded.map((r) => [r.intentId, Number(r.sum)]));
  return captures.map((capture) => ({ capture, left: capture.amount - (back.get(capture.intentId) ?? 0) }));
}

/**
 * The next refund attempt to make: one left pending (a worker died mid-call), or a new one for what the card paid
 * beyond the tab's total, on the newest capture that has something left (a tab charged on two cards may take two).
 */
async function nextRefund(tx: Tx, t: TabKey): Promise<PaymentRow | undefined> {
  await lockTab(tx, t);
  const pending = await pendingAttempt(tx, t, 'refund');
  if (pending) return pending;
  // A capture in flight settles first; it is planned from the facts, so it leaves nothing to refund.
  if (await pendingAttempt(tx, t, 'capture')) return undefined;
  const over = (await paidByCard(tx, t)) - (await pricedTotal(tx, t));
  if (over <= 0) return undefined;
  const on = (await refundableCaptures(tx, t)).find((c) => c.left > 0);
  if (!on) return undefined;
  const { capture } = on;
  return beginAttempt(tx, t, { kind: 'refund', attendeeId: capture.attendeeId, amount: Math.min(over, on.left), currency: capture.currency, intentId: capture.intentId });
}

export interface CardRefunds {
  /** Paid back to the card by this call, in minor units. */
  refunded: number;
  /** What the card has paid for the tab after them. */
  paid: number;
}

/**
 * Pays the card back what it paid beyond the tab's total (after a refund recorded once the tab was captured). Resumes
 * a refund attempt left pending first. Undefined when there was nothing to pay back.
 */
export async function refundOverpayment(deps: TabPaymentDeps, t: TabKey): Promise<CardRefunds | undefined> {
  const { db, provider, log } = deps;
  let refunded = 0;
  // Each round refunds on one capture; a tab captured on more cards than this has never existed.
  for (let round = 0; round < 4; round++) {
    const row = await db.transaction((tx) => nextRefund(tx, t));
    if (!row) break;
    if (isStale(row)) await refuseStale(deps, t, row);
    const amount = formatMoney(row.amount, row.currency.toUpperCase());
    let failure: { code: string | null; message: string } | undefined;
    try {
      const r = await provider.refund({
        paymentIntentId: row.intentId!,
        amount: row.amount,
        idempotencyKey: row.idempotencyKey,
        reason: 'requested_by_customer',
        metadata: metadataOf(row),
      });
      // A card refund is `succeeded` or, for a while, `pending`: either way Stripe has taken it on.
      if (r.status !== 'succeeded' && r.status !== 'pending') failure = { code: `refund_${r.status}`, message: `Stripe answered the refund with status ${r.status}.` };
    } catch (err) {
      if (err instanceof PaymentProviderError && err.retryable) throw err;
      failure = describe(err);
    }
    const done = await db.transaction(async (tx) => {
      await lockTab(tx, t);
      const tp = await readTabPayment(tx, t);
      if (failure) {
        const reason = `The refund of ${amount} to the card failed: ${failure.message}`;
        if (await finish(tx, row, { status: 'failed', errorCode: failure.code, error: failure.message })) await flag(tx, t, row.attendeeId, 'failed', reason);
        return undefined;
      }
      const moved = await finish(tx, row, { status: 'succeeded' });
      const paid = await paidByCard(tx, t);
      if (moved) {
        const owed = Math.max(0, (await pricedTotal(tx, t)) - paid);
        await setTabPayment(tx, t, row.attendeeId, {
          status: owed > 0 ? (tp?.status ?? 'declined') : 'captured',
          capturedAmount: paid,
          outstanding: owed,
          ...(owed > 0 ? {} : { reason: null, flaggedAt: null, declineCode: null }),
        });
      }
      return { moved: Boolean(moved), paid };
    });
    if (!done) throw new PermanentJobError(failure?.code ?? 'refund_failed', `The refund of ${amount} to the card of band ${t.bandUid} failed: ${failure?.message}`);
    if (done.moved) {
      refunded += row.amount;
      log.info({ ...t, amount: row.amount, intent: row.intentId, attempt: row.attempt }, 'refund paid back to the card');
    }
  }
  if (refunded === 0) return undefined;
  return { refunded, paid: await paidByCard(db, t) };
}
