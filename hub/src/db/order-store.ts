import type Database from 'better-sqlite3';
import { canonicalJson, type ErrorBody, type ParsedFact } from '@tapline/shared';

export type StoreOutcome = 'stored' | 'duplicate' | 'conflict';

export interface OutboxItem {
  outboxId: number;
  orderId: string;
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

  constructor(private readonly sqlite: Database.Database) {
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
      `SELECT o.id AS outboxId, o.order_id AS orderId, r.body AS body
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
  }

  transaction<T>(fn: () => T): T {
    return this.sqlite.transaction(fn)();
  }

  /**
   * Stores one terminal's facts: a new id gets its order row and outbox row; a known id with the same fingerprint
   * is a duplicate (no new outbox row); a known id with another fingerprint is a conflict, kept for review.
   * A stored fact updates its band's tab in the same transaction; the bands whose tab it may change go to `touched`.
   */
  insertFacts(terminalId: string, facts: readonly ParsedFact[], receivedAt: string, touched?: Set<string>): StoreOutcome[] {
    const outcomes: StoreOutcome[] = [];
    for (const { fact, fingerprint } of facts) {
      const body = canonicalJson(fact);
      const info = this.insertOrder.run({
        id: fact.id,
        terminalId,
        seq: fact.seq,
        eventId: fact.eventId,
        kind: fact.kind,
        bandUid: fact.bandUid,
        total: fact.kind === 'sale' ? fact.total : null,
        voidsOrderId: fact.kind === 'void' ? fact.voidsOrderId : null,
        body,
        fingerprint,
        receivedAt,
      });
      if (info.changes === 1) {
        this.insertOutbox.run(fact.id);
        this.applyToTab(fact, touched);
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
    this.touchTerminal.run(receivedAt, terminalId);
    return outcomes;
  }

  /** Called once per newly stored fact, inside the caller's transaction. */
  private applyToTab(fact: ParsedFact['fact'], touched: Set<string> | undefined): void {
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

  /** Drops acknowledged items from the outbox; moves the ones the cloud refused to `rejected`, in one transaction. */
  settle(settled: readonly OutboxItem[], refused: ReadonlyArray<{ item: OutboxItem; error: ErrorBody }>, at: string): void {
    this.transaction(() => {
      for (const item of settled) this.deleteOutbox.run(item.outboxId);
      for (const { item, error } of refused) {
        this.insertRejected.run(item.orderId, item.body, JSON.stringify(error), at);
        this.deleteOutbox.run(item.outboxId);
      }
    });
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
