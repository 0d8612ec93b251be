import { BandUid, NonNegativeMinor, text, UuidV7 } from '@tapline/shared';
import { Router } from 'express';
import { z } from 'zod';
import type { AttendeeSearchResponse, TabCorrectionResponse, TabDetailResponse } from '../../console/api-types.ts';
import type { Db } from '../../db/open.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import { type ConsoleCaller, scopedEvent, type ScopedEvent } from '../../services/accounts-scope.ts';
import { searchAttendees, tabDetail } from '../../services/console-tabs.ts';
import { refundOrder, voidOrder } from '../../services/console-tabs-actions.ts';
import { HttpError } from '../http-error.ts';
import { objectBody, parseBody } from '../parse-body.ts';
import { consoleCaller, requireUser } from './session-middleware.ts';

const SearchQuery = z.object({
  q: z.string().max(100).default(''),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(25),
});

/** A reason a person reads later in the audit log and on the tab: required, a short sentence. */
const Reason = text(160, 3);
const RefundBody = z.object({ orderId: UuidV7, amount: NonNegativeMinor.min(1), reason: Reason }).strict();
const VoidBody = z.object({ orderId: UuidV7, reason: Reason }).strict();

function bandOf(param: string): string {
  if (!BandUid.safeParse(param).success) throw new HttpError(404, 'not_found', `"${param}" is not a wristband UID.`);
  return param;
}

/** The event and band of a tab route, scoped to the caller before anything else is read (or validated). */
async function scopedTab(db: Db, caller: ConsoleCaller, eventId: string, bandParam: string): Promise<{ event: ScopedEvent; bandUid: string }> {
  const event = await scopedEvent(db, caller, eventId);
  return { event, bandUid: bandOf(bandParam) };
}

/** The Attendees & tabs screen: search, one tab, and head office's refunds and voids (manager and up, audited). */
export function consoleTabsRouter(deps: { db: Db; queue: JobQueue }): Router {
  const { db, queue } = deps;
  const router = Router();

  router.get('/v1/console/events/:eventId/attendees', async (req, res) => {
    const event = await scopedEvent(db, consoleCaller(res), String(req.params.eventId));
    const query = parseBody(SearchQuery, req.query);
    res.json((await searchAttendees(db, event, query)) satisfies AttendeeSearchResponse);
  });

  router.get('/v1/console/events/:eventId/tabs/:bandUid', async (req, res) => {
    const { event, bandUid } = await scopedTab(db, consoleCaller(res), String(req.params.eventId), String(req.params.bandUid));
    const detail = await tabDetail(db, event, bandUid);
    if (!detail) throw new HttpError(404, 'not_found', `Band ${bandUid} has no tab in this event.`);
    res.json(detail satisfies TabDetailResponse);
  });

  router.post('/v1/console/events/:eventId/tabs/:bandUid/refunds', requireUser(db, 'manager'), async (req, res) => {
    const caller = consoleCaller(res);
    const { event, bandUid } = await scopedTab(db, caller, String(req.params.eventId), String(req.params.bandUid));
    const body = parseBody(RefundBody, objectBody(req.body));
    const { refund, toCard } = await refundOrder(db, queue, caller, event, bandUid, body);
    res.status(201).json({ refund: { id: refund.id, orderId: refund.refundsOrderId, amount: refund.amount, reason: refund.reason, at: refund.recordedAt, by: caller.name }, toCard } satisfies TabCorrectionResponse);
  });

  router.post('/v1/console/events/:eventId/tabs/:bandUid/voids', requireUser(db, 'manager'), async (req, res) => {
    const caller = consoleCaller(res);
    const { event, bandUid } = await scopedTab(db, caller, String(req.params.eventId), String(req.params.bandUid));
    const body = parseBody(VoidBody, objectBody(req.body));
    const { refund, toCard } = await voidOrder(db, queue, caller, event, bandUid, body);
    res.status(201).json({ refund: { id: refund.id, orderId: refund.refundsOrderId, amount: refund.amount, reason: refund.reason, at: refund.recordedAt, by: caller.name }, toCard } satisfies TabCorrectionResponse);
  });

  return router;
}
