import { BandUid } from '@tapline/shared';
import { Router } from 'express';
import type { IssuesResponse, RetryResponse } from '../../console/api-types.ts';
import type { Db } from '../../db/open.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import { scopedEvent } from '../../services/accounts-scope.ts';
import { deadLettersOfEvent, paymentIssues, retryEventDeadLetter, retryPayment } from '../../services/console-tabs-issues.ts';
import { HttpError } from '../http-error.ts';
import { consoleCaller, requireUser } from './session-middleware.ts';

/** "Needs attention": an event's flagged card payments and dead-lettered jobs, each with a retry (manager and up, audited). */
export function consoleIssuesRouter(deps: { db: Db; queue: JobQueue }): Router {
  const { db, queue } = deps;
  const router = Router();

  router.get('/v1/console/events/:eventId/issues', async (req, res) => {
    const event = await scopedEvent(db, consoleCaller(res), String(req.params.eventId));
    res.json({ currency: event.currency, payments: await paymentIssues(db, event), deadLetters: await deadLettersOfEvent(db, event) } satisfies IssuesResponse);
  });

  router.post('/v1/console/events/:eventId/payment-issues/:bandUid/retry', requireUser(db, 'manager'), async (req, res) => {
    const caller = consoleCaller(res);
    const event = await scopedEvent(db, caller, String(req.params.eventId));
    const bandUid = String(req.params.bandUid);
    if (!BandUid.safeParse(bandUid).success) throw new HttpError(404, 'not_found', `"${bandUid}" is not a wristband UID.`);
    res.status(202).json((await retryPayment(db, queue, caller, event, bandUid)) satisfies RetryResponse);
  });

  router.post('/v1/console/events/:eventId/dead-letters/:deadLetterId/retry', requireUser(db, 'manager'), async (req, res) => {
    const caller = consoleCaller(res);
    const event = await scopedEvent(db, caller, String(req.params.eventId));
    res.status(202).json((await retryEventDeadLetter(db, queue, caller, event, String(req.params.deadLetterId))) satisfies RetryResponse);
  });

  return router;
}
