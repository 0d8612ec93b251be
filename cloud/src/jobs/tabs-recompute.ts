import { computeTab, type OrderFact } from '@tapline/shared';
import { sql } from 'drizzle-orm';
import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { Db } from '../db/open.ts';
import { queryRows } from '../db/raw-sql.ts';
import { tabs } from '../db/schema.ts';
import { QUEUES, type TabsRecomputeJob } from './queue.ts';

interface FactRow {
  id: string;
  kind: 'sale' | 'void';
  band_uid: string;
  total: string | number | null;
  voids_order_id: string | null;
}

/**
 * What `computeTab` reads of a fact. Selecting these columns instead of the whole jsonb body keeps a recompute over
 * a large event cheap; the columns were copied from the fact when it was stored, so the result is the same.
 */
function asTabFact(row: FactRow): OrderFact {
  const fact =
    row.kind === 'sale'
      ? { kind: 'sale' as const, id: row.id, total: Number(row.total) }
      : { kind: 'void' as const, id: row.id, voidsOrderId: row.voids_order_id! };
  return fact as unknown as OrderFact;
}

/**
 * Recomputes the tabs of `bandUids` from scratch from their facts and upserts them. One advisory lock per event
 * serialises recomputes of the same event, so an older recompute can never overwrite a newer one.
 */
export async function recomputeTabs(db: Db, eventId: string, bandUids: readonly string[]): Promise<void> {
  const bands = [...new Set(bandUids)].sort();
  if (bands.length === 0) return;
  const bandArray = sql`array[${sql.join(
    bands.map((b) => sql`${b}`),
    sql`, `,
  )}]::text[]`;
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'tabs:' + eventId}))`);
    // A band's facts: its sales, and the voids of those sales (whatever band the void itself names).
    const sales = await queryRows<FactRow>(
      tx,
      sql`select id, kind, band_uid, total, voids_order_id from orders
          where event_id = ${eventId} and kind = 'sale' and band_uid = any(${bandArray})`,
    );
    const voids = await queryRows<FactRow>(
      tx,
      sql`select v.id, v.kind, s.band_uid, v.total, v.voids_order_id from orders v
          join orders s on s.id = v.voids_order_id
          where v.event_id = ${eventId} and v.kind = 'void' and s.band_uid = any(${bandArray})`,
    );
    const byBand = new Map<string, OrderFact[]>(bands.map((b) => [b, []]));
    for (const row of [...sales, ...voids]) byBand.get(row.band_uid)?.push(asTabFact(row));
    const rows = [...byBand].map(([bandUid, facts]) => ({ eventId, bandUid, ...computeTab(facts) }));
    await tx
      .insert(tabs)
      .values(rows)
      .onConflictDoUpdate({
        target: [tabs.eventId, tabs.bandUid],
        set: {
          total: sql`excluded.total`,
          sales: sql`excluded.sales`,
          voided: sql`excluded.voided`,
          updatedAt: sql`now()`,
        },
      });
  });
}

export interface TabsWorkerOptions {
  log: Logger;
  /** Called after each recompute commits (tests and the console await it instead of polling). */
  onRecomputed?: (job: TabsRecomputeJob) => void;
  batchSize?: number;
  /** pg-boss polls for jobs this often when idle (minimum 0.5 s). */
  pollingIntervalSeconds?: number;
}

/** Takes tabs.recompute jobs in batches and merges their bands per event, so a burst of pushes costs few recomputes. */
export async function startTabsWorker(boss: PgBoss, db: Db, options: TabsWorkerOptions): Promise<string> {
  return boss.work<TabsRecomputeJob>(QUEUES.tabsRecompute, { batchSize: options.batchSize ?? 20, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2 }, async (jobs) => {
    const bandsByEvent = new Map<string, Set<string>>();
    for (const job of jobs) {
      const set = bandsByEvent.get(job.data.eventId) ?? new Set<string>();
      for (const b of job.data.bandUids) set.add(b);
      bandsByEvent.set(job.data.eventId, set);
    }
    for (const [eventId, set] of bandsByEvent) {
      const bandUids = [...set];
      await recomputeTabs(db, eventId, bandUids);
      options.log.debug({ eventId, bands: bandUids.length, jobs: jobs.length }, 'tabs recomputed');
      options.onRecomputed?.({ eventId, bandUids });
    }
  });
}
