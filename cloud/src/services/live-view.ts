import { divideRounded } from '@tapline/shared';
import { type SQL, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../db/open.ts';
import { queryRows } from '../db/raw-sql.ts';

/*
 * Head office's live view of one event, from the facts the hubs have uploaded so far. Every figure is an SQL aggregate
 * over the event's orders (the `orders_event_id_idx` prefix, the partial `orders_voids_idx` for "is it voided"), so the
 * cost does not grow with what a request sends back; only the chart's buckets and the tables' rows come to Node.
 *
 * Amounts are what the terminals rang up (quantity × unit price, integer minor units): promotions, taxes and price
 * fixes belong to the priced tabs, which lag behind by a job; the tabs' tips and refunds are given beside them.
 */

export interface LiveTotals {
  /** Every sale uploaded, voided or not. */
  gross: number;
  /** The sales a void cancels. */
  voids: number;
  net: number;
  /** Sales that count (not voided). */
  orders: number;
  voidedOrders: number;
  /** net ÷ orders by the one rounding rule; 0 without orders. */
  average: number;
  /** Items sold on the orders that count. */
  items: number;
  /** Bands with a priced tab, and the tabs' tips and refunds (recorded in the cloud). */
  tabs: number;
  tips: number;
  refunds: number;
}

export interface LivePoint {
  /** Start of the bucket, ISO. */
  at: string;
  orders: number;
  net: number;
}

export interface LiveRow {
  id: string | null;
  name: string;
  orders: number;
  /** For products: items sold; for stations and staff: items on their orders. */
  quantity: number;
  net: number;
}

export interface LiveHub {
  hubId: string;
  /** ISO; null when the hub's orders arrived before the cloud tracked uploads. */
  lastUploadAt: string | null;
  /** By the database's clock, so a wrong clock in the browser cannot make a hub look fresh. */
  secondsSinceUpload: number | null;
  lastBatch: number | null;
  /** Orders waiting in the hub's outbox behind its last upload; null when the hub does not report it. */
  backlog: number | null;
  /** This event's orders received from the hub. */
  orders: number;
}

export interface LiveView {
  event: { id: string; name: string; currency: string; timezone: string; startsAt: string | null; endsAt: string | null };
  generatedAt: string;
  totals: LiveTotals;
  overTime: { bucketSeconds: number; points: LivePoint[] };
  byProduct: LiveRow[];
  byStation: LiveRow[];
  byStaff: LiveRow[];
  hubs: LiveHub[];
}

/** At most this many rows per table: a live view, not an export. */
const TABLE_ROWS = 50;
const HOUR = 3600;
const DAY = 24 * HOUR;
/** Fewer buckets than this and a chart says little; more and it is noise. */
const MAX_POINTS = 400;

/**
 * 5 minutes while the sales span less than 8 hours, then hours; days past 4 days of sales (a multi-day festival), and
 * never more than MAX_POINTS buckets whatever clocks the terminals had.
 */
export function bucketSecondsFor(spanSeconds: number): number {
  const base = spanSeconds <= 8 * HOUR ? 300 : spanSeconds <= 4 * DAY ? HOUR : DAY;
  return Math.max(base, Math.ceil(spanSeconds / MAX_POINTS / base) * base);
}

/**
 * When a sale happened, as well as the cloud can tell. Terminal clocks lie: the terminal's time is taken only when it
 * is no later than the cloud received the sale and no more than 7 days earlier (a hub may hold a weekend's orders
 * without internet); otherwise the receive time stands in.
 */
const saleTime = sql.raw(`case when o.terminal_created_at <= o.received_at
  and o.terminal_created_at > o.received_at - interval '7 days' then o.terminal_created_at else o.received_at end`);

/** The event's sales with whether a void cancels each. */
function salesOf(eventId: string): SQL {
  return sql`select o.id, o.total, o.body, ${saleTime} as at,
      exists (select 1 from orders v where v.voids_order_id = o.id and v.kind = 'void' and v.event_id = o.event_id) as voided
    from orders o where o.event_id = ${eventId} and o.kind = 'sale'`;
}

/** The latest name of each configuration entity of `kind` in the event, from the venue's configuration log. */
function namesOf(venueId: string, eventId: string, kind: 'product' | 'station' | 'staff'): SQL {
  return sql`select distinct on (entity_key) entity_key as id, data->>'name' as name
    from config_changes
    where venue_id = ${venueId} and kind = ${kind} and data->>'eventId' = ${eventId}
    order by entity_key, seq desc`;
}

const n = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const iso = (v: unknown): string => new Date(v as string | Date).toISOString();

interface EventRow {
  id: string;
  venue_id: string;
  name: string;
  currency: string;
  data: { timezone?: string; startsAt?: string; endsAt?: string };
}

/** The live view of `eventId`, or undefined when there is no such event. Scoping to the caller is the router's job. */
export async function liveView(db: Db, eventId: string): Promise<LiveView | undefined> {
  // One snapshot for every figure, so the tables add up to the cards even while hubs are pushing.
  return db.transaction(
    async (tx) => {
      const [event] = await queryRows<EventRow>(tx, sql`select id, venue_id, name, currency, data from events where id = ${eventId}`);
      if (!event) return undefined;
      return readLiveView(tx, event);
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}

async function readLiveView(q: Queryable, event: EventRow): Promise<LiveView> {
  const sales = salesOf(event.id);
  const [totals] = await queryRows<Record<string, unknown>>(
    q,
    sql`with s as (${sales})
        select count(*) filter (where not voided)::int as orders,
               count(*) filter (where voided)::int as voided_orders,
               coalesce(sum(total), 0)::bigint as gross,
               coalesce(sum(total) filter (where voided), 0)::bigint as voids,
               min(at) filter (where not voided) as first_at,
               max(at) filter (where not voided) as last_at,
               now() as now
        from s`,
  );
  const [items] = await queryRows<{ items: unknown }>(
    q,
    sql`with s as (${sales})
        select coalesce(sum((l->>'quantity')::int), 0)::bigint as items
        from s cross join lateral jsonb_array_elements(s.body->'lines') l where not s.voided`,
  );
  const [tabTotals] = await queryRows<Record<string, unknown>>(
    q,
    sql`select count(*)::int as tabs, coalesce(sum(tips), 0)::bigint as tips, coalesce(sum(refunds), 0)::bigint as refunds
        from tabs where event_id = ${event.id}`,
  );

  const orders = n(totals!.orders);
  const gross = n(totals!.gross);
  const voids = n(totals!.voids);
  const net = gross - voids;

  let overTime: LiveView['overTime'] = { bucketSeconds: 300, points: [] };
  if (orders > 0) {
    const first = new Date(totals!.first_at as string).getTime() / 1000;
    const last = new Date(totals!.last_at as string).getTime() / 1000;
    const bucket = bucketSecondsFor(last - first);
    const rows = await queryRows<{ bucket: unknown; orders: unknown; net: unknown }>(
      q,
      sql`with s as (${sales})
          select (floor(extract(epoch from at) / ${bucket}) * ${bucket})::bigint as bucket,
                 count(*)::int as orders, sum(total)::bigint as net
          from s where not voided group by 1 order by 1`,
    );
    // Empty buckets are filled here: a gap in trade is a point at zero, not a line drawn across it.
    const byBucket = new Map(rows.map((r) => [n(r.bucket), r]));
    const start = n(rows[0]!.bucket);
    const end = n(rows[rows.length - 1]!.bucket);
    const points: LivePoint[] = [];
    for (let t = start; t <= end; t += bucket) {
      const r = byBucket.get(t);
      points.push({ at: new Date(t * 1000).toISOString(), orders: n(r?.orders), net: n(r?.net) });
    }
    overTime = { bucketSeconds: bucket, points };
  }

  const toRow = (r: { id: string | null; name: string | null; orders: unknown; quantity: unknown; net: unknown }): LiveRow => ({
    id: r.id,
    name: r.name ?? r.id ?? '',
    orders: n(r.orders),
    quantity: n(r.quantity),
    net: n(r.net),
  });
  type Grouped = { id: string | null; name: string | null; orders: unknown; quantity: unknown; net: unknown };

  const byProduct = await queryRows<Grouped>(
    q,
    sql`with s as (${sales}), names as (${namesOf(event.venue_id, event.id, 'product')})
        select l->>'productId' as id, coalesce(max(names.name), max(l->>'name')) as name,
               count(distinct s.id)::int as orders,
               sum((l->>'quantity')::int)::bigint as quantity,
               sum((l->>'quantity')::bigint * (l->>'unitPrice')::bigint)::bigint as net
        from s cross join lateral jsonb_array_elements(s.body->'lines') l
        left join names on names.id = l->>'productId'
        where not s.voided
        group by l->>'productId'
        order by net desc, id
        limit ${TABLE_ROWS}`,
  );

  const byField = (field: 'stationId' | 'staffId', kind: 'station' | 'staff') =>
    queryRows<Grouped>(
      q,
      sql`with s as (${sales}), names as (${namesOf(event.venue_id, event.id, kind)}),
          per_sale as (
            select s.body->>${field} as id, s.total,
                   (select coalesce(sum((l->>'quantity')::int), 0) from jsonb_array_elements(s.body->'lines') l) as quantity
            from s where not s.voided)
          select per_sale.id, max(names.name) as name, count(*)::int as orders,
                 sum(quantity)::bigint as quantity, sum(total)::bigint as net
          from per_sale left join names on names.id = per_sale.id
          group by per_sale.id
          order by net desc, per_sale.id nulls last
          limit ${TABLE_ROWS}`,
    );
  const byStation = await byField('stationId', 'station');
  const byStaff = await byField('staffId', 'staff');

  const hubs = await queryRows<Record<string, unknown>>(
    q,
    sql`select coalesce(h.hub_id, c.hub_id) as hub_id, h.last_push_at, h.last_batch, h.backlog,
               extract(epoch from (now() - h.last_push_at))::float8 as seconds_since,
               coalesce(c.orders, 0)::int as orders
        from (select * from hub_uploads where venue_id = ${event.venue_id}) h
        full join (select hub_id, count(*)::int as orders from orders where event_id = ${event.id} group by hub_id) c
          on c.hub_id = h.hub_id
        order by 1`,
  );

  return {
    event: {
      id: event.id,
      name: event.name,
      currency: event.currency,
      timezone: event.data.timezone ?? 'UTC',
      startsAt: event.data.startsAt ?? null,
      endsAt: event.data.endsAt ?? null,
    },
    generatedAt: iso(totals!.now),
    totals: {
      gross,
      voids,
      net,
      orders,
      voidedOrders: n(totals!.voided_orders),
      average: orders > 0 ? divideRounded(net, orders) : 0,
      items: n(items!.items),
      tabs: n(tabTotals!.tabs),
      tips: n(tabTotals!.tips),
      refunds: n(tabTotals!.refunds),
    },
    overTime,
    byProduct: byProduct.map(toRow),
    byStation: byStation.map((r) => ({ ...toRow(r), name: r.name ?? r.id ?? 'Unknown station' })),
    byStaff: byStaff.map((r) => ({ ...toRow(r), name: r.name ?? (r.id === null ? 'No staff recorded' : r.id) })),
    hubs: hubs.map((h) => ({
      hubId: h.hub_id as string,
      lastUploadAt: h.last_push_at ? iso(h.last_push_at) : null,
      secondsSinceUpload: h.seconds_since === null || h.seconds_since === undefined ? null : Math.max(0, Math.round(n(h.seconds_since))),
      lastBatch: h.last_batch === null || h.last_batch === undefined ? null : n(h.last_batch),
      backlog: h.backlog === null || h.backlog === undefined ? null : n(h.backlog),
      orders: n(h.orders),
    })),
  };
}
