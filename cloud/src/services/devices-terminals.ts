import { HubTerminalReport, type OrderFact } from '@tapline/shared';
import { sql } from 'drizzle-orm';
import type { Queryable } from '../db/open.ts';
import { queryRows } from '../db/raw-sql.ts';
import { hubTerminals, terminalSales } from '../db/schema.ts';

/*
 * The terminals of head office's Devices screen: those the venue's hubs report on their configuration pull, and those
 * that sold in the event, counted at ingest (db/schema-devices.ts). Reading them costs a row per terminal, never a
 * scan of the event's orders.
 */

/** The reports a pull carried that the cloud can read; the others are left out (a bad label must not stop the pull). */
export function readableReports(items: readonly unknown[]): HubTerminalReport[] {
  return items.flatMap((item) => {
    const r = HubTerminalReport.safeParse(item);
    return r.success ? [r.data] : [];
  });
}

/** Records what a hub said of its terminals on a pull: one upsert, whatever it said before is replaced. */
export async function recordHubTerminals(db: Queryable, venueId: string, hubId: string, reports: readonly HubTerminalReport[]): Promise<void> {
  // One row per terminal (a repeated id: the last one said), in id order so two pulls lock rows in the same order.
  const byId = new Map(reports.map((r) => [r.id, r]));
  const rows = [...byId.values()]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((r) => ({
      venueId,
      terminalId: r.id,
      hubId,
      label: r.label,
      pairedAt: r.pairedAt,
      lastSeenAt: r.lastSeenAt,
      online: r.online,
      backlog: r.backlog ?? null,
      reportedAt: sql`now()`,
    }));
  if (!rows.length) return;
  await db
    .insert(hubTerminals)
    .values(rows)
    .onConflictDoUpdate({
      target: [hubTerminals.venueId, hubTerminals.terminalId],
      set: {
        hubId: sql`excluded.hub_id`,
        label: sql`excluded.label`,
        pairedAt: sql`excluded.paired_at`,
        lastSeenAt: sql`excluded.last_seen_at`,
        online: sql`excluded.online`,
        backlog: sql`excluded.backlog`,
        reportedAt: sql`excluded.reported_at`,
      },
    });
}

/**
 * Counts the orders an ingest transaction has just stored (call it with those only: not duplicates, not conflicts),
 * per event and terminal, in one upsert. Rows go in (event, terminal) order so concurrent pushes cannot deadlock.
 */
export async function countTerminalOrders(tx: Queryable, venueId: string, hubId: string, stored: readonly OrderFact[]): Promise<void> {
  if (!stored.length) return;
  const counts = new Map<string, { eventId: string; terminalId: string; sales: number; voids: number; lastSeq: number }>();
  for (const f of stored) {
    const key = `${f.eventId}\u0000${f.terminalId}`;
    const c = counts.get(key) ?? { eventId: f.eventId, terminalId: f.terminalId, sales: 0, voids: 0, lastSeq: 0 };
    if (f.kind === 'sale') c.sales++;
    else c.voids++;
    c.lastSeq = Math.max(c.lastSeq, f.seq);
    counts.set(key, c);
  }
  const rows = [...counts.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    // now() is the transaction's start, the same instant the orders' received_at got.
    .map(([, c]) => ({ ...c, venueId, hubId, lastOrderAt: sql`now()` }));
  await tx
    .insert(terminalSales)
    .values(rows)
    .onConflictDoUpdate({
      target: [terminalSales.eventId, terminalSales.terminalId],
      set: {
        hubId: sql`excluded.hub_id`,
        sales: sql`${terminalSales.sales} + excluded.sales`,
        voids: sql`${terminalSales.voids} + excluded.voids`,
        lastSeq: sql`greatest(${terminalSales.lastSeq}, excluded.last_seq)`,
        lastOrderAt: sql`greatest(${terminalSales.lastOrderAt}, excluded.last_order_at)`,
      },
    });
}

export interface TerminalRow {
  terminal_id: string;
  reported_hub: string | null;
  sales_hub: string | null;
  label: string | null;
  paired_at: unknown;
  last_seen_at: unknown;
  online: boolean | null;
  backlog: number | null;
  reported_at: unknown;
  sales: unknown;
  voids: unknown;
  last_seq: number | null;
  last_order_at: unknown;
}

/** Every terminal a hub of the venue reported or that sold in the event: the most recently seen first (as Devices shows it). */
export async function eventTerminals(db: Queryable, event: { id: string; venueId: string }): Promise<TerminalRow[]> {
  return queryRows<TerminalRow>(
    db,
    sql`select coalesce(h.terminal_id, s.terminal_id) as terminal_id, h.hub_id as reported_hub, s.hub_id as sales_hub, h.label, h.paired_at,
               h.last_seen_at, h.online, h.backlog, h.reported_at, s.sales, s.voids, s.last_seq, s.last_order_at
        from (select * from hub_terminals where venue_id = ${event.venueId}) h
        full join (select * from terminal_sales where event_id = ${event.id}) s on s.terminal_id = h.terminal_id
        order by (case when h.terminal_id is null then s.last_order_at else h.last_seen_at end) desc nulls last, coalesce(h.terminal_id, s.terminal_id)`,
  );
}
