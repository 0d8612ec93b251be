import { canonicalJson, type PricedTab, PricingError, type Sale } from '@tapline/shared';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type {
  AttendeeSearchResponse,
  AttendeeSearchRow,
  ConsoleBand,
  TabDetailResponse,
  TabLineView,
  TabOrderView,
  TabRefundView,
} from '../console/api-types.ts';
import type { Queryable } from '../db/open.ts';
import { queryRows } from '../db/raw-sql.ts';
import { bands, promotions, tabPayments, tabs, users } from '../db/schema.ts';
import { HEAD_OFFICE } from '../http/admin-event.ts';
import type { ScopedEvent } from './accounts-scope.ts';
import { findAttendee } from './attendees.ts';
import { loadBandFacts, loadEventPricing, priceBand } from './tab-pricing.ts';

/*
 * What the console's Attendees & tabs screen reads: a search over the event's attendees (and bands that carry a tab
 * with nobody paired), and one band's tab as the tabs.recompute job last priced it, with its orders, refunds and
 * whether a recompute is still on its way. The caller has scoped the event (services/accounts-scope.ts); every query
 * here is by that event's id.
 */

const like = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** A phone number typed in any usual way: digits with + ( ) - . and spaces. */
const PHONE_LIKE = /^[+\d\s().-]+$/;

interface SearchRow {
  key: string;
  attendee_id: string | null;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  phone: string | null;
  card_status: AttendeeSearchRow['cardStatus'];
  card_last4: string | null;
  bands: ConsoleBand[] | string;
  tab_total: string | number;
  orders: string | number;
  payment: AttendeeSearchRow['payment'];
  total: string | number;
}

/**
 * A page of the event's tab holders matching `q` (part of a name, an e-mail, a phone number or a band UID; all when
 * empty), by first name. Each row sums the tabs of the holder's bands.
 */
export async function searchAttendees(db: Queryable, event: ScopedEvent, query: { q: string; page: number; pageSize: number }): Promise<AttendeeSearchResponse> {
  const q = query.q.trim();
  const digits = q.replace(/\D/g, '');
  const match = !q
    ? sql`true`
    : sql`(lower(coalesce(h.first_name, '') || ' ' || coalesce(h.last_name, '')) like ${like(q.toLowerCase())}
          or lower(coalesce(h.email, '')) like ${like(q.toLowerCase())}
          or h.uid like ${like(q.toUpperCase().replace(/[\s:-]/g, ''))}
          or h.attendee_id = ${q}
          ${PHONE_LIKE.test(q) && digits.length >= 3 ? sql`or regexp_replace(coalesce(h.phone, ''), '\\D', '', 'g') like ${like(digits)}` : sql``})`;
  const e = event.id;
  const rows = await queryRows<SearchRow>(
    db,
    sql`with band_rows as (
          select b.uid, b.status, b.attendee_id from bands b where b.event_id = ${e}
          union all
          select t.band_uid, null, null from tabs t
          where t.event_id = ${e} and not exists (select 1 from bands b where b.event_id = t.event_id and b.uid = t.band_uid)
        ),
        holders as (
          select 'a:' || a.id as key, a.id as attendee_id, a.first_name, a.last_name, a.email, a.phone, a.card_status, a.card_last4,
                 br.uid, br.status
          from attendees a left join band_rows br on br.attendee_id = a.id
          where a.event_id = ${e}
          union all
          select 'b:' || br.uid, null, null, null, null, null, null, null, br.uid, br.status
          from band_rows br
          where not exists (select 1 from attendees a where a.event_id = ${e} and a.id = br.attendee_id)
            and exists (select 1 from tabs t where t.event_id = ${e} and t.band_uid = br.uid)
        ),
        matched as (select distinct key from holders h where ${match}),
        grouped as (
          select h.key, min(h.attendee_id) as attendee_id, min(h.first_name) as first_name, min(h.last_name) as last_name,
                 min(h.email) as email, min(h.phone) as phone, min(h.card_status) as card_status, min(h.card_last4) as card_last4,
                 coalesce(json_agg(json_build_object('uid', h.uid, 'status', h.status) order by h.uid) filter (where h.uid is not null), '[]'::json) as bands,
                 coalesce(sum(t.total), 0) as tab_total,
                 coalesce(sum(t.sales - t.voided), 0) as orders,
                 (array_agg(tp.status order by case tp.status when 'failed' then 0 when 'declined' then 1 when 'authorizing' then 2
                   when 'authorized' then 3 when 'captured' then 4 else 5 end) filter (where tp.status is not null))[1] as payment
          from holders h
          left join tabs t on t.event_id = ${e} and t.band_uid = h.uid
          left join tab_payments tp on tp.event_id = ${e} and tp.band_uid = h.uid
          where h.key in (select key from matched)
          group by h.key
        )
        select g.*, count(*) over () as total from grouped g
        order by lower(coalesce(g.first_name, '~')), lower(coalesce(g.last_name, '')), g.key
        limit ${query.pageSize} offset ${(query.page - 1) * query.pageSize}`,
  );
  return {
    currency: event.currency,
    page: query.page,
    pageSize: query.pageSize,
    total: rows.length ? Number(rows[0]!.total) : query.page > 1 ? await countOnly(db, event, query) : 0,
    rows: rows.map((r) => ({
      key: r.key,
      attendeeId: r.attendee_id,
      name: r.first_name === null ? null : [r.first_name, r.last_name].filter(Boolean).join(' '),
      email: r.email,
      phone: r.phone,
      bands: typeof r.bands === 'string' ? (JSON.parse(r.bands) as ConsoleBand[]) : r.bands,
      tabTotal: Number(r.tab_total),
      orders: Number(r.orders),
      cardStatus: r.card_status,
      cardLast4: r.card_last4,
      payment: r.payment,
    })),
  };
}

/** A page past the end still says how many there are (the pager shows where the results stop). */
async function countOnly(db: Queryable, event: ScopedEvent, query: { q: string; pageSize: number }): Promise<number> {
  const first = await searchAttendees(db, event, { q: query.q, page: 1, pageSize: 1 });
  return first.total;
}

/** The latest name of each configuration entity of `kind` of the event, from the venue's configuration log. */
async function configNames(db: Queryable, event: ScopedEvent, kind: 'station' | 'staff'): Promise<Map<string, string>> {
  const rows = await queryRows<{ id: string; name: string | null }>(
    db,
    sql`select distinct on (entity_key) entity_key as id, data->>'name' as name
        from config_changes
        where venue_id = ${event.venueId} and kind = ${kind} and data->>'eventId' = ${event.id}
        order by entity_key, seq desc`,
  );
  return new Map(rows.map((r) => [r.id, r.name ?? r.id]));
}

/** Who recorded a cloud fact, in words: a console user's name, the platform API, or the attendee. */
async function recorderNames(db: Queryable, ids: readonly (string | null)[]): Promise<(id: string | null) => string> {
  const userIds = [...new Set(ids.filter((id): id is string => id !== null && id !== HEAD_OFFICE))];
  const rows = userIds.length ? await db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, userIds)) : [];
  const names = new Map(rows.map((r) => [r.id, r.name]));
  return (id) => (id === null ? 'The attendee' : id === HEAD_OFFICE ? 'Head office (API)' : (names.get(id) ?? 'A former team member'));
}

function saleLines(sale: Sale): TabLineView[] {
  return sale.lines.map((l) => ({
    name: l.name,
    quantity: l.quantity,
    unitPrice: l.unitPrice,
    recordedUnitPrice: null,
    gross: l.quantity * l.unitPrice,
    discount: 0,
    tax: 0,
    taxMode: null,
    total: l.quantity * l.unitPrice,
  }));
}

/**
 * One band's tab for the console: the stored priced tab (what the job last wrote) with every sale of the band, voided
 * ones included, in recorded order. `recomputing` compares it with the tab priced from the facts stored now.
 * Undefined when the band has neither a band record, nor a tab, nor any sale in the event.
 */
export async function tabDetail(db: Queryable, event: ScopedEvent, bandUid: string): Promise<TabDetailResponse | undefined> {
  const [band] = await db
    .select({ uid: bands.uid, status: bands.status, attendeeId: bands.attendeeId })
    .from(bands)
    .where(and(eq(bands.eventId, event.id), eq(bands.uid, bandUid)));
  const [tab] = await db.select().from(tabs).where(and(eq(tabs.eventId, event.id), eq(tabs.bandUid, bandUid)));
  const facts = (await loadBandFacts(db, event.id, [bandUid])).get(bandUid)!;
  if (!band && !tab && facts.sales.length === 0) return undefined;

  const attendee = band?.attendeeId ? await findAttendee(db, event.id, band.attendeeId) : undefined;
  const attendeeBands = attendee
    ? await db
        .select({ uid: bands.uid, status: bands.status })
        .from(bands)
        .where(and(eq(bands.eventId, event.id), eq(bands.attendeeId, attendee.id)))
        .orderBy(bands.uid)
    : [];
  const [payment] = await db.select().from(tabPayments).where(and(eq(tabPayments.eventId, event.id), eq(tabPayments.bandUid, bandUid)));

  const stored = (tab?.priced ?? null) as PricedTab | null;
  let recomputing = facts.sales.length + facts.refunds.length + facts.tips.length > 0 && !stored;
  if (stored) {
    const pricing = await loadEventPricing(db, event.id);
    try {
      recomputing = canonicalJson(priceBand(pricing!, facts)) !== canonicalJson(stored);
    } catch (err) {
      // Facts that cannot be priced leave the stored tab as it is; the job's dead letter says why.
      if (!(err instanceof PricingError)) throw err;
    }
  }

  const stations = await configNames(db, event, 'station');
  const staff = await configNames(db, event, 'staff');
  const who = await recorderNames(db, facts.refunds.map((r) => r.recordedBy));
  const voidOf = new Map(facts.voids.map((v) => [v.voidsOrderId, v]));
  const pricedOrders = new Map((stored?.orders ?? []).map((o) => [o.orderId, o]));
  const voidedIds = new Set(stored?.voidedOrderIds ?? []);

  const orders: TabOrderView[] = [...facts.sales]
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))
    .map((sale) => {
      const priced = pricedOrders.get(sale.id);
      const v = voidOf.get(sale.id);
      const status: TabOrderView['status'] = priced ? 'counted' : voidedIds.has(sale.id) ? 'voided' : 'pending';
      const lines: TabLineView[] = priced
        ? priced.lines.map((l) => ({
            name: l.name,
            quantity: l.quantity,
            unitPrice: l.unitPrice,
            recordedUnitPrice: l.priceFixId ? l.recordedUnitPrice : null,
            gross: l.gross,
            discount: l.discount,
            tax: l.tax,
            taxMode: l.taxMode,
            total: l.total,
          }))
        : saleLines(sale);
      const total = priced ? priced.total : sale.total;
      const refunded = priced?.refunded ?? 0;
      return {
        orderId: sale.id,
        at: sale.createdAt,
        terminalId: sale.terminalId,
        station: stations.get(sale.stationId) ?? sale.stationId,
        staff: sale.staffId === null ? null : (staff.get(sale.staffId) ?? sale.staffId),
        offline: sale.offline,
        status,
        lines,
        total,
        refunded,
        refundable: status === 'counted' ? Math.max(0, total - refunded) : 0,
        voided: v && status !== 'counted' ? { reason: v.reason, by: staff.get(v.supervisorId) ?? v.supervisorId, at: v.createdAt } : null,
      };
    });

  const refunds: TabRefundView[] = [...facts.refunds]
    .sort((a, b) => a.recordedAt.localeCompare(b.recordedAt) || a.id.localeCompare(b.id))
    .map((r) => ({ id: r.id, orderId: r.refundsOrderId, amount: r.amount, reason: r.reason, at: r.recordedAt, by: who(r.recordedBy) }));

  const promotionIds = stored?.discountsByPromotion.map((d) => d.promotionId) ?? [];
  const promotionNames = promotionIds.length
    ? new Map(
        (
          await db
            .select({ id: promotions.id, body: promotions.body })
            .from(promotions)
            .where(and(eq(promotions.eventId, event.id), inArray(promotions.id, promotionIds)))
        ).map((p) => [p.id, (p.body as { name?: string }).name ?? p.id]),
      )
    : new Map<string, string>();

  return {
    currency: event.currency,
    bandUid,
    band: band ? { uid: band.uid, status: band.status } : null,
    attendee: attendee
      ? {
          id: attendee.id,
          name: [attendee.firstName, attendee.lastName].filter(Boolean).join(' '),
          email: attendee.email,
          phone: attendee.phone,
          cardStatus: attendee.card.status,
          cardLast4: attendee.card.last4,
          bands: attendeeBands,
        }
      : null,
    payment: payment
      ? { status: payment.status, reason: payment.reason, capturedAmount: payment.capturedAmount, outstanding: payment.outstanding }
      : null,
    summary:
      stored && tab
        ? {
            subtotal: stored.subtotal,
            discounts: stored.discounts,
            promotions: stored.discountsByPromotion.map((d) => ({ id: d.promotionId, name: promotionNames.get(d.promotionId) ?? d.promotionId, amount: d.amount })),
            net: stored.net,
            taxIncluded: stored.taxIncluded,
            taxAdded: stored.taxAdded,
            ordersTotal: stored.ordersTotal,
            tip: stored.tip,
            refunds: stored.refunds,
            total: stored.total,
            updatedAt: new Date(tab.updatedAt).toISOString(),
          }
        : null,
    recomputing,
    orders,
    refunds,
  };
}
