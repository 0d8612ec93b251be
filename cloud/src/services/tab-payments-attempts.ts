import { newId } from '@tapline/shared';
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db, Queryable, Tx } from '../db/open.ts';
import { payments, tabPayments, tabs } from '../db/schema.ts';
import { PermanentJobError } from '../jobs/processor.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { idempotencyKey, type Metadata, type PaymentProvider } from '../providers/payments.ts';
import type { PaymentSettings } from './payment-settings.ts';
import type { TabLinks } from './tab-links.ts';

/*
 * A tab's card, from hold to capture, one Stripe call at a time. Every call follows the same three steps:
 *
 *   1. In a transaction (with the tab's advisory lock): find this tab's `pending` attempt of the kind, or write a new
 *      one — its attempt number, amount, PaymentIntent and idempotency key `tapline:<kind>:<tab>:<attempt>` — and
 *      COMMIT it.
 *   2. Call Stripe with exactly what the row says.
 *   3. In a transaction: the row's outcome, and the tab's payment state.
 *
 * A worker killed between 2 and 3 leaves the row `pending`. Whoever comes next (the job's retry, or the sweeper's
 * next job for the tab) finds it in step 1 and repeats step 2 with the same key and the same parameters: Stripe
 * answers the first result again (`Idempotent-Replayed`), so nothing is charged or held twice. Two workers on the
 * same pending row at once are safe for the same reason (Stripe answers the second 409 or replays), and step 3 only
 * moves a row that is still `pending`.
 *
 * Stripe keeps keys for 24 hours: a pending attempt older than REPLAY_WINDOW_HOURS is not repeated blindly; it is
 * flagged for head office, who can see in Stripe whether it happened.
 */

export const REPLAY_WINDOW_HOURS = 23;

export interface TabKey {
  eventId: string;
  bandUid: string;
}

export interface TabPaymentDeps {
  db: Db;
  queue: Pick<JobQueue, 'sendMany'>;
  provider: PaymentProvider;
  links: TabLinks;
  log: Logger;
  settings: PaymentSettings;
}

export type PaymentRow = typeof payments.$inferSelect;
export type TabPaymentRow = typeof tabPayments.$inferSelect;
export type Kind = PaymentRow['kind'];

/** The tab in an idempotency key: ':' (allowed in event ids, not in keys) becomes '~' (allowed in neither id). */
export function tabRef(t: TabKey): string {
  return `${t.eventId.replaceAll(':', '~')}.${t.bandUid}`;
}

export async function lockTab(tx: Tx, t: TabKey): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`pay|${t.eventId}|${t.bandUid}`}))`);
}

export const whereTab = (t: TabKey) => and(eq(payments.eventId, t.eventId), eq(payments.bandUid, t.bandUid));

export async function pendingAttempt(tx: Queryable, t: TabKey, kind: Kind, intentId?: string): Promise<PaymentRow | undefined> {
  const [row] = await tx
    .select()
    .from(payments)
    .where(and(whereTab(t), eq(payments.kind, kind), eq(payments.status, 'pending'), intentId ? eq(payments.intentId, intentId) : undefined))
    .orderBy(desc(payments.attempt))
    .limit(1);
  return row;
}

export async function beginAttempt(
  tx: Tx,
  t: TabKey,
  fields: { kind: Kind; attendeeId: string; amount: number; currency: string; intentId?: string | null; customerId?: string | null; paymentMethodId?: string | null },
): Promise<PaymentRow> {
  const [last] = await tx
    .select({ n: sql<number>`coalesce(max(${payments.attempt}), 0)::int` })
    .from(payments)
    .where(and(whereTab(t), eq(payments.kind, fields.kind)));
  const attempt = Number(last?.n ?? 0) + 1;
  const [row] = await tx
    .insert(payments)
    .values({
      id: newId(),
      eventId: t.eventId,
      bandUid: t.bandUid,
      attendeeId: fields.attendeeId,
      kind: fields.kind,
      attempt,
      idempotencyKey: idempotencyKey(fields.kind, tabRef(t), attempt),
      intentId: fields.intentId ?? null,
      status: 'pending',
      amount: fields.amount,
      currency: fields.currency,
      customerId: fields.customerId ?? null,
      paymentMethodId: fields.paymentMethodId ?? null,
    })
    .returning();
  return row!;
}

/** Fixed by the row, so a repeated call sends exactly the same parameters (Stripe refuses a key reused otherwise). */
export function metadataOf(row: PaymentRow): Metadata {
  return {
    tapline_event: row.eventId,
    tapline_band: row.bandUid,
    tapline_attendee: row.attendeeId,
    tapline_kind: row.kind,
    tapline_attempt: String(row.attempt),
  };
}

/** Moves a pending row to its outcome; undefined when another worker got there first. */
export async function finish(tx: Tx, row: PaymentRow, patch: Partial<typeof payments.$inferInsert>): Promise<PaymentRow | undefined> {
  const [done] = await tx
    .update(payments)
    .set({ ...patch, updatedAt: sql`now()` })
    .where(and(eq(payments.id, row.id), eq(payments.status, 'pending')))
    .returning();
  return done;
}

export async function readTabPayment(q: Queryable, t: TabKey): Promise<TabPaymentRow | undefined> {
  const [row] = await q
    .select()
    .from(tabPayments)
    .where(and(eq(tabPayments.eventId, t.eventId), eq(tabPayments.bandUid, t.bandUid)));
  return row;
}

export async function setTabPayment(tx: Tx, t: TabKey, attendeeId: string, patch: Partial<typeof tabPayments.$inferInsert> & { status?: TabPaymentRow['status'] }): Promise<void> {
  const values = { eventId: t.eventId, bandUid: t.bandUid, attendeeId, status: patch.status ?? 'authorizing', ...patch, updatedAt: sql`now()` };
  await tx
    .insert(tabPayments)
    .values(values)
    .onConflictDoUpdate({ target: [tabPayments.eventId, tabPayments.bandUid], set: { ...patch, attendeeId, updatedAt: sql`now()` } });
}

export async function flag(tx: Tx, t: TabKey, attendeeId: string, status: 'declined' | 'failed', reason: string, extra: Partial<typeof tabPayments.$inferInsert> = {}) {
  await setTabPayment(tx, t, attendeeId, { status, reason, flaggedAt: new Date().toISOString(), ...extra });
}

export function describe(err: unknown): { code: string | null; message: string } {
  const code = (err as { code?: unknown }).code;
  return { code: typeof code === 'string' ? code : null, message: err instanceof Error ? err.message : String(err) };
}

/** A pending attempt too old to replay: Stripe may have forgotten its key, so a repeat could act twice. */
export async function refuseStale(deps: TabPaymentDeps, t: TabKey, row: PaymentRow): Promise<never> {
  const message = `The ${row.kind} attempt ${row.attempt} of band ${t.bandUid} (key ${row.idempotencyKey}) started over ${REPLAY_WINDOW_HOURS} hours ago and never finished; Stripe may no longer recognise its key, so it is not repeated. Check the PaymentIntent in Stripe (metadata tapline_band) before retrying.`;
  await deps.db.transaction(async (tx) => {
    await lockTab(tx, t);
    if (await finish(tx, row, { status: 'failed', errorCode: 'attempt_stale', error: message })) await flag(tx, t, row.attendeeId, 'failed', message);
  });
  throw new PermanentJobError('payment_attempt_stale', message);
}

export const isStale = (row: PaymentRow) => Date.now() - new Date(row.createdAt).getTime() > REPLAY_WINDOW_HOURS * 3_600_000;

export async function tabTotal(q: Queryable, t: TabKey): Promise<number> {
  const [row] = await q.select({ total: tabs.total }).from(tabs).where(and(eq(tabs.eventId, t.eventId), eq(tabs.bandUid, t.bandUid)));
  return row?.total ?? 0;
}
