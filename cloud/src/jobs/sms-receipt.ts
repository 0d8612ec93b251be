import { formatMoney, newId } from '@tapline/shared';
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../db/open.ts';
import { queryRows } from '../db/raw-sql.ts';
import { type NewSms, queueSms } from '../services/sms-outbox.ts';
import { DEFAULT_RECEIPT_TEMPLATE, renderReceiptTemplate } from '../services/console-setup-sms-template.ts';
import type { TabLinks } from '../services/tab-links.ts';
import { type JobFailure, type ProcessorOptions, startProcessor } from './processor.ts';
import { type JobQueue, QUEUES, type SmsReceiptJob } from './queue.ts';

/** The receipt in the event's wording (console Set-up → SMS wording), or the default wording when it has none. */
export function receiptText(eventName: string, total: number, currency: string, link: string, template?: string | null, firstName = ''): string {
  return renderReceiptTemplate(template ?? DEFAULT_RECEIPT_TEMPLATE, { event: eventName, amount: formatMoney(total, currency), first_name: firstName, link });
}

/**
 * The receipts owed for these sales: one sms_messages row per sale whose band is paired with an attendee who has a
 * phone and said yes to SMS, keyed `receipt:<orderId>`, with its sms.message job in the same transaction. Run twice
 * (or stopped half-way and run again), it finds the rows and adds only what is missing. Returns the new message ids.
 */
export async function createReceipts(db: Db, queue: Pick<JobQueue, 'sendMany'>, links: TabLinks, job: SmsReceiptJob): Promise<string[]> {
  const created: string[] = [];
  for (let i = 0; i < job.orderIds.length; i += RECEIPT_CHUNK) {
    // A turn of the event loop between chunks: on PGlite the queries run on the API's own thread.
    if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    created.push(...(await createReceiptChunk(db, queue, links, job.eventId, job.orderIds.slice(i, i + RECEIPT_CHUNK))));
  }
  return created;
}

/** Sales per transaction: a hub's 1,000-order push becomes a few short transactions, each complete on its own. */
const RECEIPT_CHUNK = 100;

async function createReceiptChunk(db: Db, queue: Pick<JobQueue, 'sendMany'>, links: TabLinks, eventId: string, orderIds: string[]): Promise<string[]> {
  const job = { eventId, orderIds };
  return db.transaction(async (tx) => {
    // The batch's sales first, by primary key, then their bands and attendees: without the fence the planner may
    // start from the attendees and read every order of each band (it has no statistics until the table is
    // analysed), so a receipt would cost more the more orders are stored.
    const rows = await queryRows<{
      orderId: string;
      bandUid: string;
      total: number | null;
      currency: string | null;
      eventName: string;
      attendeeId: string;
      phone: string | null;
      firstName: string;
      template: string | null;
    }>(
      tx,
      sql`with sold as materialized (
            select id, band_uid, total, currency from orders
            where id in (select jsonb_array_elements_text(${JSON.stringify(job.orderIds)}::jsonb)::uuid)
              and event_id = ${job.eventId} and kind = 'sale'
          )
          select sold.id as "orderId", sold.band_uid as "bandUid", sold.total::float8 as total, sold.currency,
                 e.name as "eventName", a.id as "attendeeId", a.phone, a.first_name as "firstName",
                 s.receipt_template as template
          from sold
          join events e on e.id = ${job.eventId}
          join bands b on b.event_id = ${job.eventId} and b.uid = sold.band_uid
          join attendees a on a.event_id = b.event_id and a.id = b.attendee_id
          left join event_sms_settings s on s.event_id = ${job.eventId}
          where a.sms_consent and a.phone is not null`,
    );
    const list: NewSms[] = rows.map((r) => ({
      id: newId(),
      eventId: job.eventId,
      kind: 'receipt',
      dedupeKey: `receipt:${r.orderId}`,
      attendeeId: r.attendeeId,
      toPhone: r.phone!,
      text: receiptText(r.eventName, r.total ?? 0, r.currency ?? 'EUR', links.url(job.eventId, r.bandUid), r.template, r.firstName),
      orderId: r.orderId,
    }));
    return queueSms(tx, queue, list);
  });
}

export interface SmsReceiptWorkerOptions {
  log: Logger;
  pollingIntervalSeconds: number;
  links: TabLinks;
  onQueued?: (r: { eventId: string; orderIds: string[]; messageIds: string[] }) => void;
  onFailed?: ProcessorOptions['onFailed'];
}

/** Turns stored sales into SMS receipts to send (the sending is sms.message's). */
export function startSmsReceiptWorker(queue: JobQueue, db: Db, options: SmsReceiptWorkerOptions): Promise<string> {
  return startProcessor<SmsReceiptJob>(
    queue,
    {
      queue: QUEUES.smsReceipt,
      batchSize: 10,
      async run(jobs) {
        const failures: JobFailure[] = [];
        for (const job of jobs) {
          try {
            const messageIds = await createReceipts(db, queue, options.links, job.data);
            options.log.debug({ eventId: job.data.eventId, orders: job.data.orderIds.length, receipts: messageIds.length }, 'SMS receipts queued');
            options.onQueued?.({ ...job.data, messageIds });
          } catch (error) {
            failures.push({ jobId: job.id, error });
          }
        }
        return failures;
      },
    },
    { log: options.log, pollingIntervalSeconds: options.pollingIntervalSeconds, onFailed: options.onFailed },
  );
}
