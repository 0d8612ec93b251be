import { BandUid, newId, PriceFix, Refund, Tip } from '@tapline/shared';
import { and, eq } from 'drizzle-orm';
import { Router } from 'express';
import type { Db } from '../db/open.ts';
import { tabs } from '../db/schema.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { recordPriceFix, recordRefund, recordTip } from '../services/tab-facts.ts';
import { admitRefund } from '../services/tab-payments-refunds.ts';
import { adminEvent, HEAD_OFFICE, sameCurrency } from './admin-event.ts';
import { authenticate } from './auth.ts';
import { HttpError } from './http-error.ts';
import { objectBody, parseBody } from './parse-body.ts';

function bandOf(param: string): string {
  if (!BandUid.safeParse(param).success) {
    throw new HttpError(400, 'invalid_body', `bandUid: "${param}" is not a wristband UID (8, 14 or 20 uppercase hex digits).`);
  }
  return param;
}

/** The fields the cloud stamps on a head-office fact; a client may bring its own `id` so a retry is recognised. */
function stamped(body: Record<string, unknown>, eventId: string) {
  return { id: body.id ?? newId(), eventId, recordedAt: new Date().toISOString(), recordedBy: HEAD_OFFICE };
}

/**
 * Head office's corrections to tabs, each an immutable fact recorded with the job that applies it, in one
 * transaction: refunds and tips (that band's tab is recomputed), price fixes (every tab they can touch is).
 */
export function tabsRouter(deps: { db: Db; queue: JobQueue; adminToken: string }): Router {
  const { db, queue } = deps;
  const router = Router();
  router.use('/v1/admin/events', authenticate(db, deps.adminToken, { admin: true }));

  router.get('/v1/admin/events/:id/tabs/:bandUid', async (req, res) => {
    const event = await adminEvent(db, req.params.id);
    const bandUid = bandOf(req.params.bandUid);
    const [tab] = await db.select().from(tabs).where(and(eq(tabs.eventId, event.id), eq(tabs.bandUid, bandUid)));
    if (!tab) throw new HttpError(404, 'not_found', `Band ${bandUid} has no tab in event "${event.id}" yet.`);
    res.json({ tab: { ...tab, currency: tab.currency ?? event.currency, updatedAt: new Date(tab.updatedAt).toISOString() } });
  });

  router.post('/v1/admin/events/:id/tabs/:bandUid/refunds', async (req, res) => {
    const event = await adminEvent(db, req.params.id);
    const bandUid = bandOf(req.params.bandUid);
    const body = objectBody(req.body);
    const refund = parseBody(Refund, { currency: event.currency, ...body, ...stamped(body, event.id), kind: 'refund' });
    sameCurrency(event, refund.currency, 'currency');
    // Under the tab's payment lock, as the console's: refused while a capture is in flight, paid back to the card after one.
    const { fact, created } = await recordRefund(db, queue, bandUid, refund, (tx) => admitRefund(tx, queue, { eventId: event.id, bandUid }).then(() => undefined));
    res.status(created ? 201 : 200).json({ refund: fact });
  });

  router.post('/v1/admin/events/:id/tabs/:bandUid/tips', async (req, res) => {
    const event = await adminEvent(db, req.params.id);
    const bandUid = bandOf(req.params.bandUid);
    const body = objectBody(req.body);
    const value = body.value as Record<string, unknown> | undefined;
    const withCurrency = value && typeof value === 'object' && value.type === 'amount' ? { currency: event.currency, ...value } : value;
    const tip = parseBody(Tip, { ...body, value: withCurrency, ...stamped(body, event.id), kind: 'tip', bandUid });
    if (tip.value.type === 'amount') sameCurrency(event, tip.value.currency, 'value.currency');
    const { fact, created } = await recordTip(db, queue, tip);
    res.status(created ? 201 : 200).json({ tip: fact });
  });

  router.post('/v1/admin/events/:id/price-fixes', async (req, res) => {
    const event = await adminEvent(db, req.params.id);
    const body = objectBody(req.body);
    const fix = parseBody(PriceFix, { currency: event.currency, ...body, ...stamped(body, event.id), kind: 'price_fix' });
    sameCurrency(event, fix.currency, 'currency');
    const { fact, created } = await recordPriceFix(db, queue, fix);
    res.status(created ? 201 : 200).json({ priceFix: fact });
  });

  return router;
}
