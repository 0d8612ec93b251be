import { type PricedTab, PricingError, type Sale, type Tip } from '@tapline/shared';
import { sql } from 'drizzle-orm';
import type { Queryable } from '../db/open.ts';
import { queryRows } from '../db/raw-sql.ts';
import { loadBandFacts, loadEventPricing, priceBand } from '../services/tab-pricing.ts';

/** Everything the attendee's tab page and receipt show, read for one band. */
export interface TabPageData {
  event: { id: string; name: string; currency: string; timezone: string; startsAt: string | null; endsAt: string | null };
  bandUid: string;
  attendee: { firstName: string | null; cardStatus: 'none' | 'pending' | 'ready' | 'failed'; cardLast4: string | null } | null;
  /**
   * The tab priced from its facts as they are now (the same `priceTab` the recompute job runs, for one band), so a tip
   * shows at once; null when the band has no facts or they cannot be priced (`pricingError` says why).
   */
  priced: PricedTab | null;
  pricingError: string | null;
  /** Every sale on the band, voided ones included, by the terminals' order: voided orders are shown struck through. */
  sales: Sale[];
  /** The tip that counts (the latest fact), if any. */
  tip: Tip | null;
  stationNames: Map<string, string>;
  promotionNames: Map<string, string>;
  payment: { status: string; capturedAmount: number | null; outstanding: number } | null;
  /** Why the tip can no longer change; null while it can. */
  tipClosed: string | null;
}

interface EventRow {
  id: string;
  name: string;
  currency: string;
  data: { timezone?: string; startsAt?: string; endsAt?: string };
}

/**
 * Why a tip may not be set on this tab any more, or null. Once the tab is captured or settled, or a capture has been
 * started, a new tip could not be charged with it. Read under the tab's payment lock (the one the capture takes) when
 * called from `recordTip`'s guard.
 */
export async function tipClosedReason(q: Queryable, eventId: string, bandUid: string): Promise<string | null> {
  const [row] = await queryRows<{ status: string | null; capturing: boolean }>(
    q,
    sql`select (select status from tab_payments where event_id = ${eventId} and band_uid = ${bandUid}) as status,
               exists (select 1 from payments where event_id = ${eventId} and band_uid = ${bandUid} and kind = 'capture') as capturing`,
  );
  if (row?.status === 'captured' || row?.status === 'settled' || row?.capturing) {
    return 'This tab has already been charged, so the tip can no longer be changed.';
  }
  return null;
}

/** Takes the lock the payment jobs take on this tab (services/tab-payments.ts `lockTab`): a capture cannot start meanwhile. */
export async function lockTabPayment(q: Queryable, eventId: string, bandUid: string): Promise<void> {
  await q.execute(sql`select pg_advisory_xact_lock(hashtext(${`pay|${eventId}|${bandUid}`}))`);
}

function latestTip(tips: Tip[]): Tip | null {
  let best: Tip | null = null;
  for (const t of tips) {
    if (!best || t.recordedAt > best.recordedAt || (t.recordedAt === best.recordedAt && t.id > best.id)) best = t;
  }
  return best;
}

/** The page's data, or undefined when the event does not exist. A band without facts gets an empty tab. */
export async function loadTabPage(q: Queryable, eventId: string, bandUid: string): Promise<TabPageData | undefined> {
  const [event] = await queryRows<EventRow>(q, sql`select id, name, currency, data from events where id = ${eventId}`);
  if (!event) return undefined;
  const pricing = (await loadEventPricing(q, eventId))!;
  const facts = (await loadBandFacts(q, eventId, [bandUid])).get(bandUid)!;
  let priced: PricedTab | null = null;
  let pricingError: string | null = null;
  if (facts.sales.length + facts.voids.length + facts.refunds.length + facts.tips.length > 0) {
    try {
      priced = priceBand(pricing, facts);
    } catch (err) {
      if (!(err instanceof PricingError)) throw err;
      pricingError = err.message;
    }
  }
  const [attendee] = await queryRows<{ first_name: string | null; card_status: NonNullable<TabPageData['attendee']>['cardStatus']; card_last4: string | null }>(
    q,
    sql`select a.first_name, a.card_status, a.card_last4
        from bands b join attendees a on a.event_id = b.event_id and a.id = b.attendee_id
        where b.event_id = ${eventId} and b.uid = ${bandUid}`,
  );
  const stations = await queryRows<{ id: string; name: string }>(
    q,
    sql`select distinct on (entity_key) entity_key as id, data->>'name' as name
        from config_changes where venue_id = ${pricing.venueId} and kind = 'station' and data->>'eventId' = ${eventId}
        order by entity_key, seq desc`,
  );
  // Promotions stay named on old tabs even once head office turned them off.
  const promotions = await queryRows<{ id: string; name: string }>(q, sql`select id, body->>'name' as name from promotions where event_id = ${eventId}`);
  const [payment] = await queryRows<{ status: string; captured_amount: unknown; outstanding: unknown }>(
    q,
    sql`select status, captured_amount, outstanding from tab_payments where event_id = ${eventId} and band_uid = ${bandUid}`,
  );
  const sales = [...facts.sales].sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1));
  return {
    event: {
      id: event.id,
      name: event.name,
      currency: event.currency,
      timezone: event.data.timezone ?? 'UTC',
      startsAt: event.data.startsAt ?? null,
      endsAt: event.data.endsAt ?? null,
    },
    bandUid,
    attendee: attendee ? { firstName: attendee.first_name, cardStatus: attendee.card_status, cardLast4: attendee.card_last4 } : null,
    priced,
    pricingError,
    sales,
    tip: (priced?.tipId ? facts.tips.find((t) => t.id === priced.tipId) : undefined) ?? latestTip(facts.tips),
    stationNames: new Map(stations.map((s) => [s.id, s.name])),
    promotionNames: new Map(promotions.map((p) => [p.id, p.name])),
    payment: payment
      ? {
          status: payment.status,
          capturedAmount: payment.captured_amount === null ? null : Number(payment.captured_amount),
          outstanding: Number(payment.outstanding ?? 0),
        }
      : null,
    tipClosed: await tipClosedReason(q, eventId, bandUid),
  };
}
