import { sql } from 'drizzle-orm';
import type { Queryable } from '../db/open.ts';
import { queryRows } from '../db/raw-sql.ts';

/** How a push's tab recompute is enqueued (`JobQueue.enqueueTabsRecompute`'s third argument). */
export interface TabsRecomputeTiming {
  /**
   * Seconds a new job waits before a worker may take it, so the pushes right behind it merge into it: the hub said
   * more is waiting. 0 when nothing is known to follow; a waiting job it merges into is then due at once.
   */
  deferSeconds: number;
}

/** A merged job stops taking bands past this many, so one recompute stays one reasonably short transaction. */
export const MERGE_MAX_BANDS = 2000;

/** The pg-boss singleton key that marks a push's recompute (a tag only: the queue's standard policy ignores it). */
export function coalesceKey(eventId: string): string {
  return `ingest:${eventId}`;
}

/**
 * Adds `bandUids` to a push recompute of the event that no worker has taken yet, in the caller's transaction; answers
 * false when there is none and a new job must be sent.
 *
 * Why it cannot lose a band: a worker takes jobs with `FOR UPDATE SKIP LOCKED` and only then starts its own
 * transaction to read facts. If this update locks the job first, the worker skips it until the push commits, so the
 * recompute that takes it sees the push's orders. If the worker locked it first, this update waits, finds it taken
 * (no longer `created`), changes nothing, and the caller sends a new job.
 */
export async function mergeIntoWaitingRecompute(
  tx: Queryable,
  schema: string,
  queue: string,
  job: { eventId: string; bandUids: readonly string[] },
  timing: TabsRecomputeTiming,
): Promise<boolean> {
  const table = sql.raw(`${schema}.job`);
  const rows = await queryRows<{ id: string }>(
    tx,
    sql`update ${table} j
        set data = jsonb_set(j.data, '{bandUids}', (
              select coalesce(jsonb_agg(b order by b), '[]'::jsonb)
              from (select jsonb_array_elements_text(j.data->'bandUids') as b
                    union
                    select jsonb_array_elements_text(${JSON.stringify(job.bandUids)}::jsonb)) merged)),
            start_after = least(j.start_after, now() + make_interval(secs => ${timing.deferSeconds}))
        where j.name = ${queue} and j.state = 'created'
          and j.id = (select id from ${table}
                      where name = ${queue} and state = 'created' and singleton_key = ${coalesceKey(job.eventId)}
                        and jsonb_array_length(data->'bandUids') < ${MERGE_MAX_BANDS}
                      order by created_on, id
                      limit 1)
        returning j.id`,
  );
  return rows.length > 0;
}

/**
 * Makes a job just sent in `tx` wait `seconds`. Not pg-boss's own `startAfter`: its insert names that parameter
 * twice with two types, which a statement run through the caller's transaction (`bossDbFor`, one parameter per
 * occurrence) cannot bind.
 */
export async function deferJob(tx: Queryable, schema: string, queue: string, id: string, seconds: number): Promise<void> {
  await queryRows(
    tx,
    sql`update ${sql.raw(`${schema}.job`)} set start_after = now() + make_interval(secs => ${seconds})
        where name = ${queue} and id = ${id}::uuid`,
  );
}
