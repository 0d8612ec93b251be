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
  type RegistrationFact,
  type VenueFact,
  type Wristband,
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

/**
 * What the terminal knows of bands for approving: the hub's configuration corrected by this terminal's own registration
 * facts the hub has not answered yet (see BandView). Without it, the configuration alone.
 */
export interface BandLookup {
  band(uid: string): Wristband | undefined;
  /** Every band of this attendee as this terminal knows it; limits hold over their sum. */
  bandsOfAttendee(attendeeId: string): string[];
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
 * one local transaction, never on the network. Statements and transactions are prepared once on the raw
 * better-sqlite3 handle because this path runs for every tap and building them per call is measurable there.
 */
export class OrderStore {
  private nextSeq: number;
  private readonly st: {
    insertOrder: Statement;
    insertOutbox: Statement;
    venueTab: Statement;
    ownTab: Statement;
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

  private readonly bands: BandLookup;
  /** One transaction function for every write: better-sqlite3 builds a wrapper per `transaction()` call otherwise. */
  private readonly inTransaction: (fn: () => void) => void;
  /**
   * Per band, the second term of `tabTotal` (this terminal's own facts the hub's tab does not hold yet) as of
   * committed seq `ownTabsSeq`. It depends only on this file's `orders` and that seq, and only this class writes
   * `orders` (one process owns the file), so keeping it exact takes: a new sale adds its total, a void or a rejection
   * drops everything, a new committed seq drops everything. Without it every tap re-read the band's whole history.
   */
  private readonly ownTabs = new Map<string, number>();
  private ownTabsSeq = -1;

  constructor(
    private readonly db: TerminalDb,
    private readonly cache: ConfigCache,
    private readonly ctx: TerminalContext,
    bands?: BandLookup,
  ) {
    this.bands = bands ?? { band: (uid) => cache.get('band', uid), bandsOfAttendee: (id) => cache.bandsOf(id) };
    const s = db.$client;
    this.st = {
      insertOrder: s.prepare(
        `INSERT INTO orders (id, seq, kind, band_uid, total, voids_order_id, body, status, offline, created_at)
         VALUES (@id, @seq, @kind, @bandUid, @total, @voidsOrderId, @body, 'pending', @offline, @createdAt)`,
      ),
      insertOutbox: s.prepare(`INSERT INTO outbox (seq, order_id) VALUES (?, ?)`),
      // The hub's venue tab: every terminal's facts up to committed seq c of ours.
      venueTab: s.prepare(`SELECT coalesce((SELECT total FROM venue_tabs WHERE band_uid = ?), 0) AS v`),
      // Plus our own sales the hub has not seen, less our sales it counts whose void it has not seen. Facts the hub
      // rejected never reached any tab. One pass over the band's own sales (cached: see ownTabs).
      ownTab: s.prepare(
        `SELECT coalesce((
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
      // Registration facts share the table and the seq, never the order views.
      byId: s.prepare(`SELECT * FROM orders WHERE id = ? AND kind IN ('sale', 'void')`),
      voidOf: s.prepare(`SELECT id FROM orders WHERE voids_order_id = ? AND status != 'rejected' LIMIT 1`),
      outboxBatch: s.prepare(
        `SELECT b.seq AS seq, b.order_id AS orderId, o.body AS body
         FROM outbox b JOIN orders o ON o.id = b.order_id ORDER BY b.seq LIMIT ?`,
      ),
      outboxCount: s.prepare(`SELECT count(*) AS v FROM outbox`),
      deleteOutbox: s.prepare(`DELETE FROM outbox WHERE order_id = ?`),
      markAcked: s.prepare(`UPDATE orders SET status = 'acked' WHERE id = ? AND status = 'pending'`),
      markRejected: s.prepare(`UPDATE orders SET status = 'rejected', reject_reason = ? WHERE id = ?`),
      recent: s.prepare(`SELECT * FROM orders WHERE kind IN ('sale', 'void') ORDER BY seq DESC LIMIT ?`),
      counts: s.prepare(
        `SELECT count(*) AS orders,
                coalesce(sum(kind = 'sale'), 0) AS sales,
                coalesce(sum(status = 'acked'), 0) AS acked,
                coalesce(sum(status = 'rejected'), 0) AS rejected,
                coalesce(sum(status = 'pending'), 0) AS pending
         FROM orders`,
      ),
    };
    this.inTransaction = s.transaction((fn: () => void) => fn());
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

    const band = this.bands.band(bandUid);
    const tabBands = this.tabBands(bandUid, band);
    const tabTotal = this.sumOver(tabBands, (b) => this.tabTotal(b));
    const decision = decide({
      event,
      band,
      amount: total,
      tabTotal,
      online,
      // decide() reads the offline sums only when offline: two aggregate reads saved on every online tap.
      bandOfflineSpent: online ? 0 : this.sumOver(tabBands, (b) => this.scalar(this.st.bandOfflineSpent, b)),
      terminalOfflineSpent: online ? 0 : this.scalar(this.st.terminalOfflineSpent),
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
    return { order: parsed.data, tabTotal: this.tabOf(sale.bandUid) };
  }

  /**
   * The tab the band spends on: its attendee's, over every band of theirs (a replaced band's spending stays on it),
   * else the band's own.
   */
  tabOf(bandUid: string): number {
    return this.sumOver(this.tabBands(bandUid, this.bands.band(bandUid)), (b) => this.tabTotal(b));
  }

  /** Writes a registration fact made by the caller with `nextSeq()`, with its outbox row, in one transaction. */
  appendRegistration(fact: RegistrationFact): void {
    this.requireTerminalId();
    if (fact.seq !== this.nextSeq) throw new Error(`registration fact seq ${fact.seq} is not the next seq ${this.nextSeq}`);
    this.write(fact, null);
  }

  /** The seq the next fact made here gets. */
  nextSeqValue(): number {
    return this.nextSeq;
  }

  /** This terminal's registration facts the hub has not answered yet, in seq order (for BandView after a restart). */
  pendingRegistrations(): RegistrationFact[] {
    return (
      this.db.$client
        .prepare(`SELECT body FROM orders WHERE kind IN ('signup', 'pairing', 'block') AND status = 'pending' ORDER BY seq`)
        .all() as Array<{ body: string }>
    ).map((r) => JSON.parse(r.body) as RegistrationFact);
  }

  /** Walk-ups signed up here that the hub did not refuse: this desk can pair them without asking the hub. */
  ownSignups(): Array<Extract<RegistrationFact, { kind: 'signup' }>> {
    return (
      this.db.$client
        .prepare(`SELECT body FROM orders WHERE kind = 'signup' AND status != 'rejected' ORDER BY seq`)
        .all() as Array<{ body: string }>
    ).map((r) => JSON.parse(r.body) as Extract<RegistrationFact, { kind: 'signup' }>);
  }

  private tabBands(bandUid: string, band: Wristband | undefined): string[] {
    if (!band?.attendeeId) return [bandUid];
    const all = this.bands.bandsOfAttendee(band.attendeeId);
    return all.includes(bandUid) ? all : [bandUid, ...all];
  }

  private sumOver(uids: readonly string[], f: (uid: string) => number): number {
    let sum = 0;
    for (const u of uids) sum += f(u);
    return sum;
  }

  /**
   * The band's venue-wide tab as this terminal knows it: the hub's total of every terminal's sales (less voids) as of
   * committedSeq, corrected by this terminal's own facts after committedSeq. Exact as long as the hub holds a prefix
   * of our facts by seq, which the outbox's one-batch-at-a-time, in-order delivery gives.
   */
  tabTotal(bandUid: string): number {
    const c = this.ctx.tabsCommittedSeq?.() ?? 0;
    if (c !== this.ownTabsSeq) {
      this.ownTabs.clear();
      this.ownTabsSeq = c;
    }
    let own = this.ownTabs.get(bandUid);
    if (own === undefined) {
      own = this.scalar(this.st.ownTab, { band: bandUid, c });
      this.ownTabs.set(bandUid, own);
    }
    return this.scalar(this.st.venueTab, bandUid) + own;
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
    this.inTransaction(() => {
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
    });
    // A rejected sale leaves every tab that counted it.
    if (outcome.rejected.length > 0) this.ownTabs.clear();
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

  private write(fact: VenueFact, voidsOrderId: string | null): void {
    const body = canonicalJson(fact);
    this.inTransaction(() => {
      this.st.insertOrder.run({
        id: fact.id,
        seq: fact.seq,
        kind: fact.kind,
        // A signup concerns no band: '' rather than a nullable column, which SQLite could only add by rebuilding the table.
        bandUid: fact.kind === 'signup' ? '' : fact.bandUid,
        total: fact.kind === 'sale' ? fact.total : 0,
        voidsOrderId,
        body,
        offline: fact.offline ? 1 : 0,
        createdAt: fact.createdAt,
      });
      this.st.insertOutbox.run(fact.seq, fact.id);
    });
    // Only after the commit: a failed write must not leave a gap in the sequence, nor a total in ownTabs.
    this.nextSeq = fact.seq + 1;
    if (fact.kind === 'sale') {
      // A new sale is after the committed seq and unvoided: ownTab's first case, its whole total.
      const own = this.ownTabs.get(fact.bandUid);
      if (own !== undefined) {
        if (fact.seq > this.ownTabsSeq) this.ownTabs.set(fact.bandUid, own + fact.total);
        else this.ownTabs.delete(fact.bandUid);
      }
    } else if (fact.kind === 'void') {
      this.ownTabs.clear();
    }
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
