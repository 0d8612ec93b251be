import { isUuidV7 } from '@tapline/shared';
import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../db/open.ts';
import { decodeCursor, listRegistrationConflicts } from '../services/registration-conflicts.ts';
import { adminEvent } from './admin-event.ts';
import { authenticate } from './auth.ts';
import { parseBody } from './parse-body.ts';

const ConflictsQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(100),
    kind: z.enum(['band_two_attendees', 'attendee_two_bands', 'band_blocked']).optional(),
    /** The previous page's `next`. */
    before: z
      .string()
      .max(200)
      .transform((s, ctx) => {
        const c = decodeCursor(s);
        if (!c || !isUuidV7(c.loserId)) {
          ctx.addIssue({ code: 'custom', message: 'pass the `next` value of the previous page' });
          return z.NEVER;
        }
        return c;
      })
      .optional(),
  })
  .strict();

/** Head office's review of registration clashes the cloud resolved (services/registration-clash.ts). */
export function registrationRouter(deps: { db: Db; adminToken: string }): Router {
  const { db } = deps;
  const router = Router();
  router.use('/v1/admin/events', authenticate(db, deps.adminToken, { admin: true }));

  router.get('/v1/admin/events/:eventId/registration-conflicts', async (req, res) => {
    const event = await adminEvent(db, req.params.eventId);
    const query = parseBody(ConflictsQuery, req.query);
    res.json(await listRegistrationConflicts(db, event.id, query));
  });

  return router;
}
