import { Id, newId, text } from '@tapline/shared';
import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../db/open.ts';
import { smsBulks, smsMessages } from '../db/schema.ts';
import { QUEUES, type JobQueue, type SmsBulkJob } from '../jobs/queue.ts';
import { adminEvent } from './admin-event.ts';
import { authenticate } from './auth.ts';
import { HttpError } from './http-error.ts';
import { parseBody } from './parse-body.ts';

/** Room is left for the " Ref XXXXXXXX" every message ends with (1,600 characters in all). */
const MAX_BULK_BODY = 1500;

const PostBulk = z.object({
  /** A client's own id makes a retried request find the first one instead of sending twice. */
  id: z.uuid().optional(),
  body: text(MAX_BULK_BODY),
});

const ListSms = z.object({
  status: z.enum(['pending', 'sending', 'sent', 'failed', 'unknown']).optional(),
  kind: z.enum(['receipt', 'bulk', 'payment_declined']).optional(),
  attendeeId: Id.optional(),
  orderId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const isoOrNull = (v: string | null) => (v ? new Date(v).toISOString() : null);

/** Head office's SMS: bulk messages to every consenting attendee, and what was sent to whom. */
export function messagesRouter(deps: { db: Db; queue: JobQueue; adminToken: string }): Router {
  const { db, queue } = deps;
  const router = Router();
  router.use('/v1/admin/events', authenticate(db, deps.adminToken, { admin: true }));

  router.post('/v1/admin/events/:id/messages', async (req, res) => {
    const event = await adminEvent(db, req.params.id);
    const { id = newId(), body } = parseBody(PostBulk, req.body);
    const result = await db.transaction(async (tx) => {
      const [created] = await tx.insert(smsBulks).values({ id, eventId: event.id, body, status: 'queued' }).onConflictDoNothing().returning();
      if (created) {
        await queue.send(tx, QUEUES.smsBulk, { bulkId: id } satisfies SmsBulkJob);
        return { bulk: created, created: true };
      }
      const [existing] = await tx.select().from(smsBulks).where(eq(smsBulks.id, id));
      if (!existing || existing.eventId !== event.id || existing.body !== body) {
        throw new HttpError(409, 'conflict', `A bulk message with id ${id} was already sent with other content; nothing was sent.`);
      }
      return { bulk: existing, created: false };
    });
    res.status(result.created ? 202 : 200).json({ bulk: { ...result.bulk, createdAt: isoOrNull(result.bulk.createdAt), fannedOutAt: isoOrNull(result.bulk.fannedOutAt) } });
  });

  router.get('/v1/admin/events/:id/messages/:bulkId', async (req, res) => {
    const event = await adminEvent(db, req.params.id);
    const bulkId = z.uuid().safeParse(req.params.bulkId).success ? req.params.bulkId : undefined;
    const [bulk] = bulkId ? await db.select().from(smsBulks).where(and(eq(smsBulks.id, bulkId), eq(smsBulks.eventId, event.id))) : [];
    if (!bulk) throw new HttpError(404, 'not_found', `No bulk message "${req.params.bulkId}" in event "${event.id}".`);
    const counts = await db
      .select({ status: smsMessages.status, n: sql<number>`count(*)::int` })
      .from(smsMessages)
      .where(eq(smsMessages.bulkId, bulk.id))
      .groupBy(smsMessages.status);
    res.json({
      bulk: { ...bulk, createdAt: isoOrNull(bulk.createdAt), fannedOutAt: isoOrNull(bulk.fannedOutAt) },
      messages: Object.fromEntries(counts.map((c) => [c.status, Number(c.n)])),
    });
  });

  router.get('/v1/admin/events/:id/sms', async (req, res) => {
    const event = await adminEvent(db, req.params.id);
    const q = parseBody(ListSms, req.query);
    const where: SQL[] = [eq(smsMessages.eventId, event.id)];
    if (q.status) where.push(eq(smsMessages.status, q.status));
    if (q.kind) where.push(eq(smsMessages.kind, q.kind));
    if (q.attendeeId) where.push(eq(smsMessages.attendeeId, q.attendeeId));
    if (q.orderId) where.push(eq(smsMessages.orderId, q.orderId));
    const rows = await db
      .select()
      .from(smsMessages)
      .where(and(...where))
      .orderBy(desc(smsMessages.createdAt), desc(smsMessages.id))
      .limit(q.limit);
    res.json({
      messages: rows.map((m) => ({
        ...m,
        leaseUntil: isoOrNull(m.leaseUntil),
        firstSendAt: isoOrNull(m.firstSendAt),
        createdAt: isoOrNull(m.createdAt),
        updatedAt: isoOrNull(m.updatedAt),
      })),
    });
  });

  return router;
}
