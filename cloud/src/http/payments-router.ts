import { BandUid, NonNegativeMinor } from '@tapline/shared';
import { and, asc, eq, gt, inArray, or, sql } from 'drizzle-orm';
import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../db/open.ts';
import { attendees, eventPaymentSettings, payments, tabPayments, tabs } from '../db/schema.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { eventHoldAmount } from '../services/payment-settings.ts';
import { adminEvent } from './admin-event.ts';
import { authenticate } from './auth.ts';
import { HttpError } from './http-error.ts';
import { parseBody } from './parse-body.ts';

const PutSettings = z.object({ holdAmount: NonNegativeMinor.nullable() }).strict();
const ListPayments = z.object({ bandUid: BandUid.optional(), limit: z.coerce.number().int().min(1).max(1000).default(200) });

const iso = (v: string | null) => (v ? new Date(v).toISOString() : null);

/** Head office's view of card payments: flagged tabs, each tab's attempts, and the event's hold. */
export function paymentsRouter(deps: { db: Db; queue: JobQueue; adminToken: string }): Router {
  const { db } = deps;
  const router = Router();
  router.use('/v1/admin/events', authenticate(db, deps.adminToken, { admin: true }));

  /** Tabs a person must look at: a declined card, a failure no retry fixes, or money still owed after capture. */
  router.get('/v1/admin/events/:id/payment-issues', async (req, res) => {
    const event = await adminEvent(db, req.params.id);
    const rows = await db
      .select({ tp: tabPayments, a: { firstName: attendees.firstName, lastName: attendees.lastName, phone: attendees.phone }, total: tabs.total })
      .from(tabPayments)
      .leftJoin(attendees, and(eq(attendees.eventId, tabPayments.eventId), eq(attendees.id, tabPayments.attendeeId)))
      .leftJoin(tabs, and(eq(tabs.eventId, tabPayments.eventId), eq(tabs.bandUid, tabPayments.bandUid)))
      .where(and(eq(tabPayments.eventId, event.id), or(inArray(tabPayments.status, ['declined', 'failed']), gt(tabPayments.outstanding, 0))))
      .orderBy(asc(tabPayments.flaggedAt), asc(tabPayments.bandUid));
    res.json({
      issues: rows.map(({ tp, a, total }) => ({
        bandUid: tp.bandUid,
        attendeeId: tp.attendeeId,
        attendee: a,
        status: tp.status,
        declineCode: tp.declineCode,
        reason: tp.reason,
        tabTotal: total ?? 0,
        capturedAmount: tp.capturedAmount ?? 0,
        outstanding: tp.outstanding,
        currency: event.currency,
        flaggedAt: iso(tp.flaggedAt),
      })),
    });
  });

  router.get('/v1/admin/events/:id/payments', async (req, res) => {
    const event = await adminEvent(db, req.params.id);
    const q = parseBody(ListPayments, req.query);
    const list = await db
      .select()
      .from(payments)
      .where(and(eq(payments.eventId, event.id), q.bandUid ? eq(payments.bandUid, q.bandUid) : undefined))
      .orderBy(asc(payments.createdAt), asc(payments.id))
      .limit(q.limit);
    const states = await db
      .select()
      .from(tabPayments)
      .where(and(eq(tabPayments.eventId, event.id), q.bandUid ? eq(tabPayments.bandUid, q.bandUid) : undefined))
      .orderBy(asc(tabPayments.bandUid))
      .limit(q.limit);
    res.json({
      payments: list.map((p) => ({ ...p, heldAt: iso(p.heldAt), releasedAt: iso(p.releasedAt), createdAt: iso(p.createdAt), updatedAt: iso(p.updatedAt) })),
      tabs: states.map((s) => ({ ...s, flaggedAt: iso(s.flaggedAt), updatedAt: iso(s.updatedAt) })),
    });
  });

  router.get('/v1/admin/events/:id/payment-settings', async (req, res) => {
    const event = await adminEvent(db, req.params.id);
    const [row] = await db.select().from(eventPaymentSettings).where(eq(eventPaymentSettings.eventId, event.id));
    const hold = await eventHoldAmount(db, event.id);
    res.json({ settings: { holdAmount: row?.holdAmount ?? null, effectiveHoldAmount: hold?.amount ?? null, currency: event.currency } });
  });

  /** `holdAmount` null goes back to the default: the event's offline allowance per band. */
  router.put('/v1/admin/events/:id/payment-settings', async (req, res) => {
    const event = await adminEvent(db, req.params.id);
    const { holdAmount } = parseBody(PutSettings, req.body);
    await db
      .insert(eventPaymentSettings)
      .values({ eventId: event.id, holdAmount })
      .onConflictDoUpdate({ target: eventPaymentSettings.eventId, set: { holdAmount, updatedAt: sql`now()` } });
    const hold = await eventHoldAmount(db, event.id);
    if (!hold) throw new HttpError(404, 'not_found', `No event "${event.id}".`);
    res.json({ settings: { holdAmount, effectiveHoldAmount: hold.amount, currency: event.currency } });
  });

  return router;
}
