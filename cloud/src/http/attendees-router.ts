import { Attendee, Id } from '@tapline/shared';
import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../db/open.ts';
import { findAttendee, firstDuplicateId, upsertAttendees } from '../services/attendees.ts';
import type { CardLinks } from '../services/registration-card-links.ts';
import { publishAttendees } from '../services/registration-attendees.ts';
import { adminEvent } from './admin-event.ts';
import { authenticate } from './auth.ts';
import { HttpError } from './http-error.ts';
import { objectBody, parseBody } from './parse-body.ts';

const PutAttendees = z.object({ attendees: z.array(Attendee).min(1).max(10_000) });

/**
 * Head office's attendees of an event (registration, issue 4, will write them from the desk and the web too). A PUT
 * replaces each named attendee whole: it is how a card saved at Stripe, a new phone or a consent reaches the jobs.
 */
export function attendeesRouter(deps: { db: Db; adminToken: string; cards?: CardLinks }): Router {
  const { db } = deps;
  const router = Router();
  router.use('/v1/admin/events', authenticate(db, deps.adminToken, { admin: true }));

  router.put('/v1/admin/events/:id/attendees', async (req, res) => {
    const event = await adminEvent(db, req.params.id);
    const body = objectBody(req.body);
    const list = Array.isArray(body.attendees)
      ? body.attendees.map((a: unknown) => (a && typeof a === 'object' && !Array.isArray(a) ? { eventId: event.id, ...a } : a))
      : body.attendees;
    const { attendees } = parseBody(PutAttendees, { attendees: list });
    const other = attendees.find((a) => a.eventId !== event.id);
    if (other) throw new HttpError(400, 'invalid_body', `attendees: attendee ${other.id} names event "${other.eventId}", not "${event.id}".`);
    const twice = firstDuplicateId(attendees);
    if (twice !== undefined) throw new HttpError(400, 'invalid_body', `attendees: attendee ${twice} is named twice; name each attendee once.`);
    // Written and sent down to the venue (attendee entities, and their bands when the card flag changed) in one commit.
    const written = await db.transaction(async (tx) => {
      const n = await upsertAttendees(tx, attendees);
      await publishAttendees(tx, event.id, attendees.map((a) => a.id), { cards: deps.cards });
      return n;
    });
    res.json({ written });
  });

  router.get('/v1/admin/events/:id/attendees/:attendeeId', async (req, res) => {
    const event = await adminEvent(db, req.params.id);
    const attendee = Id.safeParse(req.params.attendeeId).success ? await findAttendee(db, event.id, req.params.attendeeId) : undefined;
    if (!attendee) throw new HttpError(404, 'not_found', `No attendee "${req.params.attendeeId}" in event "${event.id}".`);
    res.json({ attendee });
  });

  return router;
}
