import {
  type PriceFix,
  type PricedTab,
  type Promotion,
  type Refund,
  type Sale,
  type TaxRule,
  type Tip,
  type Void,
  priceTab,
} from '@tapline/shared';
import { type SQL, sql } from 'drizzle-orm';
import type { Queryable } from '../db/open.ts';
import { queryRows } from '../db/raw-sql.ts';

/** What every tab of an event is priced with: its currency and configuration, and the price fixes of its sales. */
export interface EventPricing {
  eventId: string;
  venueId: string;
  currency: string;
  products: { id: string; category: string }[];
  promotions: Promotion[];
  taxRules: TaxRule[];
  priceFixes: PriceFix[];
}

/** One band's facts. Bodies were validated by the shared schemas when they were stored. */
export interface BandFacts {
  sales: Sale[];
  voids: Void[];
  refunds: Refund[];
  tips: Tip[];
}

export function textArray(values: readonly string[]): SQL {
  return sql`array[${sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  )}]::text[]`;
}

export async function loadEventPricing(q: Queryable, eventId: string): Promise<EventPricing | undefined> {
  const [event] = await queryRows<{ venue_id: string; currency: string }>(
    q,
    sql`select venue_id, currency from events where id = ${eventId}`,
  );
  if (!event) return undefined;
  // The catalogue is the latest version of each product of the event in the venue's configuration log.
  const products = await queryRows<{ id: string; category: string }>(
    q,
    sql`select distinct on (entity_key) data->>'id' as id, data->>'category' as category
        from config_changes
        where venue_id = ${event.venue_id} and kind = 'product' and data->>'eventId' = ${eventId}
        order by entity_key, seq desc`,
  );
  const promotions = await queryRows<{ body: Promotion }>(
    q,
    sql`select body from promotions where event_id = ${eventId} and active order by id`,
  );
  const taxRules = await queryRows<{ body: TaxRule }>(
    q,
    sql`select body from tax_rules where event_id = ${eventId} and active order by id`,
  );
  const fixes = await queryRows<{ body: PriceFix }>(
    q,
    sql`select body from tab_facts where event_id = ${eventId} and kind = 'price_fix' order by id`,
  );
  return {
    eventId,
    venueId: event.venue_id,
    currency: event.currency,
    products,
    promotions: promotions.map((r) => r.body),
    taxRules: taxRules.map((r) => r.body),
    priceFixes: fixes.map((r) => r.body),
  };
}

/**
 * The facts of each of `bands` (every band gets an entry, empty when it has none): its sales, the voids of those
 * sales whatever band the void names, a void whose sale has not arrived under its own band, its refunds and tips.
 */
export async function loadBandFacts(q: Queryable, eventId: string, bands: readonly string[]): Promise<Map<string, BandFacts>> {
  const byBand = new Map<string, BandFacts>(bands.map((b) => [b, { sales: [], voids: [], refunds: [], tips: [] }]));
  if (bands.length === 0) return byBand;
  const list = textArray(bands);
  const sales = await queryRows<{ band_uid: string; body: Sale }>(
    q,
    sql`select band_uid, body from orders where event_id = ${eventId} and kind = 'sale' and band_uid = any(${list})`,
  );
  const voids = await queryRows<{ band_uid: string; body: Void }>(
    q,
    sql`select s.band_uid, v.body from orders v
        join orders s on s.id = v.voids_order_id
        where v.event_id = ${eventId} and v.kind = 'void' and s.band_uid = any(${list})
        union all
        select v.band_uid, v.body from orders v
        where v.event_id = ${eventId} and v.kind = 'void' and v.band_uid = any(${list})
          and not exists (select 1 from orders s where s.id = v.voids_order_id)`,
  );
  const facts = await queryRows<{ band_uid: string; kind: 'refund' | 'tip'; body: Refund | Tip }>(
    q,
    sql`select band_uid, kind, body from tab_facts
        where event_id = ${eventId} and band_uid = any(${list}) and kind in ('refund', 'tip')`,
  );
  for (const r of sales) byBand.get(r.band_uid)?.sales.push(r.body);
  for (const r of voids) byBand.get(r.band_uid)?.voids.push(r.body);
  for (const r of facts) {
    const band = byBand.get(r.band_uid);
    if (r.kind === 'refund') band?.refunds.push(r.body as Refund);
    else band?.tips.push(r.body as Tip);
  }
  return byBand;
}

/** Throws the shared `PricingError` when the facts or configuration cannot make one price. */
export function priceBand(event: EventPricing, facts: BandFacts): PricedTab {
  return priceTab({
    currency: event.currency,
    sales: facts.sales,
    voids: facts.voids,
    refunds: facts.refunds,
    tips: facts.tips,
    priceFixes: event.priceFixes,
    promotions: event.promotions,
    taxRules: event.taxRules,
    products: event.products,
  });
}

/** The band's tab priced from what is stored now. */
export async function priceStoredBand(q: Queryable, event: EventPricing, bandUid: string): Promise<PricedTab> {
  const facts = (await loadBandFacts(q, event.eventId, [bandUid])).get(bandUid)!;
  return priceBand(event, facts);
}
