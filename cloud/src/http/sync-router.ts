import {
  PROTOCOL_VERSION,
  SyncPullQuery,
  SyncPullRequest,
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
import type { CardLinks } from '../services/registration-card-links.ts';
import { recordHubPush } from '../services/live-hubs.ts';
import { recordVenuePull } from '../services/devices.ts';
import { readableReports, recordHubTerminals } from '../services/devices-terminals.ts';
import { authenticate, caller } from './auth.ts';
import { HttpError } from './http-error.ts';

export interface SyncRouterDeps {
  db: Db;
  queue: JobQueue;
  adminToken: string;
  /** Signs the card-page links of attendees signed up at a desk. */
  cards?: CardLinks;
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
    const { hubId, orders, backlog } = envelope.data;
    const results = await ingestOrders(
      {
        db: deps.db,
        queue: deps.queue,
        venueId: venue.id,
        hubId,
        backlog,
        cards: deps.cards,
        // In the push's transaction: "last upload" never names a push the cloud did not keep, at no commit of its own.
        recordPush: (q) => recordHubPush(q, { venueId: venue.id, hubId, batch: orders.length, backlog }),
      },
      orders,
    );
    res.json({ v: PROTOCOL_VERSION, results } satisfies SyncPushResponse);
  });

  const pull = async (venueId: string, cursor: number, limit: number): Promise<SyncPullResponse> => {
    const page = await readConfig(deps.db, venueId, cursor, limit);
    // Head office's Devices screen: when the hub last pulled and how far its configuration is behind.
    await recordVenuePull(deps.db, venueId, page.cursor);
    return { v: PROTOCOL_VERSION, venueId, ...page, takesTerminals: true };
  };

  router.get('/v1/sync/pull', async (req, res) => {
    const venue = venueOf(res);
    const query = SyncPullQuery.safeParse(req.query);
    if (!query.success) throw new HttpError(400, 'invalid_body', describeZodError(query.error));
    res.json((await pull(venue.id, query.data.cursor, query.data.limit)) satisfies SyncPullResponse);
  });

  // The same pull by POST, carrying the hub's paired terminals for the Devices screen (a hub sends it once an answer
  // says `takesTerminals`). The page is the GET's; unreadable terminals are left out rather than failing the pull.
  router.post('/v1/sync/pull', async (req, res) => {
    const venue = venueOf(res);
    const body: unknown = req.body;
    const v = (body as { v?: unknown } | null | undefined)?.v;
    if (typeof v === 'number' && v !== PROTOCOL_VERSION) {
      throw new HttpError(400, 'unsupported_version', `This cloud speaks protocol version ${PROTOCOL_VERSION}, not ${v}.`);
    }
    const request = SyncPullRequest.safeParse(body);
    if (!request.success) throw new HttpError(400, 'invalid_body', describeZodError(request.error));
    const { hubId, cursor, limit, terminals } = request.data;
    if (terminals) await recordHubTerminals(deps.db, venue.id, hubId, readableReports(terminals));
    res.json((await pull(venue.id, cursor, limit)) satisfies SyncPullResponse);
  });

  return router;
}
