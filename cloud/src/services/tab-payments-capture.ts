import { formatMoney } from '@tapline/shared';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { payments } from '../db/schema.ts';
import { PermanentJobError } from '../jobs/processor.ts';
import { recomputeTabs } from '../jobs/tabs-recompute.ts';
import { type PaymentIntentResult, PaymentProviderError } from '../providers/payments.ts';
import { attendeeOfBand } from './attendees.ts';
import {
  beginAttempt,
  describe,
  finish,
  flag,
  isStale,
  lockTab,
  metadataOf,
  pendingAttempt,
  readTabPayment,
  refuseStale,
  setTabPayment,
  type TabKey,
  type TabPaymentDeps,
  tabTotal,
  whereTab,
} from './tab-payments-attempts.ts';
import { authorizeHold, liveHold, releaseSupersededHolds } from './tab-payments-holds.ts';
import { bandHasFacts, paidByCard, pricedTotal, unpriceable } from './tab-payments-owed.ts';
import { refundOverpayment } from './tab-payments-refunds.ts';

/*
 * After the event: the tab's card charged what the tab owes, by the attempt protocol of tab-payments-attempts.ts.
 */

export type CaptureOutcome =
  | { outcome: 'captured'; amount: number; outstanding: number }
  | { outcome: 'refunded'; amount: number; paid: number }
  | { outcome: 'settled' }
  | { outcome: 'declined' | 'skipped'; reason: string };

/**
 * After the event: captures what the tab owes (orders, tip, refunds: the priced total, recomputed from its facts
 * first). A tab that owes more than its hold is authorised again for the whole total; if that is declined, the old
 * hold is captured in full and the rest stays `outstanding` on the flagged tab. A tab that owes nothing has its holds
 * released. A hold that lapsed is replaced before capturing. A tab whose card paid more than it now owes (head office
 * refunded after the capture) is paid the difference back (tab-payments-refunds.ts).
 */
export async function captureTab(deps: TabPaymentDeps, t: TabKey): Promise<CaptureOutcome> {
  const { db, provider, log } = deps;
  const recompute = async () => {
    if (!(await bandHasFacts(db, t))) return;
    const r = await recomputeTabs(db, t.eventId, [t.bandUid]);
    if (r.failed.length) throw unpriceable(t, r.failed[0]!.error);
  };
  await recompute();
  const back = await refundOverpayment(deps, t);
  if (back) return { outcome: 'refunded', amount: back.refunded, paid: back.paid };
  let changed = 0;
  for (let round = 0; round < 3; round++) {
    const plan = await db.transaction(async (tx) => {
      await lockTab(tx, t);
      const pending = await pendingAttempt(tx, t, 'capture');
      const tp = await readTabPayment(tx, t);
      return { pending, tp, total: await tabTotal(tx, t), hold: await liveHold(tx, tp) };
    });
    let row = plan.pending;
    if (!row) {
      const { tp } = plan;
      let hold = plan.hold;
      if (tp?.status === 'settled' || (tp?.status === 'captured' && tp.outstanding <= 0)) return { outcome: 'settled' };
      // What is still owed: a tab captured in part (the rest declined) is charged only the rest, on a new card.
      const paid = await paidByCard(db, t);
      const total = plan.total - paid;
      if (total <= 0) {
        await db.transaction(async (tx) => {
          await lockTab(tx, t);
          const attendeeId = tp?.attendeeId ?? (await attendeeOfBand(tx, t.eventId, t.bandUid))?.id;
          // Paid in part, then refunds brought the tab down to what was paid: captured in full after all.
          const done = paid > 0 ? ({ status: 'captured', reason: null, flaggedAt: null, declineCode: null } as const) : ({ status: 'settled' } as const);
          if (attendeeId) await setTabPayment(tx, t, attendeeId, { ...done, holdPaymentId: null, capturedAmount: paid, outstanding: 0 });
        });
        await releaseSupersededHolds(deps, t);
        log.info({ ...t }, 'nothing owed: holds released');
        return { outcome: 'settled' };
      }
      let amount = total;
      if (!hold || hold.amount < total) {
        const more = await authorizeHold(deps, t, { amount: total });
        // A resumed attempt of the sweeper's may hold less than the total: the next round asks for the rest.
        if (more.outcome === 'authorized' && more.hold.amount < total) continue;
        if (more.outcome === 'authorized') hold = more.hold;
        else if (hold) amount = hold.amount;
        else {
          const reason = more.outcome === 'declined' ? (more.payment.declineMessage ?? 'The card was declined.') : `The tab cannot be charged: ${more.reason}.`;
          await db.transaction(async (tx) => {
            await lockTab(tx, t);
            const attendeeId = tp?.attendeeId ?? (await attendeeOfBand(tx, t.eventId, t.bandUid))?.id;
            if (attendeeId) await setTabPayment(tx, t, attendeeId, { outstanding: total, ...(more.outcome === 'skipped' ? { status: 'failed', reason, flaggedAt: new Date().toISOString() } : {}) });
          });
          return { outcome: more.outcome, reason };
        }
      }
      const useHold = hold;
      const planned = plan.total;
      const begun = await db.transaction(async (tx) => {
        await lockTab(tx, t);
        const pending = await pendingAttempt(tx, t, 'capture');
        if (pending) return pending;
        // The total was read in an earlier transaction. A tip (or refund) that landed since is not in it, and once
        // the capture row below commits the tip page refuses new tips (it takes this lock and looks for that row).
        // So the tab is priced again from its facts under the lock: unchanged, or this round starts over.
        if ((await pricedTotal(tx, t)) !== planned) return undefined;
        return beginAttempt(tx, t, { kind: 'capture', attendeeId: useHold.attendeeId, amount, currency: useHold.currency, intentId: useHold.intentId });
      });
      if (!begun) {
        // Bounded apart from the lapse rounds: an attendee can change the tip only so fast.
        if (++changed > 5) throw new Error(`The tab of band ${t.bandUid} kept changing while it was being captured; try again later.`);
        log.info({ ...t, planned }, 'the tab changed while its capture was planned; pricing it again');
        await recompute();
        round--;
        continue;
      }
      row = begun;
    }
    if (isStale(row)) await refuseStale(deps, t, row);

    let captured: PaymentIntentResult | undefined;
    let lapsed = false;
    try {
      captured = await provider.capture({ paymentIntentId: row.intentId!, amountToCapture: row.amount, idempotencyKey: row.idempotencyKey, metadata: metadataOf(row) });
    } catch (err) {
      if (err instanceof PaymentProviderError && err.retryable) throw err;
      // Refused: Stripe's word on the intent decides whether it was captured already (a key past its replay) or lapsed.
      const pi = await provider.retrievePaymentIntent(row.intentId!);
      if (pi.status === 'succeeded' && pi.amountReceived === row.amount) captured = pi;
      else if (pi.status === 'canceled') lapsed = true;
      else {
        const e = describe(err);
        await db.transaction(async (tx) => {
          await lockTab(tx, t);
          if (await finish(tx, row, { status: 'failed', errorCode: e.code, error: e.message })) await flag(tx, t, row.attendeeId, 'failed', e.message);
        });
        throw new PermanentJobError(e.code ?? 'payment_failed', e.message);
      }
    }
    if (lapsed) {
      const lapsedRow = row;
      await db.transaction(async (tx) => {
        await lockTab(tx, t);
        await finish(tx, lapsedRow, { status: 'failed', errorCode: 'hold_lapsed', error: `The hold ${lapsedRow.intentId} lapsed before it was captured.` });
        await tx
          .update(payments)
          .set({ releasedAt: sql`now()`, updatedAt: sql`now()` })
          .where(and(whereTab(t), eq(payments.kind, 'authorize'), eq(payments.intentId, lapsedRow.intentId!), isNull(payments.releasedAt)));
        await setTabPayment(tx, t, lapsedRow.attendeeId, { status: 'authorizing', holdPaymentId: null });
      });
      log.warn({ ...t, intent: row.intentId }, 'the hold lapsed before capture; authorising again');
      continue;
    }
    const done = row;
    const result = await db.transaction(async (tx) => {
      await lockTab(tx, t);
      if (!(await finish(tx, done, { status: 'succeeded' }))) {
        // Another worker resumed the same attempt (same key, same answer) and recorded it first.
        const tp = await readTabPayment(tx, t);
        return { amount: tp?.capturedAmount ?? done.amount, outstanding: tp?.outstanding ?? 0, already: true };
      }
      await tx
        .update(payments)
        .set({ releasedAt: sql`now()`, updatedAt: sql`now()` })
        .where(and(whereTab(t), eq(payments.kind, 'authorize'), eq(payments.intentId, done.intentId!), isNull(payments.releasedAt)));
      const total = await tabTotal(tx, t);
      const got = await paidByCard(tx, t);
      // The tab is done with holds: anything still marked live for it is released after this transaction.
      const outstanding = Math.max(0, total - got);
      await setTabPayment(tx, t, done.attendeeId, {
        status: outstanding > 0 ? 'declined' : 'captured',
        holdPaymentId: null,
        capturedAmount: got,
        outstanding,
        ...(outstanding > 0
          ? { reason: `Captured ${formatMoney(got, done.currency.toUpperCase())}; ${formatMoney(outstanding, done.currency.toUpperCase())} is still owed.`, flaggedAt: new Date().toISOString() }
          : {}),
      });
      return { amount: got, outstanding, already: false };
    });
    if (!result.already) log.info({ ...t, intent: captured?.id, amount: result.amount, outstanding: result.outstanding }, 'tab captured');
    await releaseSupersededHolds(deps, t);
    return { outcome: 'captured', amount: result.amount, outstanding: result.outstanding };
  }
  throw new Error(`The hold of band ${t.bandUid} kept lapsing while capturing; try again later.`);
}
