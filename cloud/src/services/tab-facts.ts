import { canonicalJson, formatMoney, type PriceFix, type PricedTab, PricingError, type Refund, type TabFact, type Tip } from '@tapline/shared';
import { and, eq, sql } from 'drizzle-orm';
import type { Db, Tx } from '../db/open.ts';
import { queryRows } from '../db/raw-sql.ts';
import { orders, tabFacts } from '../db/schema.ts';
import { HttpError } from '../http/http-error.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { loadEventPricing, priceStoredBand } from './tab-pricing.ts';

type Enqueue = Pick<JobQueue, 'enqueueTabsRecompute' | 'enqueueRecalculateEvent'>;

export interface Recorded<T extends TabFact> {
  fact: T;
  /** false when the same fact (same id, same content) was already recorded: a retried request. */
  created: boolean;
}

/** What the requester chose, as opposed to what the cloud stamped (when, by whom): a retry must match on these. */
function requested(fact: TabFact): string {
  const { recordedAt: _at, recordedBy: _by, ...rest } = fact;
  return canonicalJson(rest);
}

/**
 * Facts of one event are written one at a time (the lock the tab recompute takes too), so the checks below read what
 * is really there, and the recompute that follows sees the fact.
 */
async function lockEvent(tx: Tx, eventId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'tabs:' + eventId}))`);
}

/** The stored fact with the same id: undefined when new, itself when a retry, a 409 when the id names something else. */
async function replayOf<T extends TabFact>(tx: Tx, fact: T, bandUid: string | null): Promise<T | undefined> {
  const [stored] = await tx.select().from(tabFacts).where(eq(tabFacts.id, fact.id));
  if (!stored) return undefined;
  const body = stored.body as TabFact;
  if (stored.bandUid === bandUid && requested(body) === requested(fact)) return body as T;
  throw new HttpError(409, 'conflict', `A ${body.kind.replace('_', ' ')} with id ${fact.id} was already recorded with other content; nothing was written.`);
}

async function insertFact(tx: Tx, fact: TabFact, bandUid: string | null): Promise<void> {
  await tx.insert(tabFacts).values({ id: fact.id, eventId: fact.eventId, bandUid, kind: fact.kind, body: fact, recordedAt: fact.recordedAt });
}

/**
 * Records a refund of one of the band's sales and enqueues its tab's recompute, in one transaction. The refund must
 * not take the order below zero: refunds so far plus this one stay within what the order was priced at.
 */
export async function recordRefund(
  db: Db,
  queue: Enqueue,
  bandUid: string,
  refund: Refund,
  /** Runs in the same transaction once a new refund is written (the console's audit row). */
  whenRecorded?: (tx: Tx, refund: Refund, refundable: number) => Promise<void>,
): Promise<Recorded<Refund>> {
  return db.transaction(async (tx) => {
    await lockEvent(tx, refund.eventId);
    const replay = await replayOf(tx, refund, bandUid);
    if (replay) return { fact: replay, created: false };
    const [order] = await tx
      .select({ kind: orders.kind, bandUid: orders.bandUid })
      .from(orders)
      .where(and(eq(orders.id, refund.refundsOrderId), eq(orders.eventId, refund.eventId)));
    if (!order || order.kind !== 'sale' || order.bandUid !== bandUid) {
      throw new HttpError(404, 'not_found', `Order ${refund.refundsOrderId} is not a sale on the tab of band ${bandUid} in this event.`);
    }
    const event = (await loadEventPricing(tx, refund.eventId))!;
    let priced: PricedTab;
    try {
      priced = await priceStoredBand(tx, event, bandUid);
    } catch (err) {
      if (err instanceof PricingError) throw new HttpError(409, 'conflict', `The tab cannot be priced, so nothing can be refunded yet: ${err.message}`);
      throw err;
    }
    if (priced.voidedOrderIds.includes(refund.refundsOrderId)) {
      throw new HttpError(409, 'conflict', `Order ${refund.refundsOrderId} was voided, so there is nothing left to refund on it.`);
    }
    const pricedOrder = priced.orders.find((o) => o.orderId === refund.refundsOrderId)!;
    const refundable = pricedOrder.total - pricedOrder.refunded;
    if (refund.amount > refundable) {
      throw new HttpError(
        400,
        'invalid_body',
        `amount: a refund of ${formatMoney(refund.amount, refund.currency)} is more than the ${formatMoney(refundable, refund.currency)} still refundable on order ${refund.refundsOrderId}.`,
      );
    }
    await insertFact(tx, refund, bandUid);
    await whenRecorded?.(tx, refund, refundable);
    await queue.enqueueTabsRecompute(tx, { eventId: refund.eventId, bandUids: [bandUid] });
    return { fact: refund, created: true };
  });
}

/**
 * Records the band's tip (the latest tip replaces earlier ones) and enqueues its tab's recompute, in one transaction.
 * `guard` runs in that transaction before anything is written and may refuse by throwing (the attendee's page: not
 * once the tab is being charged).
 */
export async function recordTip(db: Db, queue: Enqueue, tip: Tip, guard?: (tx: Tx) => Promise<void>): Promise<Recorded<Tip>> {
  return db.transaction(async (tx) => {
    await lockEvent(tx, tip.eventId);
    const replay = await replayOf(tx, tip, tip.bandUid);
    if (replay) return { fact: replay, created: false };
    await guard?.(tx);
    const [tab] = await queryRows<{ one: number }>(
      tx,
      sql`select 1 as one
          where exists (select 1 from orders where event_id = ${tip.eventId} and band_uid = ${tip.bandUid} and kind = 'sale')
             or exists (select 1 from tabs where event_id = ${tip.eventId} and band_uid = ${tip.bandUid})`,
    );
    if (!tab) throw new HttpError(404, 'not_found', `Band ${tip.bandUid} has no tab in this event to tip on.`);
    await insertFact(tx, tip, tip.bandUid);
    await queue.enqueueTabsRecompute(tx, { eventId: tip.eventId, bandUids: [tip.bandUid] });
    return { fact: tip, created: true };
  });
}

/** Records a price fix and the recalculation of every tab it can touch, in one transaction. */
export async function recordPriceFix(db: Db, queue: Enqueue, fix: PriceFix): Promise<Recorded<PriceFix>> {
  return db.transaction(async (tx) => {
    await lockEvent(tx, fix.eventId);
    const replay = await replayOf(tx, fix, null);
    if (replay) return { fact: replay, created: false };
    await insertFact(tx, fix, null);
    await queue.enqueueRecalculateEvent(tx, { eventId: fix.eventId, scope: { kind: 'price_fix', priceFixId: fix.id } });
    return { fact: fix, created: true };
  });
}
