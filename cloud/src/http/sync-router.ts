import {
  PROTOCOL_VERSION,
  SyncPullQuery,
  type SyncPullResponse,
  SyncPushRequest,
  type SyncPushResponse,
  describeZodError,
} from '@tapline/shared';
import { Router } from 'express';
import type { Db } from '../db/open.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { readConfig } from '../services/config-log.ts';
import { ingestOrders } from '../services/ingest.ts';
import { authenticate, caller } from './auth.ts';
import { HttpError } from './http-error.ts';

export interface SyncRouterDeps {
  db: Db;
  queue: JobQueue;
  adminToken: string;
}

function venueOf(res: Parameters<typeof caller>[0]) {
  const c = caller(res);
  if (c.kind !== 'venue') throw new HttpError(401, 'unauthorized', 'Sync needs a venue key.');
  return c.venue;
}

/** Hub ↔ cloud: facts up (push), configuration down (pull). */
export function syncRouter(deps: SyncRouterDeps): Router {
  const router = Router();
  router.use('/v1/sync', authenticate(deps.db, deps.adminToken, { venue: true }));

  router.post('/v1/sync/push', async (req, res) => {
    const venue = venueOf(res);
    const body: unknown = req.body;
    const v = (body as { v?: unknown } | null | undefined)?.v;
    if (typeof v === 'number' && v !== PROTOCOL_VERSION) {
      throw new HttpError(400, 'unsupported_version', `This cloud speaks protocol version ${PROTOCOL_VERSION}, not ${v}.`);
    }
    const envelope = SyncPushRequest.safeParse(body);
    if (!envelope.success) {
      throw new HttpError(400, 'invalid_body', describeZodError(envelope.error), { issues: envelope.error.issues.slice(0, 20) });
    }
    const results = await ingestOrders(
      { db: deps.db, queue: deps.queue, venueId: venue.id, hubId: envelope.data.hubId },
      envelope.data.orders,
    );
    res.json({ v: PROTOCOL_VERSION, results } satisfies SyncPushResponse);
  });

  router.get('/v1/sync/pull', async (req, res) => {
    const venue = venueOf(res);
    const query = SyncPullQuery.safeParse(req.query);
    if (!query.success) throw new HttpError(400, 'invalid_body', describeZodError(query.error));
    const page = await readConfig(deps.db, venue.id, query.data.cursor, query.data.limit);
    res.json({ v: PROTOCOL_VERSION, venueId: venue.id, ...page } satisfies SyncPullResponse);
  });

  return router;
}
