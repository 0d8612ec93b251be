import { PricingError } from '@tapline/shared';
import { and, eq, sql } from 'drizzle-orm';
import type { Queryable } from '../db/open.ts';
import { orders, payments, tabFacts } from '../db/schema.ts';
import { PermanentJobError } from '../jobs/processor.ts';
import { type TabKey, whereTab } from './tab-payments-attempts.ts';
import { loadEventPricing, priceStoredBand } from './tab-pricing.ts';

/* What a tab owes and what its card has paid: the two figures a capture and a refund after it reconcile. */

export async function bandHasFacts(q: Queryable, t: TabKey): Promise<boolean> {
  const [o] = await q.select({ one: sql`1` }).from(orders).where(and(eq(orders.eventId, t.eventId), eq(orders.bandUid, t.bandUid))).limit(1);
  if (o) return true;
  const [f] = await q.select({ one: sql`1` }).from(tabFacts).where(and(eq(tabFacts.eventId, t.eventId), eq(tabFacts.bandUid, t.bandUid))).limit(1);
  return !!f;
}

export const unpriceable = (t: TabKey, err: PricingError) =>
  new PermanentJobError(err.code, `The tab of band ${t.bandUid} cannot be priced, so its card is not charged or refunded: ${err.message}`);

/** The tab's total priced from its facts as they are now (the `tabs` row may lag behind a fact's recompute job). */
export async function pricedTotal(q: Queryable, t: TabKey): Promise<number> {
  if (!(await bandHasFacts(q, t))) return 0;
  const event = await loadEventPricing(q, t.eventId);
  if (!event) throw new PermanentJobError('unknown_event', `There is no event "${t.eventId}".`);
  try {
    return (await priceStoredBand(q, event, t.bandUid)).total;
  } catch (err) {
    throw err instanceof PricingError ? unpriceable(t, err) : err;
  }
}

/**
 * What the card has paid for the tab: captures that succeeded less refunds to it. A refund still `pending` counts as
 * paid back already: it is replayed with its own key until Stripe answers, so it must not be asked for a second time.
 */
export async function paidByCard(q: Queryable, t: TabKey): Promise<number> {
  const [row] = await q
    .select({
      sum: sql<string | number>`coalesce(sum(case when ${payments.kind} = 'capture' then ${payments.amount} else -${payments.amount} end), 0)`,
    })
    .from(payments)
    .where(
      and(
        whereTab(t),
        sql`((${payments.kind} = 'capture' and ${payments.status} = 'succeeded') or (${payments.kind} = 'refund' and ${payments.status} in ('succeeded', 'pending')))`,
      ),
    );
  return Number(row?.sum ?? 0);
}
