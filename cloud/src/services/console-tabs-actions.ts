import { formatMoney, newId, PricingError, Refund } from '@tapline/shared';
import type { Db } from '../db/open.ts';
import { HttpError } from '../http/http-error.ts';
import type { JobQueue } from '../jobs/queue.ts';
import type { ConsoleCaller, ScopedEvent } from './accounts-scope.ts';
import { audit } from './audit.ts';
import { recordRefund } from './tab-facts.ts';
import { admitRefund } from './tab-payments-refunds.ts';
import { loadEventPricing, priceStoredBand } from './tab-pricing.ts';

/*
 * Head office's corrections to a tab from the console. Both are a `Refund` fact (shared/src/pricing/tab-facts.ts)
 * recorded by services/tab-facts.ts with the tab's recompute job and the audit row, in one transaction:
 *
 *  - refund: an amount of one order, at most what is still refundable on it;
 *  - void: the whole of what is still refundable on the order. A void proper (the shared `Void`) is a fact made on a
 *    terminal, with its terminal, per-terminal seq and supervisor, and it travels the order path; head office
 *    acting after the fact gives money back instead, which leaves the sale, its promotions and the venue's copy of
 *    the tab as they were, and reads the same on the tab, in the exports and on the card (a refund after capture).
 *
 * Both take the tab's payment lock before they commit (tab-payments-refunds.ts `admitRefund`): a capture running at
 * the same moment either includes the refund or, once its amount is on its way to Stripe, the refund is refused with
 * a sentence; after the capture, the card is paid back by a Stripe refund.
 */

type Enqueue = Pick<JobQueue, 'enqueueTabsRecompute' | 'enqueueRecalculateEvent' | 'sendMany'>;

/** What the console writes in front of a void's reason, so the tab, the attendee's page and the exports say it. */
export const VOID_PREFIX = 'Voided by head office: ';

export interface Correction {
  orderId: string;
  reason: string;
}

export interface Corrected {
  refund: Refund;
  /** Paid back to the card by a Stripe refund (the tab was already charged); 0 when the charge to come is lower instead. */
  toCard: number;
}

async function refundableOn(db: Db, event: ScopedEvent, bandUid: string, orderId: string): Promise<number> {
  const pricing = (await loadEventPricing(db, event.id))!;
  let priced;
  try {
    priced = await priceStoredBand(db, pricing, bandUid);
  } catch (err) {
    if (err instanceof PricingError) throw new HttpError(409, 'conflict', `The tab cannot be priced, so nothing can be voided yet: ${err.message}`);
    throw err;
  }
  if (priced.voidedOrderIds.includes(orderId)) throw new HttpError(409, 'conflict', `Order ${orderId} was already voided at the bar.`);
  const order = priced.orders.find((o) => o.orderId === orderId);
  if (!order) throw new HttpError(404, 'not_found', `Order ${orderId} is not a sale on the tab of band ${bandUid}.`);
  return order.total - order.refunded;
}

async function record(
  db: Db,
  queue: Enqueue,
  caller: ConsoleCaller,
  event: ScopedEvent,
  bandUid: string,
  fields: { orderId: string; amount: number; reason: string },
  action: 'tabs.refunded' | 'tabs.order_voided',
  reasonAsTyped: string,
): Promise<Corrected> {
  const refund: Refund = Refund.parse({
    id: newId(),
    eventId: event.id,
    recordedAt: new Date().toISOString(),
    recordedBy: caller.userId,
    kind: 'refund',
    refundsOrderId: fields.orderId,
    currency: event.currency,
    amount: fields.amount,
    reason: fields.reason,
  });
  let toCard = 0;
  const { fact } = await recordRefund(db, queue, bandUid, refund, async (tx, r) => {
    toCard = await admitRefund(tx, queue, { eventId: event.id, bandUid });
    await audit(tx, caller, action, `event:${event.id}`, {
      bandUid,
      orderId: r.refundsOrderId,
      refundId: r.id,
      amount: r.amount,
      currency: r.currency,
      text: formatMoney(r.amount, r.currency),
      reason: reasonAsTyped,
      ...(toCard > 0 ? { toCard, toCardText: formatMoney(toCard, r.currency) } : {}),
    });
  });
  return { refund: fact, toCard };
}

/** Gives `amount` back on one order of the band's tab (400 when more than is left to refund on it). */
export async function refundOrder(db: Db, queue: Enqueue, caller: ConsoleCaller, event: ScopedEvent, bandUid: string, c: Correction & { amount: number }): Promise<Corrected> {
  return record(db, queue, caller, event, bandUid, c, 'tabs.refunded', c.reason);
}

/** Takes the whole order off the tab: a refund of all that is still refundable on it (409 when nothing is). */
export async function voidOrder(db: Db, queue: Enqueue, caller: ConsoleCaller, event: ScopedEvent, bandUid: string, c: Correction): Promise<Corrected> {
  const amount = await refundableOn(db, event, bandUid, c.orderId);
  if (amount <= 0) throw new HttpError(409, 'conflict', `Order ${c.orderId} is already refunded in full; there is nothing left to void.`);
  return record(db, queue, caller, event, bandUid, { orderId: c.orderId, amount, reason: VOID_PREFIX + c.reason }, 'tabs.order_voided', c.reason);
}
