import type { PriceFix } from '@tapline/shared';
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../db/open.ts';
import { queryRows } from '../db/raw-sql.ts';
import { PermanentJobError, type ProcessorOptions, startProcessor } from './processor.ts';
import { type JobQueue, QUEUES, type TabsRecalculateEventJob, type TabsRecomputeJob } from './queue.ts';

/** Bands per tabs.recompute job: small enough for one short transaction, big enough to keep the job count low. */
export const RECOMPUTE_FAN_OUT = 200;

/**
 * The bands whose tabs a price fix can change: those with a sale line of its product at its "from" unit price (the
 * price the terminal recorded), narrowed to its orders when it names some.
 */
async function bandsOfPriceFix(db: Db, eventId: string, priceFixId: string): Promise<string[]> {
  const [row] = await queryRows<{ body: PriceFix }>(
    db,
    sql`select body from tab_facts where id = ${priceFixId} and event_id = ${eventId} and kind = 'price_fix'`,
  );
  if (!row) throw new PermanentJobError('unknown_price_fix', `There is no price fix ${priceFixId} in event ${eventId}.`);
  const fix = row.body;
  const onlyOrders = fix.orderIds
    ? sql`and o.id = any(array[${sql.join(
        fix.orderIds.map((id) => sql`${id}`),
        sql`, `,
      )}]::uuid[])`
    : sql``;
  const rows = await queryRows<{ band_uid: string }>(
    db,
    sql`select distinct o.band_uid from orders o
        where o.event_id = ${eventId} and o.kind = 'sale' ${onlyOrders}
          and exists (select 1 from jsonb_array_elements(o.body->'lines') l
                      where l->>'productId' = ${fix.productId} and (l->>'unitPrice')::bigint = ${fix.fromUnitPrice})
        order by o.band_uid`,
  );
  return rows.map((r) => r.band_uid);
}

/** Every band with a tab or a fact in the event: what a change of promotions or tax rules can reach. */
async function allBands(db: Db, eventId: string): Promise<string[]> {
  const rows = await queryRows<{ band_uid: string }>(
    db,
    sql`select band_uid from orders where event_id = ${eventId} and kind = 'sale'
        union select band_uid from tab_facts where event_id = ${eventId} and band_uid is not null
        union select band_uid from tabs where event_id = ${eventId}
        order by 1`,
  );
  return rows.map((r) => r.band_uid);
}

export interface RecalculateWorkerOptions {
  log: Logger;
  pollingIntervalSeconds: number;
  /** Called once the recompute jobs of a recalculation are enqueued, with every band they cover. */
  onRecalculated?: (job: TabsRecomputeJob) => void;
  onFailed?: ProcessorOptions['onFailed'];
}

/**
 * The tab recalculator: a price fix (or a change of the event's promotions or tax rules) fans out into tabs.recompute
 * jobs over the bands it can touch. Sending them again on a retry is harmless: a recompute is idempotent.
 */
export function startRecalculateWorker(queue: JobQueue, db: Db, options: RecalculateWorkerOptions): Promise<string> {
  return startProcessor<TabsRecalculateEventJob>(
    queue,
    {
      queue: QUEUES.tabsRecalculateEvent,
      async run([job]) {
        const { eventId, scope } = job!.data;
        const bands = scope.kind === 'price_fix' ? await bandsOfPriceFix(db, eventId, scope.priceFixId) : await allBands(db, eventId);
        const jobs = [];
        for (let i = 0; i < bands.length; i += RECOMPUTE_FAN_OUT) {
          const data: TabsRecomputeJob = { eventId, bandUids: bands.slice(i, i + RECOMPUTE_FAN_OUT) };
          jobs.push({ name: QUEUES.tabsRecompute, data });
        }
        if (jobs.length) await queue.boss.insert(jobs);
        options.log.info({ eventId, scope, bands: bands.length, jobs: jobs.length }, 'tabs recalculation fanned out');
        options.onRecalculated?.({ eventId, bandUids: bands });
      },
    },
    { log: options.log, pollingIntervalSeconds: options.pollingIntervalSeconds, onFailed: options.onFailed },
  );
}
