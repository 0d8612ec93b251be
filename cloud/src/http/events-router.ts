import { type EventSummary, Id, UuidV7, describeZodError } from '@tapline/shared';
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { Router, type Response } from 'express';
import { z } from 'zod';
import type { Db } from '../db/open.ts';
import { queryRows } from '../db/raw-sql.ts';
import { events, orders } from '../db/schema.ts';
import { authenticate, caller } from './auth.ts';
import { HttpError } from './http-error.ts';

const OrdersQuery = z.object({
  after: UuidV7.optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
});

/** The event, if this caller may see it (admin: any; venue: its own). 404 otherwise, so ids do not leak. */
async function visibleEvent(db: Db, res: Response, eventId: string) {
  const parsed = Id.safeParse(eventId);
  const [event] = parsed.success
    ? await db.select({ id: events.id, venueId: events.venueId, currency: events.currency }).from(events).where(eq(events.id, eventId))
    : [];
  const c = caller(res);
  if (!event || (c.kind === 'venue' && c.venue.id !== event.venueId)) {
    throw new HttpError(404, 'not_found', `No event "${eventId}" here.`);
  }
  return event;
}

/** Reading synced sales: head office (admin token) or the venue itself. */
export function eventsRouter(deps: { db: Db; adminToken: string }): Router {
  const router = Router();
  router.use('/v1/events', authenticate(deps.db, deps.adminToken, { venue: true, admin: true }));

  router.get('/v1/events/:id/orders', async (req, res) => {
    const event = await visibleEvent(deps.db, res, req.params.id);
    const query = OrdersQuery.safeParse(req.query);
    if (!query.success) throw new HttpError(400, 'invalid_body', describeZodError(query.error));
    const { after, limit } = query.data;
    const rows = await deps.db
      .select({ id: orders.id, body: orders.body })
      .from(orders)
      .where(and(eq(orders.eventId, event.id), after ? gt(orders.id, after) : undefined))
      .orderBy(asc(orders.id))
      .limit(limit + 1);
    const page = rows.slice(0, limit);
    res.json({ orders: page.map((r) => r.body), next: rows.length > limit ? page.at(-1)!.id : null });
  });

  router.get('/v1/events/:id/summary', async (req, res) => {
    const event = await visibleEvent(deps.db, res, req.params.id);
    const [row] = await queryRows<{ orders: string | number; sales: string | number; voids: string | number; total: string | number }>(
      deps.db,
      sql`select count(*) as orders,
                 count(*) filter (where o.kind = 'sale') as sales,
                 count(*) filter (where o.kind = 'void') as voids,
                 coalesce(sum(o.total) filter (
                   where o.kind = 'sale'
                     and not exists (select 1 from orders v where v.voids_order_id = o.id and v.kind = 'void')
                 ), 0) as total
          from orders o where o.event_id = ${event.id}`,
    );
    const summary: EventSummary = {
      eventId: event.id,
      currency: event.currency,
      orders: Number(row?.orders ?? 0),
      sales: Number(row?.sales ?? 0),
      voids: Number(row?.voids ?? 0),
      total: Number(row?.total ?? 0),
    };
    res.json(summary);
  });

  return router;
}
