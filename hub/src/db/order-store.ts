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

  constructor(private readonly sqlite: Database.Database) {
    this.insertOrder = sqlite.prepare(
      `INSERT INTO orders (id, terminal_id, seq, event_id, kind, band_uid, total, body, fingerprint, received_at)
       VALUES (@id, @terminalId, @seq, @eventId, @kind, @bandUid, @total, @body, @fingerprint, @receivedAt)
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
  }

  transaction<T>(fn: () => T): T {
    return this.sqlite.transaction(fn)();
  }

  /**
   * Stores one terminal's facts: a new id gets its order row and outbox row; a known id with the same fingerprint
   * is a duplicate (no new outbox row); a known id with another fingerprint is a conflict, kept for review.
   */
  insertFacts(terminalId: string, facts: readonly ParsedFact[], receivedAt: string): StoreOutcome[] {
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
        body,
        fingerprint,
        receivedAt,
      });
      if (info.changes === 1) {
        this.insertOutbox.run(fact.id);
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
