import { type ItemResult, type OrderFact, type ParsedFact, type RegistrationFact, isRegistrationFact, parseFacts } from '@tapline/shared';
import { and, eq, inArray } from 'drizzle-orm';
import type { Db, Queryable } from '../db/open.ts';
import { events, orderConflicts } from '../db/schema.ts';
import { countTerminalOrders } from './devices-terminals.ts';
import { enqueueIngestJobs, type IngestQueue } from './ingest-jobs.ts';
import { insertFacts } from './ingest-rows.ts';
import { applyRegistrationFacts } from './registration-apply.ts';
import type { CardLinks } from './registration-card-links.ts';

export interface IngestContext {
  db: Db;
  queue: IngestQueue;
  venueId: string;
  hubId: string;
  /** Orders the hub said still wait behind this push: while some do, the tab recompute waits for them (ingest-jobs.ts). */
  backlog?: number;
  /**
   * Written with the push: in its transaction, or on its own when nothing in the push was new to store. The hub's
   * upload state (`recordHubPush`) goes here, so it costs no commit of its own.
   */
  recordPush?: (q: Queryable) => Promise<void>;
  /** Signs the card-page links of attendees signed up at a desk (their `attendee` entity); without it they are null. */
  cards?: CardLinks;
}

type Candidate = { index: number; parsed: ParsedFact };

function conflictResult(id: string, registration: boolean): ItemResult {
  return {
    id,
    status: 'conflict',
    error: {
      code: 'conflict',
      message: registration
        ? `Registration fact ${id} was already received with other content; this copy was not applied and is kept for review.`
        : `Order ${id} was already received with other content; this copy was not counted and is kept for review.`,
    },
  };
}

/**
 * Stores a batch of facts idempotently and answers one result per item, in input order.
 *
 * Round trips, whatever the batch size: one select of the venue's events among those named, then in one transaction,
 * per kind present (orders; registration facts) one INSERT … ON CONFLICT (id) DO NOTHING RETURNING id that leaves out
 * ids stored as the other kind (ingest-rows.ts; for registration facts a select of their ids among orders first),
 * selects of the stored fingerprints of the ids not inserted (only if any), one insert of conflicts (only if any), when registration facts were stored their
 * application (registration-apply.ts), per event touched a tab recompute (merged into the event's waiting one, if
 * any) and, when it has new sales, one SMS receipt job (ingest-jobs.ts), and the caller's `recordPush`. Nothing in
 * it reads more than the batch's own rows, so a push costs the same however many orders are stored.
 */
export async function ingestOrders(ctx: IngestContext, items: readonly unknown[]): Promise<ItemResult[]> {
  const results: (ItemResult | undefined)[] = new Array(items.length);
  const candidates: Candidate[] = [];
  items.forEach((item, index) => {
    const { valid, invalid } = parseFacts([item]);
    if (valid[0]) candidates.push({ index, parsed: valid[0] });
    else if (invalid[0]) results[index] = invalid[0].id === '#0' ? { ...invalid[0], id: `#${index}` } : invalid[0];
  });

  const named = [...new Set(candidates.map((c) => c.parsed.fact.eventId))];
  const owned = new Set(
    named.length
      ? (
          await ctx.db
            .select({ id: events.id })
            .from(events)
            .where(and(eq(events.venueId, ctx.venueId), inArray(events.id, named)))
        ).map((e) => e.id)
      : [],
  );

  // The first copy of an id in the batch is the one offered for insert; later copies are judged against what is stored.
  const first = new Map<string, Candidate>();
  const repeats: Candidate[] = [];
  for (const c of candidates) {
    const { fact } = c.parsed;
    if (!owned.has(fact.eventId)) {
      results[c.index] = {
        id: fact.id,
        status: 'invalid',
        error: { code: 'invalid_item', message: `eventId: "${fact.eventId}" is not an event of this venue.` },
      };
    } else if (first.has(fact.id)) repeats.push(c);
    else first.set(fact.id, c);
  }

  if (first.size > 0) {
    await ctx.db.transaction(async (tx) => {
      // Sorted by id so two batches sharing ids lock their rows in the same order and cannot deadlock.
      const offered = [...first.values()].sort((a, b) => (a.parsed.fact.id < b.parsed.fact.id ? -1 : 1));
      // Sales and voids go to `orders`, registration facts to their own table, so that every reader of orders (tabs,
      // pricing, exports, receipts) sees only the tab's facts. One id space across both: an id already stored as the
      // other kind is a conflict, never a second fact.
      const orderOffered = offered.filter((c) => !isRegistrationFact(c.parsed.fact));
      const registrationOffered = offered.filter((c) => isRegistrationFact(c.parsed.fact));
      const storedFingerprint = new Map<string, string>();
      const inserted = new Set([
        ...(await insertFacts(tx, 'orders', ctx, orderOffered.map((c) => c.parsed), storedFingerprint)),
        ...(await insertFacts(tx, 'registration_facts', ctx, registrationOffered.map((c) => c.parsed), storedFingerprint)),
      ]);

      // Devices: each terminal's sales counted with the orders that made them (services/devices-terminals.ts).
      await countTerminalOrders(tx, ctx.venueId, ctx.hubId, orderOffered.flatMap((c) => (inserted.has(c.parsed.fact.id) ? [c.parsed.fact as OrderFact] : [])));

      const conflicts: (typeof orderConflicts.$inferInsert)[] = [];
      const judge = (c: Candidate, freshlyStored: boolean) => {
        const id = c.parsed.fact.id;
        const stored = storedFingerprint.get(id);
        if (stored === undefined) throw new Error(`fact ${id} was neither inserted nor found`);
        if (freshlyStored) results[c.index] = { id, status: 'stored' };
        else if (stored === c.parsed.fingerprint) results[c.index] = { id, status: 'duplicate' };
        else {
          results[c.index] = conflictResult(id, isRegistrationFact(c.parsed.fact));
          conflicts.push({
            orderId: id,
            hubId: ctx.hubId,
            body: c.parsed.fact,
            fingerprint: c.parsed.fingerprint,
            existingFingerprint: stored,
          });
        }
      };
      for (const c of offered) judge(c, inserted.has(c.parsed.fact.id));
      for (const c of repeats) judge(c, false);

      if (conflicts.length) {
        await tx
          .insert(orderConflicts)
          .values(conflicts)
          .onConflictDoNothing({ target: [orderConflicts.orderId, orderConflicts.fingerprint] });
      }

      // Registration facts take effect in this transaction: the hub's ack means the cloud has applied them, and the
      // cloud's resolution (bands, attendees) is in the config log from the same commit. They are few (a handful per
      // attendee, against many sales), and a push of sales alone never takes the registration lock.
      const newRegistrations = registrationOffered.filter((c) => inserted.has(c.parsed.fact.id)).map((c) => ({ fact: c.parsed.fact as RegistrationFact }));
      if (newRegistrations.length) await applyRegistrationFacts(tx, ctx.venueId, newRegistrations, { cards: ctx.cards });

      // The tab recompute and SMS receipt jobs, committed with the orders they are about.
      await enqueueIngestJobs(tx, ctx.queue, offered.map((c) => c.parsed.fact), inserted, ctx.backlog);
      await ctx.recordPush?.(tx);
    });
  } else {
    await ctx.recordPush?.(ctx.db);
  }

  return results.map((r, index) => r ?? { id: `#${index}`, status: 'invalid' as const });
}
