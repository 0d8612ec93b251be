import { Router } from 'express';
import type { LiveResponse } from '../../console/api-types.ts';
import type { Db } from '../../db/open.ts';
import { scopedEvent } from '../../services/accounts-scope.ts';
import { liveView } from '../../services/live-view.ts';
import { HttpError } from '../http-error.ts';
import { consoleCaller } from './session-middleware.ts';

/** The live view of one of the caller's events: every figure read in one snapshot (services/live-view.ts). */
export function liveRouter(deps: { db: Db }): Router {
  const { db } = deps;
  const router = Router();
  router.get('/v1/console/events/:eventId/live', async (req, res) => {
    const event = await scopedEvent(db, consoleCaller(res), req.params.eventId);
    const view = await liveView(db, event.id);
    if (!view) throw new HttpError(404, 'not_found', `No event "${req.params.eventId}".`);
    res.json(view satisfies LiveResponse);
  });
  return router;
}
