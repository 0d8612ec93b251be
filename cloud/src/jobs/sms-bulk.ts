import { newId } from '@tapline/shared';
import { and, asc, eq, gt, isNotNull, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../db/open.ts';
import { attendees, smsBulks } from '../db/schema.ts';
import { type NewSms, queueSms } from '../services/sms-outbox.ts';
import { PermanentJobError, type ProcessorOptions, startProcessor } from './processor.ts';
import { type JobQueue, QUEUES, type SmsBulkJob } from './queue.ts';

/** Attendees per transaction of the fan-out: one multi-row insert of messages and one of jobs each. */
export const BULK_FAN_OUT_BATCH = 500;

/**
 * Fans a bulk message out to every consenting attendee of its event with a phone: per batch of attendees (by id),
 * one transaction inserts their sms_messages rows (keyed `bulk:<bulkId>:<attendeeId>`) and their sms.message jobs.
 * A retry after a crash in the middle walks the same attendees again; the keys skip those already done, so it adds
 * only what is missing and never a second message. Returns how many attendees it covered and how many messages it made.
 */
export async function fanOutBulk(
  db: Db,
  queue: Pick<JobQueue, 'sendMany'>,
  bulkId: string,
  signal?: AbortSignal,
): Promise<{ recipients: number; created: number }> {
  const [bulk] = await db.select().from(smsBulks).where(eq(smsBulks.id, bulkId));
  if (!bulk) throw new PermanentJobError('unknown_bulk', `There is no bulk message ${bulkId} to send.`);
  let after = '';
  let recipients = 0;
  let created = 0;
  for (;;) {
    signal?.throwIfAborted();
    const page = await db
      .select({ id: attendees.id, phone: attendees.phone })
      .from(attendees)
      .where(and(eq(attendees.eventId, bulk.eventId), eq(attendees.smsConsent, true), isNotNull(attendees.phone), gt(attendees.id, after)))
      .orderBy(asc(attendees.id))
      .limit(BULK_FAN_OUT_BATCH);
    if (page.length === 0) break;
    const list: NewSms[] = page.map((a) => ({
      id: newId(),
      eventId: bulk.eventId,
      kind: 'bulk',
      dedupeKey: `bulk:${bulkId}:${a.id}`,
      attendeeId: a.id,
      toPhone: a.phone!,
      text: bulk.body,
      bulkId,
    }));
    created += (await db.transaction((tx) => queueSms(tx, queue, list))).length;
    recipients += page.length;
    after = page.at(-1)!.id;
  }
  await db
    .update(smsBulks)
    .set({ status: 'fanned_out', recipients, fannedOutAt: sql`coalesce(${smsBulks.fannedOutAt}, now())` })
    .where(eq(smsBulks.id, bulkId));
  return { recipients, created };
}

export interface SmsBulkWorkerOptions {
  log: Logger;
  pollingIntervalSeconds: number;
  onFannedOut?: (r: { bulkId: string; recipients: number; created: number }) => void;
  onFailed?: ProcessorOptions['onFailed'];
}

export function startSmsBulkWorker(queue: JobQueue, db: Db, options: SmsBulkWorkerOptions): Promise<string> {
  return startProcessor<SmsBulkJob>(
    queue,
    {
      queue: QUEUES.smsBulk,
      async run([job], signal) {
        const { bulkId } = job!.data;
        const r = await fanOutBulk(db, queue, bulkId, signal);
        options.log.info({ bulkId, ...r }, 'bulk SMS fanned out');
        options.onFannedOut?.({ bulkId, ...r });
      },
    },
    { log: options.log, pollingIntervalSeconds: options.pollingIntervalSeconds, onFailed: options.onFailed },
  );
}
