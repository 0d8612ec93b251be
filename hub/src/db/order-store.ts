import type Database from 'better-sqlite3';
import { canonicalJson, isRegistrationFact, type ErrorBody, type ParsedFact } from '@tapline/shared';
import { AttendeeStore } from './attendee-store.ts';
import { BandState, PullGeneration } from './band-state.ts';

export type StoreOutcome = 'stored' | 'duplicate' | 'conflict';

const LAST_SEEN_EVERY_MS = 1000;

export interface OutboxItem {
  outboxId: number;
  orderId: string;
  /** Whose backlog its settling shortens. */
  terminalId: string;
  body: string;
}

/**
 * The ingest and drain hot paths. These use better-sqlite3 prepared statements directly rather than drizzle's
 * query builder: at thousands of orders a second the builder's per-call SQL assembly shows up, and these
 * statements are compiled once. Callers wrap calls in `transaction()`.
 */
export class OrderStore {
  private readonly insertOrder: Database.Statement;
  private readonly insertOutbox: Database.Statement;
  private readonly existingFingerprint: Database.Statement<[string], { fingerprint: string }>;
  private readonly insertConflict: Database.Statement;
  private readonly touchTerminal: Database.Statement;
  private readonly outboxPage: Database.Statement<[number], OutboxItem>;
  private readonly deleteOutbox: Database.Statement;
  private readonly insertRejected: Database.Statement;
  private readonly addSaleToTab: Database.Statement;
  private readonly saleOf: Database.Statement<[string], { bandUid: string; total: number }>;
  private readonly voidCount: Database.Statement<[string], { n: number }>;
  private readonly subtractFromTab: Database.Statement;
  /** One transaction function for every caller: better-sqlite3 builds a wrapper per `transaction()` call otherwise. */
  private readonly inTransaction: (fn: () => unknown) => unknown;
  /** When this process last wrote each terminal's `last_seen_at` (ms). */
  private readonly seenWrittenAt = new Map<string, number>();
  /** Per terminal, its rows in cloud_outbox as of the last commit; null until first read, which loads it. */
  private backlogs: Map<string, number> | null = null;
  /** This transaction's outbox rows added (+) and removed (−) per terminal: counted once it commits, dropped if not. */
  private readonly backlogDelta = new Map<string, number>();
  private depth = 0;

  /**
   * `bands` applies a desk's registration facts in the same transaction that stores them; `pulls` dates the cloud's
   * acks of them (see BandState). Both default to their own, for callers that store sales only. `now` is the clock
   * that spaces the `last_seen_at` writes.
   */
  constructor(
    private readonly sqlite: Database.Database,
    private readonly bands: BandState = new BandState(sqlite, new AttendeeStore(sqlite)),
    private readonly pulls: PullGeneration = new PullGeneration(),
    private readonly now: () => number = Date.now,
  ) {
    this.insertOrder = sqlite.prepare(
      `INSERT INTO orders (id, terminal_id, seq, event_id, kind, band_uid, total, voids_order_id, body, fingerprint, received_at)
       VALUES (@id, @terminalId, @seq, @eventId, @kind, @bandUid, @total, @voidsOrderId, @body, @fingerprint, @receivedAt)
       ON CONFLICT(id) DO NOTHING`,
    );
    this.insertOutbox = sqlite.prepare('INSERT INTO cloud_outbox (order_id) VALUES (?)');
    this.existingFingerprint = sqlite.prepare('SELECT fingerprint FROM orders WHERE id = ?');
    this.insertConflict = sqlite.prepare(
      `INSERT OR IGNORE INTO conflicts (order_id, terminal_id, body, fingerprint, existing_fingerprint, received_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.touchTerminal = sqlite.prepare('UPDATE terminals SET last_seen_at = ? WHERE id = ?');
    this.outboxPage = sqlite.prepare(
      `SELECT o.id AS outboxId, o.order_id AS orderId, r.terminal_id AS terminalId, r.body AS body
       FROM cloud_outbox o JOIN orders r ON r.id = o.order_id ORDER BY o.id LIMIT ?`,
    );
    this.deleteOutbox = sqlite.prepare('DELETE FROM cloud_outbox WHERE id = ?');
    this.insertRejected = sqlite.prepare(
      'INSERT OR IGNORE INTO rejected (order_id, body, error, rejected_at) VALUES (?, ?, ?, ?)',
    );
    // A void may in principle arrive before its sale (facts in any order): such a sale never enters the tab.
    this.addSaleToTab = sqlite.prepare(
      `INSERT INTO band_tabs (band_uid, total)
       SELECT @bandUid, @total WHERE NOT EXISTS (SELECT 1 FROM orders WHERE voids_order_id = @id)
       ON CONFLICT(band_uid) DO UPDATE SET total = total + excluded.total`,
    );
    this.saleOf = sqlite.prepare(`SELECT band_uid AS bandUid, total FROM orders WHERE id = ? AND kind = 'sale'`);
    this.voidCount = sqlite.prepare('SELECT COUNT(*) AS n FROM orders WHERE voids_order_id = ?');
    this.subtractFromTab = sqlite.prepare('UPDATE band_tabs SET total = total - ? WHERE band_uid = ?');
    this.inTransaction = sqlite.transaction((fn: () => unknown) => fn());
  }

  transaction<T>(fn: () => T): T {
    const outer = this.depth === 0;
    // A nested call is a savepoint: if it rolls back, so must the changes it counted.
    const before = outer || this.backlogDelta.size === 0 ? null : new Map(this.backlogDelta);
    this.depth++;
    let out: T;
    try {
      out = this.inTransaction(fn) as T;
    } catch (err) {
      this.backlogDelta.clear();
      if (before) for (const [t, n] of before) this.backlogDelta.set(t, n);
      throw err;
    } finally {
      this.depth--;
    }
    if (outer && this.backlogDelta.size > 0) {
      if (this.backlogs) for (const [t, n] of this.backlogDelta) this.backlogs.set(t, (this.backlogs.get(t) ?? 0) + n);
      this.backlogDelta.clear();
    }
    return out;
  }

  /**
   * Per terminal, how many of its orders wait in cloud_outbox, for head office's Devices screen: kept in memory and
   * changed only by commits, so neither a push's ack nor an upload pays a query for it. Read it outside a transaction.
   */
  backlogByTerminal(): ReadonlyMap<string, number> {
    if (this.backlogs) return this.backlogs;
    const rows = this.sqlite
      .prepare('SELECT r.terminal_id AS terminalId, count(*) AS n FROM cloud_outbox o JOIN orders r ON r.id = o.order_id GROUP BY 1')
      .all() as Array<{ terminalId: string; n: number }>;
    const loaded = new Map(rows.map((r) => [r.terminalId, r.n]));
    // Inside a transaction the query also sees its uncommitted rows, which its commit will count again.
    if (!this.sqlite.inTransaction) this.backlogs = loaded;
    return loaded;
  }

  private countBacklog(terminalId: string, delta: number): void {
    if (!this.backlogs) return; // the first read's query will see it
    if (this.depth > 0) this.backlogDelta.set(terminalId, (this.backlogDelta.get(terminalId) ?? 0) + delta);
    else if (!this.sqlite.inTransaction) this.backlogs.set(terminalId, (this.backlogs.get(terminalId) ?? 0) + delta);
    // Someone else's transaction, whose end this store does not see: count afresh at the next read.
    else this.backlogs = null;
  }

  /**
   * Stores one terminal's facts: a new id gets its order row and outbox row; a known id with the same fingerprint
   * is a duplicate (no new outbox row); a known id with another fingerprint is a conflict, kept for review.
   * A stored sale or void updates its band's tab in the same transaction; the bands whose tab it may change go to
   * `touched`. A stored registration fact updates the hub's attendees and bands in the same transaction; the bands
   * whose entity changed go to `changedBands`.
   */
  insertFacts(
    terminalId: string,
    facts: readonly ParsedFact[],
    receivedAt: string,
    touched?: Set<string>,
    changedBands?: Set<string>,
  ): StoreOutcome[] {
    const outcomes: StoreOutcome[] = [];
    for (const { fact, fingerprint, canonical } of facts) {
      const body = canonical ?? canonicalJson(fact);
      const info = this.insertOrder.run({
        id: fact.id,
        terminalId,
        seq: fact.seq,
        eventId: fact.eventId,
        kind: fact.kind,
        bandUid: fact.kind === 'signup' ? '' : fact.bandUid,
        total: fact.kind === 'sale' ? fact.total : null,
        voidsOrderId: fact.kind === 'void' ? fact.voidsOrderId : null,
        body,
        fingerprint,
        receivedAt,
      });
      if (info.changes === 1) {
        this.insertOutbox.run(fact.id);
        this.countBacklog(terminalId, 1);
        if (isRegistrationFact(fact)) this.bands.applyFact(fact, changedBands ?? new Set());
        else this.applyToTab(fact, touched);
        outcomes.push('stored');
        continue;
      }
      const existing = this.existingFingerprint.get(fact.id)!.fingerprint;
      if (existing === fingerprint) {
        outcomes.push('duplicate');
      } else {
        this.insertConflict.run(fact.id, terminalId, body, fingerprint, existing, receivedAt);
        outcomes.push('conflict');
      }
    }
    this.touchLastSeen(terminalId, receivedAt);
    return outcomes;
  }

  /**
   * `last_seen_at` is for the status page, which shows it only for a terminal that is not connected (a disconnect
   * writes it too): once a second is enough, and each write costs the commit one more page to fsync.
   */
  private touchLastSeen(terminalId: string, receivedAt: string): void {
    const now = this.now();
    const last = this.seenWrittenAt.get(terminalId);
    if (last !== undefined && now - last < LAST_SEEN_EVERY_MS) return;
    this.touchTerminal.run(receivedAt, terminalId);
    this.seenWrittenAt.set(terminalId, now);
  }

  /** Called once per newly stored fact, inside the caller's transaction. */
  private applyToTab(fact: Extract<ParsedFact['fact'], { kind: 'sale' | 'void' }>, touched: Set<string> | undefined): void {
    if (fact.kind === 'sale') {
      this.addSaleToTab.run({ bandUid: fact.bandUid, total: fact.total, id: fact.id });
      touched?.add(fact.bandUid);
      return;
    }
    // The sale's own band, not the void's, is the one that changes; a second void of the same sale changes nothing.
    const sale = this.saleOf.get(fact.voidsOrderId);
    if (!sale || this.voidCount.get(fact.voidsOrderId)!.n !== 1) return;
    this.subtractFromTab.run(sale.total, sale.bandUid);
    touched?.add(sale.bandUid);
  }

  /** The oldest `limit` orders the cloud has not acknowledged, in the order they arrived. */
  outbox(limit: number): OutboxItem[] {
    return this.outboxPage.all(limit);
  }

  /** How many orders the cloud has not acknowledged yet. */
  outboxSize(): number {
    return (this.sqlite.prepare('SELECT COUNT(*) AS n FROM cloud_outbox').get() as { n: number }).n;
  }

  /** Drops acknowledged items from the outbox; moves the ones the cloud refused to `rejected`, in one transaction. */
  settle(settled: readonly OutboxItem[], refused: ReadonlyArray<{ item: OutboxItem; error: ErrorBody }>, at: string): void {
    this.transaction(() => {
      for (const item of settled) this.dropFromOutbox(item);
      // The cloud has these: a pairing among them yields to the cloud's word once a later pull has caught up.
      this.bands.markAcked(
        settled.map((i) => i.orderId),
        this.pulls.current,
      );
      for (const { item, error } of refused) {
        this.insertRejected.run(item.orderId, item.body, JSON.stringify(error), at);
        this.dropFromOutbox(item);
      }
    });
  }

  /** An item settled twice (a retried answer) leaves the outbox, and its terminal's backlog, only once. */
  private dropFromOutbox(item: OutboxItem): void {
    if (this.deleteOutbox.run(item.outboxId).changes === 1) this.countBacklog(item.terminalId, -1);
  }

  counts(): { outbox: number; conflicts: number; rejected: number; byTerminal: Map<string, number> } {
    const one = (sql: string) => (this.sqlite.prepare(sql).get() as { n: number }).n;
    const rows = this.sqlite
      .prepare('SELECT terminal_id AS terminalId, COUNT(*) AS n FROM orders GROUP BY terminal_id')
      .all() as Array<{ terminalId: string; n: number }>;
    return {
      outbox: one('SELECT COUNT(*) AS n FROM cloud_outbox'),
      conflicts: one('SELECT COUNT(*) AS n FROM conflicts'),
      rejected: one('SELECT COUNT(*) AS n FROM rejected'),
      byTerminal: new Map(rows.map((r) => [r.terminalId, r.n])),
    };
  }
}
