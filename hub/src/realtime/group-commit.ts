import type { Logger } from 'pino';
import { parseFacts, PROTOCOL_VERSION, type ItemResult, type OrdersPushAck, type ParsedFact } from '@tapline/shared';
import type { OrderStore, StoreOutcome } from '../db/order-store.ts';

/** One push of one terminal, its items already validated one by one. */
interface PendingPush {
  terminalId: string;
  /** Per item, in the push's order: a ready result (invalid) or a fact to store. */
  slots: Array<{ result: ItemResult } | { fact: ParsedFact }>;
  facts: ParsedFact[];
  resolve: (ack: OrdersPushAck) => void;
}

export interface CommitReport {
  /** New orders per terminal in this commit. */
  storedByTerminal: Map<string, number>;
  stored: number;
  conflicts: number;
  /** Bands whose venue-wide tab this commit may have changed. */
  touchedBands: Set<string>;
  /** Bands whose entity (attendee, status) a desk's registration fact in this commit changed. */
  changedBands: Set<string>;
}

/**
 * Pushes from many sockets that arrive within one turn of the event loop are committed together in one
 * transaction (one fsync with synchronous=FULL), then each is acked. Acks go out only after the commit.
 */
export class GroupCommit {
  private pending: PendingPush[] = [];
  private scheduled = false;
  private closed = false;

  constructor(
    private readonly store: OrderStore,
    private readonly log: Logger,
    private readonly onCommitted: (report: CommitReport) => void,
  ) {}

  /** Validates a push's items for this terminal and resolves with the ack once they are durable. */
  push(terminalId: string, items: readonly unknown[]): Promise<OrdersPushAck> {
    const slots: PendingPush['slots'] = [];
    const facts: ParsedFact[] = [];
    items.forEach((item, index) => {
      const { valid, invalid } = parseFacts([item]);
      const bad = invalid[0];
      if (bad) {
        slots.push({ result: bad.id === '#0' ? { ...bad, id: `#${index}` } : bad });
        return;
      }
      const parsed = valid[0]!;
      if (parsed.fact.terminalId !== terminalId) {
        slots.push({
          result: {
            id: parsed.fact.id,
            status: 'invalid',
            error: { code: 'invalid_item', message: "terminalId: does not match the terminal this connection authenticated as" },
          },
        });
        return;
      }
      slots.push({ fact: parsed });
      facts.push(parsed);
    });
    if (this.closed) {
      return Promise.resolve({ ok: false, v: PROTOCOL_VERSION, error: { code: 'internal', message: 'The hub is shutting down; please resend.' } });
    }
    return new Promise((resolve) => {
      this.pending.push({ terminalId, slots, facts, resolve });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits what is pending and refuses what comes after: for shutdown, before the database closes. */
  close(): void {
    this.flush();
    this.closed = true;
  }

  /** Commits whatever is pending now. */
  flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const receivedAt = new Date().toISOString();
    // Bands of a rolled-back attempt may stay in these sets: both are re-read after the commit, so they say the truth.
    const touchedBands = new Set<string>();
    const changedBands = new Set<string>();
    let outcomes: Array<StoreOutcome[] | Error>;
    try {
      outcomes = this.store.transaction(() =>
        batch.map((p) => this.store.insertFacts(p.terminalId, p.facts, receivedAt, touchedBands, changedBands)),
      );
    } catch (err) {
      // One bad push must not cost the others their commit: retry each alone.
      this.log.error({ err, pushes: batch.length }, 'group commit failed; committing pushes one by one');
      outcomes = batch.map((p) => {
        try {
          return this.store.transaction(() => this.store.insertFacts(p.terminalId, p.facts, receivedAt, touchedBands, changedBands));
        } catch (e) {
          this.log.error({ err: e, terminalId: p.terminalId }, 'push could not be committed');
          return e instanceof Error ? e : new Error(String(e));
        }
      });
    }

    const report: CommitReport = { storedByTerminal: new Map(), stored: 0, conflicts: 0, touchedBands, changedBands };
    batch.forEach((p, i) => {
      const out = outcomes[i]!;
      if (out instanceof Error) {
        p.resolve({ ok: false, v: PROTOCOL_VERSION, error: { code: 'internal', message: 'The hub could not store these orders; nothing was kept, please resend.' } });
        return;
      }
      let f = 0;
      const results: ItemResult[] = p.slots.map((slot) => {
        if ('result' in slot) return slot.result;
        const status = out[f++]!;
        const id = slot.fact.fact.id;
        if (status === 'stored') {
          report.stored++;
          report.storedByTerminal.set(p.terminalId, (report.storedByTerminal.get(p.terminalId) ?? 0) + 1);
          return { id, status };
        }
        if (status === 'conflict') {
          report.conflicts++;
          this.log.warn({ orderId: id, terminalId: p.terminalId }, 'conflict: same order id with other content; kept for review');
          return { id, status, error: { code: 'conflict', message: 'An order with this id and other content is already stored; this one was kept for review.' } };
        }
        return { id, status };
      });
      p.resolve({ ok: true, v: PROTOCOL_VERSION, results });
    });
    try {
      this.onCommitted(report);
    } catch (err) {
      this.log.error({ err }, 'after-commit hook failed');
    }
  }
}
