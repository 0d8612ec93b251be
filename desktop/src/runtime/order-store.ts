import {
  addMinor,
  canonicalJson,
  decide,
  describeZodError,
  multiplyMinor,
  newId,
  normalizeBandUid,
  OrderFact,
  Sale,
  Void,
  type DeclineReason,
  type ItemResult,
  type OrderLine,
} from '@tapline/shared';
import type { Statement } from 'better-sqlite3';
import type { ConfigCache } from './config-cache.ts';
import type { TerminalDb } from './db/open.ts';
import type { OrderStatus } from './db/schema.ts';
import { TerminalError } from './errors.ts';

export interface SellInput {
  stationId: string;
  staffId?: string | null;
  bandUid: string;
  lines: ReadonlyArray<{ productId: string; quantity: number }>;
}

export type SellResult =
  | { approved: true; order: Sale; tabTotal: number }
  | { approved: false; reason: DeclineReason; message: string };

export interface VoidInput {
  orderId: string;
  reason: string;
  supervisorId: string;
  /** Who asked for the void; defaults to the supervisor. */
  staffId?: string | null;
  /** Where the void is made; defaults to the sale's station. */
  stationId?: string;
}

export interface VoidResult {
  order: Void;
  /** The band's tab on this terminal after the void. */
  tabTotal: number;
}

export interface StoredOrder {
  id: string;
  seq: number;
  kind: 'sale' | 'void';
  bandUid: string;
  total: number;
  status: OrderStatus;
  rejectReason: string | null;
  offline: boolean;
  createdAt: string;
  fact: OrderFact;
}

export interface OutboxItem {
  seq: number;
  orderId: string;
  body: string;
}

export interface AckOutcome {
  acked: string[];
  rejected: Array<{ id: string; status: 'conflict' | 'invalid'; reason: string }>;
  /** Ids of the batch the hub said nothing about: they stay in the outbox. */
  unanswered: string[];
}

/** What the store needs to know about the terminal right now, asked at each sale. */
export interface TerminalContext {
  terminalId(): string | null;
  online(): boolean;
  /**
   * Up to which of this terminal's seqs the hub's venue tabs (`venue_tabs`) include its own facts (VenueTabs).
   * Without it, 0: with no venue tabs either, a tab is this terminal's own sales alone.
   */
  tabsCommittedSeq?(): number;
}

interface OrderRow {
  id: string;
  seq: number;
  kind: 'sale' | 'void';
  band_uid: string;
  total: number;
  status: OrderStatus;
  reject_reason: string | null;
  offline: number;
  created_at: string;
  body: string;
}

/**
 * Makes orders. The sale path is synchronous and touches only this SQLite file: the bartender's "approved" waits on
 * one local transaction, never on the network. Statements are prepared once on the raw better-sqlite3 handle because
 * this path runs for every tap and drizzle's query building per call is measurable there.
 */
export class OrderStore {
  private nextSeq: number;
  private readonly st: {
    insertOrder: Statement;
    insertOutbox: Statement;
    tabTotal: Statement;
    bandOfflineSpent: Statement;
    terminalOfflineSpent: Statement;
    byId: Statement;
    voidOf: Statement;
    outboxBatch: Statement;
    outboxCount: Statement;
    deleteOutbox: Statement;
    markAcked: Statement;
    markRejected: Statement;
    recent: Statement;
    counts: Statement;
  };

  constructor(
    private readonly db: TerminalDb,
    private readonly cache: ConfigCache,
    private readonly ctx: TerminalContext,
  ) {
    const s = db.$client;
    this.st = {
      insertOrder: s.prepare(
        `INSERT INTO orders (id, seq, kind, band_uid, total, voids_order_id, body, status, offline, created_at)
         VALUES (@id, @seq, @kind, @bandUid, @total, @voidsOrderId, @body, 'pending', @offline, @createdAt)`,
      ),
      insertOutbox: s.prepare(`INSERT INTO outbox (seq, order_id) VALUES (?, ?)`),
      // The hub's venue tab (every terminal's facts up to @c of ours), plus our own sales it has not seen, less our
      // sales it counts whose void it has not seen. Facts the hub rejected never reached any tab. One pass over the
      // band's own sales, as the own-only tab took, plus one primary-key read.
      tabTotal: s.prepare(
        `SELECT coalesce((SELECT total FROM venue_tabs WHERE band_uid = @band), 0) + coalesce((
           SELECT sum(CASE
             WHEN o.seq > @c THEN
               CASE WHEN EXISTS (SELECT 1 FROM orders x WHERE x.voids_order_id = o.id AND x.status != 'rejected')
                 THEN 0 ELSE o.total END
             ELSE
               CASE WHEN EXISTS (SELECT 1 FROM orders x WHERE x.voids_order_id = o.id AND x.status != 'rejected' AND x.seq > @c)
                 THEN -o.total ELSE 0 END
           END)
           FROM orders o WHERE o.band_uid = @band AND o.kind = 'sale' AND o.status != 'rejected'
         ), 0) AS v`,
      ),
      bandOfflineSpent: s.prepare(
        `SELECT coalesce(sum(total), 0) AS v FROM orders
         WHERE band_uid = ? AND kind = 'sale' AND offline = 1 AND status = 'pending'`,
      ),
      terminalOfflineSpent: s.prepare(
        `SELECT coalesce(sum(total), 0) AS v FROM orders WHERE offline = 1 AND status = 'pending' AND kind = 'sale'`,
      ),
      byId: s.prepare(`SELECT * FROM orders WHERE id = ?`),
      voidOf: s.prepare(`SELECT id FROM orders WHERE voids_order_id = ? AND status != 'rejected' LIMIT 1`),
      outboxBatch: s.prepare(
        `SELECT b.seq AS seq, b.order_id AS orderId, o.body AS body
         FROM outbox b JOIN orders o ON o.id = b.order_id ORDER BY b.seq LIMIT ?`,
      ),
      outboxCount: s.prepare(`SELECT count(*) AS v FROM outbox`),
      deleteOutbox: s.prepare(`DELETE FROM outbox WHERE order_id = ?`),
      markAcked: s.prepare(`UPDATE orders SET status = 'acked' WHERE id = ? AND status = 'pending'`),
      markRejected: s.prepare(`UPDATE orders SET status = 'rejected', reject_reason = ? WHERE id = ?`),
      recent: s.prepare(`SELECT * FROM orders ORDER BY seq DESC LIMIT ?`),
      counts: s.prepare(
        `SELECT count(*) AS orders,
                coalesce(sum(kind = 'sale'), 0) AS sales,
                coalesce(sum(status = 'acked'), 0) AS acked,
                coalesce(sum(status = 'rejected'), 0) AS rejected,
                coalesce(sum(status = 'pending'), 0) AS pending
         FROM orders`,
      ),
    };
    // One process owns the file, so the counter can live in memory once read.
    const max = s.prepare(`SELECT coalesce(max(seq), 0) AS v FROM orders`).get() as { v: number };
    this.nextSeq = max.v + 1;
  }

  sell(input: SellInput): SellResult {
    const terminalId = this.requireTerminalId();
    if (!Array.isArray(input.lines) || input.lines.length === 0) {
      throw new TerminalError('invalid_input', 'An order needs at least one product.');
    }
    if (input.lines.length > 100) throw new TerminalError('invalid_input', 'An order has at most 100 lines.');
    const bandUid = normalizeBandUid(String(input.bandUid ?? ''));
    if (!bandUid) {
      throw new TerminalError('invalid_input', `"${input.bandUid}" is not a wristband UID (4, 7 or 10 bytes of hex).`);
    }
    const station = this.cache.get('station', input.stationId);
    if (!station) throw new TerminalError('unknown_station', `Station "${input.stationId}" is not in this terminal's configuration.`);
    const event = this.cache.get('event', station.eventId);
    if (!event) throw new TerminalError('not_configured', `The event of station "${station.id}" has not reached this terminal yet.`);

    const lines: OrderLine[] = input.lines.map((l) => {
      if (!Number.isInteger(l.quantity) || l.quantity < 1 || l.quantity > 999) {
        throw new TerminalError('invalid_input', `Quantity of "${l.productId}" must be a whole number from 1 to 999, not ${l.quantity}.`);
      }
      const p = this.cache.get('product', l.productId);
      if (!p || p.eventId !== event.id) throw new TerminalError('unknown_product', `Product "${l.productId}" is not on sale at this event.`);
      if (!p.active) throw new TerminalError('unknown_product', `Product "${p.name}" is no longer on sale.`);
      if (!station.productIds.includes(p.id)) {
        throw new TerminalError('unknown_product', `Product "${p.name}" is not on the menu of ${station.name}.`);
      }
      return { productId: p.id, name: p.name, quantity: l.quantity, unitPrice: p.price };
    });
    const total = addMinor(...lines.map((l) => multiplyMinor(l.unitPrice, l.quantity)));
    const online = this.ctx.online();
    const seq = this.nextSeq;

    const parsed = Sale.safeParse({
      id: newId(),
      terminalId,
      seq,
      eventId: event.id,
      stationId: station.id,
      staffId: input.staffId ?? null,
      bandUid,
      createdAt: new Date().toISOString(),
      offline: !online,
      kind: 'sale',
      currency: event.currency,
      lines,
      total,
    });
    if (!parsed.success) throw new TerminalError('invalid_input', describeZodError(parsed.error));
    const sale = parsed.data;

    const tabTotal = this.tabTotal(bandUid);
    const decision = decide({
      event,
      band: this.cache.get('band', bandUid),
      amount: total,
      tabTotal,
      online,
      bandOfflineSpent: this.scalar(this.st.bandOfflineSpent, bandUid),
      terminalOfflineSpent: this.scalar(this.st.terminalOfflineSpent),
    });
    if (!decision.approved) return decision;

    this.write(sale, null);
    return { approved: true, order: sale, tabTotal: tabTotal + total };
  }

  voidOrder(input: VoidInput): VoidResult {
    const terminalId = this.requireTerminalId();
    const row = this.st.byId.get(String(input.orderId ?? '')) as OrderRow | undefined;
    if (!row || row.kind !== 'sale') throw new TerminalError('unknown_order', `No sale "${input.orderId}" on this terminal.`);
    if (this.st.voidOf.get(row.id)) throw new TerminalError('already_voided', `Sale #${row.seq} has already been voided.`);
    const sale = JSON.parse(row.body) as Sale;
    const supervisor = this.cache.get('staff', String(input.supervisorId ?? ''));
    if (!supervisor || supervisor.role !== 'supervisor' || supervisor.eventId !== sale.eventId) {
      throw new TerminalError('unknown_supervisor', `"${input.supervisorId}" is not a supervisor of this event.`);
    }
    const parsed = Void.safeParse({
      id: newId(),
      terminalId,
      seq: this.nextSeq,
      eventId: sale.eventId,
      stationId: input.stationId ?? sale.stationId,
      staffId: input.staffId === undefined ? supervisor.id : input.staffId,
      bandUid: sale.bandUid,
      createdAt: new Date().toISOString(),
      offline: !this.ctx.online(),
      kind: 'void',
      voidsOrderId: sale.id,
      reason: input.reason,
      supervisorId: supervisor.id,
    });
    if (!parsed.success) throw new TerminalError('invalid_input', describeZodError(parsed.error));
    this.write(parsed.data, sale.id);
    return { order: parsed.data, tabTotal: this.tabTotal(sale.bandUid) };
  }

  /**
   * The band's venue-wide tab as this terminal knows it: the hub's total of every terminal's sales (less voids) as of
   * committedSeq, corrected by this terminal's own facts after committedSeq. Exact as long as the hub holds a prefix
   * of our facts by seq, which the outbox's one-batch-at-a-time, in-order delivery gives.
   */
  tabTotal(bandUid: string): number {
    return this.scalar(this.st.tabTotal, { band: bandUid, c: this.ctx.tabsCommittedSeq?.() ?? 0 });
  }

  /** The seq of the newest fact made here (0 if none). */
  lastSeq(): number {
    return this.nextSeq - 1;
  }

  /** What this terminal has taken while cut off from the hub and not yet delivered: the offline total's use. */
  offlineTakings(): number {
    return this.scalar(this.st.terminalOfflineSpent);
  }

  outboxBatch(limit: number): OutboxItem[] {
    return this.st.outboxBatch.all(limit) as OutboxItem[];
  }

  outboxCount(): number {
    return this.scalar(this.st.outboxCount);
  }

  /**
   * Applies the hub's per-item answers in one transaction. stored/duplicate: the hub has it. conflict/invalid: the
   * hub will never take it as it is, so it leaves the outbox (else it would block every later order) and stays in
   * `orders` as 'rejected' with the reason, for review.
   */
  settle(batch: readonly OutboxItem[], results: readonly ItemResult[]): AckOutcome {
    const byId = new Map(results.map((r) => [r.id, r]));
    const outcome: AckOutcome = { acked: [], rejected: [], unanswered: [] };
    this.db.$client.transaction(() => {
      for (const item of batch) {
        const r = byId.get(item.orderId);
        if (!r) {
          outcome.unanswered.push(item.orderId);
        } else if (this.st.deleteOutbox.run(item.orderId).changes === 0) {
          // Settled by an earlier answer to this same batch (a retry after a partial ack): nothing more to record.
        } else if (r.status === 'stored' || r.status === 'duplicate') {
          this.st.markAcked.run(item.orderId);
          outcome.acked.push(item.orderId);
        } else {
          const reason = `${r.status}: ${r.error?.message ?? 'rejected by the hub'}`;
          this.st.markRejected.run(reason, item.orderId);
          outcome.rejected.push({ id: item.orderId, status: r.status, reason });
        }
      }
    })();
    return outcome;
  }

  get(id: string): StoredOrder | undefined {
    const row = this.st.byId.get(id) as OrderRow | undefined;
    return row && toStored(row);
  }

  recent(n: number): StoredOrder[] {
    return (this.st.recent.all(Math.max(0, Math.floor(n))) as OrderRow[]).map(toStored);
  }

  counts(): { orders: number; sales: number; acked: number; rejected: number; pending: number } {
    return this.st.counts.get() as { orders: number; sales: number; acked: number; rejected: number; pending: number };
  }

  private write(fact: OrderFact, voidsOrderId: string | null): void {
    this.db.$client.transaction(() => {
      this.st.insertOrder.run({
        id: fact.id,
        seq: fact.seq,
        kind: fact.kind,
        bandUid: fact.bandUid,
        total: fact.kind === 'sale' ? fact.total : 0,
        voidsOrderId,
        body: canonicalJson(fact),
        offline: fact.offline ? 1 : 0,
        createdAt: fact.createdAt,
      });
      this.st.insertOutbox.run(fact.seq, fact.id);
    })();
    // Only after the commit: a failed write must not leave a gap in the sequence.
    this.nextSeq = fact.seq + 1;
  }

  private requireTerminalId(): string {
    const id = this.ctx.terminalId();
    if (!id) throw new TerminalError('not_paired', 'This terminal is not paired with a hub yet.');
    return id;
  }

  private scalar(st: Statement, ...args: unknown[]): number {
    return (st.get(...args) as { v: number }).v;
  }
}

function toStored(r: OrderRow): StoredOrder {
  return {
    id: r.id,
    seq: r.seq,
    kind: r.kind,
    bandUid: r.band_uid,
    total: r.total,
    status: r.status,
    rejectReason: r.reject_reason,
    offline: r.offline === 1,
    createdAt: r.created_at,
    fact: JSON.parse(r.body) as OrderFact,
  };
}
