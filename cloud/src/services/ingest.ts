import { type ItemResult, type OrderFact, type ParsedFact, parseFacts } from '@tapline/shared';
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/open.ts';
import { events, orderConflicts, orders } from '../db/schema.ts';
import type { JobQueue } from '../jobs/queue.ts';

export interface IngestContext {
  db: Db;
  queue: Pick<JobQueue, 'enqueueTabsRecompute'>;
  venueId: string;
  hubId: string;
}

function toRow(venueId: string, hubId: string, p: ParsedFact): typeof orders.$inferInsert {
  const f: OrderFact = p.fact;
  return {
    id: f.id,
    venueId,
    hubId,
    eventId: f.eventId,
    terminalId: f.terminalId,
    seq: f.seq,
    kind: f.kind,
    bandUid: f.bandUid,
    total: f.kind === 'sale' ? f.total : null,
    currency: f.kind === 'sale' ? f.currency : null,
    voidsOrderId: f.kind === 'void' ? f.voidsOrderId : null,
    body: f,
    fingerprint: p.fingerprint,
    terminalCreatedAt: f.createdAt,
  };
}

function conflictResult(id: string): ItemResult {
  return {
    id,
    status: 'conflict',
    error: {
      code: 'conflict',
      message: `Order ${id} was already received with other content; this copy was not counted and is kept for review.`,
    },
  };
}

/**
 * Stores a batch of facts idempotently and answers one result per item, in input order.
 *
 * Round trips, whatever the batch size: one select of the venue's events among those named, then in one transaction
 * one multi-row INSERT … ON CONFLICT (id) DO NOTHING RETURNING id, one select of the stored fingerprints of the ids
 * not inserted (only if any), one insert of conflicts (only if any) and one job per event touched.
 */
export async function ingestOrders(ctx: IngestContext, items: readonly unknown[]): Promise<ItemResult[]> {
  const results: (ItemResult | undefined)[] = new Array(items.length);
  const candidates: { index: number; parsed: ParsedFact }[] = [];
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
  const first = new Map<string, { index: number; parsed: ParsedFact }>();
  const repeats: { index: number; parsed: ParsedFact }[] = [];
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
      const inserted = new Set(
        (
          await tx
            .insert(orders)
            .values(offered.map((c) => toRow(ctx.venueId, ctx.hubId, c.parsed)))
            .onConflictDoNothing({ target: orders.id })
            .returning({ id: orders.id })
        ).map((r) => r.id),
      );
      const storedFingerprint = new Map<string, string>();
      for (const id of inserted) storedFingerprint.set(id, first.get(id)!.parsed.fingerprint);
      const missing = offered.filter((c) => !inserted.has(c.parsed.fact.id)).map((c) => c.parsed.fact.id);
      if (missing.length) {
        const existing = await tx
          .select({ id: orders.id, fingerprint: orders.fingerprint })
          .from(orders)
          .where(inArray(orders.id, missing));
        for (const e of existing) storedFingerprint.set(e.id, e.fingerprint);
      }

      const conflicts: (typeof orderConflicts.$inferInsert)[] = [];
      const judge = (c: { index: number; parsed: ParsedFact }, freshlyStored: boolean) => {
        const id = c.parsed.fact.id;
        const stored = storedFingerprint.get(id);
        if (stored === undefined) throw new Error(`order ${id} was neither inserted nor found`);
        if (freshlyStored) results[c.index] = { id, status: 'stored' };
        else if (stored === c.parsed.fingerprint) results[c.index] = { id, status: 'duplicate' };
        else {
          results[c.index] = conflictResult(id);
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

      // One job per event per batch, committed with the orders it is about.
      const bandsByEvent = new Map<string, Set<string>>();
      for (const id of inserted) {
        const f = first.get(id)!.parsed.fact;
        const set = bandsByEvent.get(f.eventId) ?? new Set<string>();
        set.add(f.bandUid);
        bandsByEvent.set(f.eventId, set);
      }
      for (const [eventId, bands] of bandsByEvent) {
        await ctx.queue.enqueueTabsRecompute(tx, { eventId, bandUids: [...bands].sort() });
      }
    });
  }

  return results.map((r, index) => r ?? { id: `#${index}`, status: 'invalid' as const });
}
