import { type PricedTab, PricingError } from '@tapline/shared';
import { setImmediate } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../db/open.ts';
import { tabs } from '../db/schema.ts';
import { loadBandFacts, loadEventPricing, priceBand } from '../services/tab-pricing.ts';
import { type JobFailure, PermanentJobError, type ProcessorOptions, startProcessor } from './processor.ts';
import { type JobQueue, QUEUES, type TabsRecomputeJob } from './queue.ts';

export interface RecomputeResult {
  /** Bands whose tab row now matches their facts. */
  recomputed: string[];
  /** Bands whose facts or configuration cannot be priced; their tab rows are left as they were. */
  failed: { bandUid: string; error: PricingError }[];
}

/** The longest stretch of pricing before the recompute lets other work on the event loop run. */
const YIELD_AFTER_MS = 20;

/** Upserted in chunks so a big recalculation stays well under Postgres's 65,535 parameters per statement. */
const UPSERT_CHUNK = 500;

function tabRow(eventId: string, bandUid: string, priced: PricedTab): typeof tabs.$inferInsert {
  return {
    eventId,
    bandUid,
    total: priced.total,
    sales: priced.orders.length + priced.voidedOrderIds.length,
    voided: priced.voidedOrderIds.length,
    currency: priced.currency,
    subtotal: priced.subtotal,
    discounts: priced.discounts,
    tax: priced.tax,
    tips: priced.tip,
    refunds: priced.refunds,
    priced,
  };
}

/**
 * Recomputes the tabs of `bandUids` from scratch with `priceTab` (their sales, voids, refunds and tips; the event's
 * price fixes, promotions, tax rules and product categories) and upserts them. Running it twice gives the same rows.
 * One advisory lock per event serialises recomputes of the same event, so an older recompute can never overwrite a
 * newer one.
 */
export async function recomputeTabs(db: Db, eventId: string, bandUids: readonly string[]): Promise<RecomputeResult> {
  const bands = [...new Set(bandUids)].sort();
  const result: RecomputeResult = { recomputed: [], failed: [] };
  if (bands.length === 0) return result;
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'tabs:' + eventId}))`);
    const event = await loadEventPricing(tx, eventId);
    if (!event) throw new PermanentJobError('unknown_event', `There is no event "${eventId}" to recompute tabs of.`);
    const facts = await loadBandFacts(tx, eventId, bands);
    const rows: (typeof tabs.$inferInsert)[] = [];
    let sliceStart = performance.now();
    for (const bandUid of bands) {
      // Pricing is synchronous: a big event's recompute would otherwise hold the event loop (and every request) for
      // seconds. Yield every few milliseconds.
      if (performance.now() - sliceStart > YIELD_AFTER_MS) {
        await setImmediate();
        sliceStart = performance.now();
      }
      try {
        rows.push(tabRow(eventId, bandUid, priceBand(event, facts.get(bandUid)!)));
        result.recomputed.push(bandUid);
      } catch (error) {
        if (!(error instanceof PricingError)) throw error;
        result.failed.push({ bandUid, error });
      }
    }
    for (let i = 0; i < rows.length; i += UPSERT_CHUNK) {
      await tx
        .insert(tabs)
        .values(rows.slice(i, i + UPSERT_CHUNK))
        .onConflictDoUpdate({
          target: [tabs.eventId, tabs.bandUid],
          set: {
            total: sql`excluded.total`,
            sales: sql`excluded.sales`,
            voided: sql`excluded.voided`,
            currency: sql`excluded.currency`,
            subtotal: sql`excluded.subtotal`,
            discounts: sql`excluded.discounts`,
            tax: sql`excluded.tax`,
            tips: sql`excluded.tips`,
            refunds: sql`excluded.refunds`,
            priced: sql`excluded.priced`,
            updatedAt: sql`now()`,
          },
        });
    }
  });
  return result;
}

export interface TabsWorkerOptions {
  log: Logger;
  pollingIntervalSeconds: number;
  /** Called after each recompute commits, with the bands it wrote (tests and the console await it instead of polling). */
  onRecomputed?: (job: TabsRecomputeJob) => void;
  onFailed?: ProcessorOptions['onFailed'];
  batchSize?: number;
}

/**
 * The order processor: takes tabs.recompute jobs in batches and merges their bands per event, so a burst of pushes
 * costs few recomputes. A band that cannot be priced (a `PricingError`) fails the jobs naming it for good: they go
 * to the dead letters, while the other bands of the batch are written.
 */
export function startTabsWorker(queue: JobQueue, db: Db, options: TabsWorkerOptions): Promise<string> {
  return startProcessor<TabsRecomputeJob>(
    queue,
    {
      queue: QUEUES.tabsRecompute,
      batchSize: options.batchSize ?? 20,
      async run(jobs) {
        const failures: JobFailure[] = [];
        const byEvent = new Map<string, typeof jobs>();
        for (const job of jobs) byEvent.set(job.data.eventId, [...(byEvent.get(job.data.eventId) ?? []), job]);
        for (const [eventId, eventJobs] of byEvent) {
          const bandUids = [...new Set(eventJobs.flatMap((j) => j.data.bandUids))];
          let result: RecomputeResult;
          try {
            result = await recomputeTabs(db, eventId, bandUids);
          } catch (error) {
            failures.push(...eventJobs.map((j) => ({ jobId: j.id, error })));
            continue;
          }
          options.log.debug({ eventId, bands: result.recomputed.length, failed: result.failed.length, jobs: eventJobs.length }, 'tabs recomputed');
          if (result.recomputed.length) options.onRecomputed?.({ eventId, bandUids: result.recomputed });
          const failedBands = new Map(result.failed.map((f) => [f.bandUid, f.error]));
          for (const job of eventJobs) {
            const bad = job.data.bandUids.find((b) => failedBands.has(b));
            if (bad === undefined) continue;
            const cause = failedBands.get(bad)!;
            failures.push({ jobId: job.id, error: new PricingError(cause.code, `Band ${bad} of event ${eventId}: ${cause.message}`) });
          }
        }
        return failures;
      },
    },
    { log: options.log, pollingIntervalSeconds: options.pollingIntervalSeconds, onFailed: options.onFailed },
  );
}
