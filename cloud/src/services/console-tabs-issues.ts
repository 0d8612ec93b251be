import { and, asc, eq, gt, inArray, or } from 'drizzle-orm';
import type { DeadLetterView, PaymentIssueView } from '../console/api-types.ts';
import type { Db, Queryable } from '../db/open.ts';
import { attendees, dataExports, smsBulks, smsMessages, tabPayments, tabs } from '../db/schema.ts';
import { type DeadLetter, listDeadLetters, retryDeadLetter } from '../jobs/dead-letters.ts';
import { type JobQueue, QUEUES, type TabPaymentJob } from '../jobs/queue.ts';
import { HttpError } from '../http/http-error.ts';
import type { ConsoleCaller, ScopedEvent } from './accounts-scope.ts';
import { audit } from './audit.ts';

/*
 * What needs a person on an event: tabs whose card was declined or failed (or that still owe money after capture),
 * and jobs the processors gave up on. Dead letters live in pg-boss for the whole platform; each is tied to an event
 * through its data (an eventId, or the export / message / bulk it is about), and the console only ever sees and
 * retries those of the caller's event.
 */

const iso = (v: string | null) => (v ? new Date(v).toISOString() : null);

/** The same selection as the platform API's payment-issues (http/payments-router.ts), for one scoped event. */
export async function paymentIssues(db: Queryable, event: ScopedEvent): Promise<PaymentIssueView[]> {
  const rows = await db
    .select({ tp: tabPayments, firstName: attendees.firstName, lastName: attendees.lastName, total: tabs.total })
    .from(tabPayments)
    .leftJoin(attendees, and(eq(attendees.eventId, tabPayments.eventId), eq(attendees.id, tabPayments.attendeeId)))
    .leftJoin(tabs, and(eq(tabs.eventId, tabPayments.eventId), eq(tabs.bandUid, tabPayments.bandUid)))
    .where(and(eq(tabPayments.eventId, event.id), or(inArray(tabPayments.status, ['declined', 'failed']), gt(tabPayments.outstanding, 0))))
    .orderBy(asc(tabPayments.flaggedAt), asc(tabPayments.bandUid));
  return rows.map(({ tp, firstName, lastName, total }) => ({
    bandUid: tp.bandUid,
    attendeeId: tp.attendeeId,
    name: firstName === null ? null : [firstName, lastName].filter(Boolean).join(' '),
    status: tp.status,
    reason: tp.reason,
    declineCode: tp.declineCode,
    tabTotal: total ?? 0,
    capturedAmount: tp.capturedAmount ?? 0,
    outstanding: tp.outstanding,
    flaggedAt: iso(tp.flaggedAt),
  }));
}

/**
 * Sends the flagged tab's card work again: a capture once the event has ended, a new hold before. The job decides
 * what is due (services/tab-payments.ts): a declined card that has not changed is held again only by a capture.
 */
export async function retryPayment(db: Db, queue: JobQueue, caller: ConsoleCaller, event: ScopedEvent, bandUid: string): Promise<{ queue: string; jobId: string }> {
  return db.transaction(async (tx) => {
    const [tp] = await tx
      .select()
      .from(tabPayments)
      .where(and(eq(tabPayments.eventId, event.id), eq(tabPayments.bandUid, bandUid)));
    if (!tp) throw new HttpError(404, 'not_found', `Band ${bandUid} has no card payment in this event.`);
    if (tp.status !== 'declined' && tp.status !== 'failed' && tp.outstanding <= 0) {
      throw new HttpError(409, 'conflict', `The payment of band ${bandUid} is ${tp.status}; there is nothing to retry.`);
    }
    const ended = event.endsAt !== null && Date.parse(event.endsAt) <= Date.now();
    const name = ended ? QUEUES.paymentsCapture : QUEUES.paymentsAuthorize;
    const jobId = await queue.send(tx, name, { eventId: event.id, bandUid } satisfies TabPaymentJob);
    await audit(tx, caller, 'payments.retried', `event:${event.id}`, { bandUid, status: tp.status, job: name, reason: tp.reason });
    return { queue: name, jobId };
  });
}

interface LetterData {
  eventId?: unknown;
  bandUids?: unknown;
  bandUid?: unknown;
  exportId?: unknown;
  messageId?: unknown;
  bulkId?: unknown;
}

const isUuid = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v);

/** The event a dead letter is about; null for platform work (the payment sweep) or data that names nothing known. */
export async function eventOfDeadLetter(db: Queryable, letter: DeadLetter): Promise<string | null> {
  const data = (letter.data ?? {}) as LetterData;
  if (typeof data.eventId === 'string') return data.eventId;
  const one = async (q: Promise<{ eventId: string }[]>) => (await q)[0]?.eventId ?? null;
  if (isUuid(data.exportId)) return one(db.select({ eventId: dataExports.eventId }).from(dataExports).where(eq(dataExports.id, data.exportId)));
  if (isUuid(data.messageId)) return one(db.select({ eventId: smsMessages.eventId }).from(smsMessages).where(eq(smsMessages.id, data.messageId)));
  if (isUuid(data.bulkId)) return one(db.select({ eventId: smsBulks.eventId }).from(smsBulks).where(eq(smsBulks.id, data.bulkId)));
  return null;
}

const WHAT: Record<string, string> = {
  [QUEUES.tabsRecompute]: 'Recompute tabs',
  [QUEUES.tabsRecalculateEvent]: 'Recalculate every tab',
  [QUEUES.exportsBuild]: 'Build a CSV export',
  [QUEUES.smsReceipt]: 'SMS receipts',
  [QUEUES.smsMessage]: 'Send an SMS',
  [QUEUES.smsBulk]: 'Send a bulk SMS',
  [QUEUES.paymentsAuthorize]: 'Hold on a card',
  [QUEUES.paymentsCapture]: 'Charge a card',
};

function view(letter: DeadLetter): DeadLetterView {
  const data = (letter.data ?? {}) as LetterData;
  const named = Array.isArray(data.bandUids) ? data.bandUids.filter((b): b is string => typeof b === 'string') : typeof data.bandUid === 'string' ? [data.bandUid] : [];
  // A recompute of many bands fails for the one it cannot price (its message names it): the others were written.
  const failing = letter.lastError?.match(/^Band ([0-9A-F]+) of event /)?.[1];
  const bandUids = failing && named.includes(failing) ? [failing] : named;
  return {
    id: letter.id,
    queue: letter.queue,
    what: WHAT[letter.queue] ?? letter.queue,
    bandUids,
    error: letter.lastError,
    errorCode: letter.errorCode,
    failedAt: letter.failedAt,
  };
}

/** How many dead letters are read to find an event's: the platform's list is short when things are healthy. */
const SCAN_LIMIT = 500;

export async function deadLettersOfEvent(db: Db, event: ScopedEvent): Promise<DeadLetterView[]> {
  const out: DeadLetterView[] = [];
  for (const letter of await listDeadLetters(db, { limit: SCAN_LIMIT })) {
    if ((await eventOfDeadLetter(db, letter)) === event.id) out.push(view(letter));
  }
  return out;
}

/** Retries one of the event's dead letters, audited in the transaction that sends it; 404 for any other. */
export async function retryEventDeadLetter(db: Db, queue: JobQueue, caller: ConsoleCaller, event: ScopedEvent, id: string): Promise<{ queue: string; jobId: string }> {
  const missing = () => new HttpError(404, 'not_found', `No dead letter "${id}" on this event: it may have been retried already.`);
  if (!isUuid(id)) throw missing();
  const retried = await retryDeadLetter(db, queue, id, async (tx, letter) => {
    if ((await eventOfDeadLetter(tx, letter)) !== event.id) throw missing();
    const v = view(letter);
    await audit(tx, caller, 'jobs.dead_letter_retried', `event:${event.id}`, { queue: letter.queue, what: v.what, bandUids: v.bandUids, error: letter.lastError });
  });
  if (!retried) throw missing();
  return retried;
}
