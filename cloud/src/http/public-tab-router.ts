import { and, eq } from 'drizzle-orm';
import { Router } from 'express';
import type { Db } from '../db/open.ts';
import { events, tabPayments, tabs } from '../db/schema.ts';
import type { TabLinks } from '../services/tab-links.ts';
import { HttpError } from './http-error.ts';

/**
 * The attendee's tab behind the SMS link: `GET /t/<token>`, no account, the signed token is the permission. JSON for
 * now; the page (tip, card) is issue 6. A bad token and an unknown tab answer the same 404, so tokens cannot be probed.
 */
export function publicTabRouter(deps: { db: Db; links: TabLinks }): Router {
  const { db, links } = deps;
  const router = Router();

  router.get('/t/:token', async (req, res) => {
    const named = links.verify(req.params.token);
    const notFound = new HttpError(404, 'not_found', 'This tab link is not valid. Check the link in your SMS.');
    if (!named) throw notFound;
    const [event] = await db.select({ id: events.id, name: events.name, currency: events.currency }).from(events).where(eq(events.id, named.eventId));
    if (!event) throw notFound;
    const [tab] = await db.select().from(tabs).where(and(eq(tabs.eventId, event.id), eq(tabs.bandUid, named.bandUid)));
    const [payment] = await db
      .select({ status: tabPayments.status, capturedAmount: tabPayments.capturedAmount })
      .from(tabPayments)
      .where(and(eq(tabPayments.eventId, event.id), eq(tabPayments.bandUid, named.bandUid)));
    res.set('cache-control', 'no-store');
    res.json({
      event,
      bandUid: named.bandUid,
      tab: tab
        ? {
            currency: tab.currency ?? event.currency,
            total: tab.total,
            subtotal: tab.subtotal,
            discounts: tab.discounts,
            tax: tab.tax,
            tips: tab.tips,
            refunds: tab.refunds,
            orders: (tab.priced as { orders?: unknown[] } | null)?.orders ?? [],
            updatedAt: new Date(tab.updatedAt).toISOString(),
          }
        : { currency: event.currency, total: 0, subtotal: 0, discounts: 0, tax: 0, tips: 0, refunds: 0, orders: [], updatedAt: null },
      payment: payment ?? null,
    });
  });

  return router;
}
