import { createHash } from 'node:crypto';
import { MAX_SMS_BODY } from '../providers/sms.ts';
import type { Queryable } from '../db/open.ts';
import { smsMessages } from '../db/schema.ts';
import { QUEUES, type JobQueue, type SmsMessageJob } from '../jobs/queue.ts';

/*
 * Where every SMS starts: a row in sms_messages, unique per reason (`dedupeKey`), and its sms.message job, written in
 * the caller's transaction. A reason seen twice (a retried job, a repeated bulk) finds its row and adds nothing.
 */

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The message's reference, printed in its body: 8 characters derived from its id. A later attempt looks for it at the
 * gateway to learn whether an earlier send went out, and an attendee can quote it.
 */
export function referenceOf(messageId: string): string {
  const bytes = createHash('sha256').update(messageId).digest();
  let bits = 0n;
  for (const b of bytes.subarray(0, 5)) bits = (bits << 8n) | BigInt(b);
  let out = '';
  for (let i = 0; i < 8; i++) out = CROCKFORD[Number((bits >> BigInt(i * 5)) & 31n)]! + out;
  return out;
}

/** The body with its reference at the end (where an SMS reader expects a code, and where it can never be cut). */
export function withReference(text: string, reference: string): string {
  const suffix = ` Ref ${reference}`;
  return text.length + suffix.length <= MAX_SMS_BODY ? `${text}${suffix}` : `${text.slice(0, MAX_SMS_BODY - suffix.length - 1)}…${suffix}`;
}

export interface NewSms {
  id: string;
  eventId: string;
  kind: (typeof smsMessages.$inferInsert)['kind'];
  dedupeKey: string;
  attendeeId: string;
  toPhone: string;
  /** Without the reference: it is added here. */
  text: string;
  orderId?: string | null;
  bulkId?: string | null;
}

/** Inserts the messages not yet known by their dedupe key and enqueues one sms.message job each. Returns the new ids. */
export async function queueSms(tx: Queryable, queue: Pick<JobQueue, 'sendMany'>, list: readonly NewSms[]): Promise<string[]> {
  if (list.length === 0) return [];
  const ids: string[] = [];
  for (let i = 0; i < list.length; i += 1000) {
    const rows = await tx
      .insert(smsMessages)
      .values(
        list.slice(i, i + 1000).map((m) => {
          const reference = referenceOf(m.id);
          return {
            id: m.id,
            eventId: m.eventId,
            kind: m.kind,
            dedupeKey: m.dedupeKey,
            attendeeId: m.attendeeId,
            toPhone: m.toPhone,
            body: withReference(m.text, reference),
            reference,
            status: 'pending' as const,
            orderId: m.orderId ?? null,
            bulkId: m.bulkId ?? null,
          };
        }),
      )
      .onConflictDoNothing({ target: smsMessages.dedupeKey })
      .returning({ id: smsMessages.id });
    ids.push(...rows.map((r) => r.id));
  }
  // The job id is the message id: the queue itself refuses a second job for a message while the first is in it.
  await queue.sendMany(
    tx,
    ids.map((id) => ({ id, name: QUEUES.smsMessage, data: { messageId: id } satisfies SmsMessageJob })),
  );
  return ids;
}
