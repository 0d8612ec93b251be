import { Router } from 'express';
import { z } from 'zod';
import { Id, text } from '@tapline/shared';
import type { DevicesResponse, TerminalStandingResponse, VenueKeyResponse } from '../../console/api-types.ts';
import type { Db } from '../../db/open.ts';
import { scopedEvent, scopedVenue } from '../../services/accounts-scope.ts';
import { devicesView, revokeVenueKey, rotateVenueKey } from '../../services/devices.ts';
import { setTerminalStanding } from '../../services/terminal-standing.ts';
import { HttpError } from '../http-error.ts';
import { parseBody } from '../parse-body.ts';
import { consoleCaller, requireUser } from './session-middleware.ts';

/** The hub link, hubs and terminals of an event's venue; managers create, rotate and revoke the venue key. */
export function devicesRouter(deps: { db: Db }): Router {
  const { db } = deps;
  const router = Router();
  const manager = requireUser(db, 'manager');

  router.get('/v1/console/events/:eventId/devices', async (req, res) => {
    const event = await scopedEvent(db, consoleCaller(res), String(req.params.eventId));
    res.json((await devicesView(db, event)) satisfies DevicesResponse);
  });

  // Creates the key when there is none, replaces it otherwise; the answer carries it this once.
  router.post('/v1/console/venues/:venueId/key', manager, async (req, res) => {
    const venue = await scopedVenue(db, consoleCaller(res), String(req.params.venueId));
    const key = await rotateVenueKey(db, consoleCaller(res), venue);
    res.status(201).json({ key } satisfies VenueKeyResponse);
  });

  router.delete('/v1/console/venues/:venueId/key', manager, async (req, res) => {
    const venue = await scopedVenue(db, consoleCaller(res), String(req.params.venueId));
    await revokeVenueKey(db, consoleCaller(res), venue);
    res.json({ revoked: true });
  });

  // A stolen kiosk: the hub pulls this, disconnects the terminal and refuses it; what it sold before stays.
  const Revoke = z.object({ reason: text(200) });
  const terminalIdOf = (raw: unknown): string => {
    const id = Id.safeParse(raw);
    if (!id.success) throw new HttpError(400, 'invalid_body', 'That is not a terminal id.');
    return id.data;
  };
  router.post('/v1/console/venues/:venueId/terminals/:terminalId/revoke', manager, async (req, res) => {
    // Scope first: another organisation's venue is a 404 whatever the body says.
    const venue = await scopedVenue(db, consoleCaller(res), String(req.params.venueId));
    const terminalId = terminalIdOf(req.params.terminalId);
    const { reason } = parseBody(Revoke, req.body);
    const s = await setTerminalStanding(db, consoleCaller(res), venue, terminalId, 'revoked', reason);
    res.json({ terminalId, status: s.status, reason: s.reason } satisfies TerminalStandingResponse);
  });

  router.post('/v1/console/venues/:venueId/terminals/:terminalId/restore', manager, async (req, res) => {
    const venue = await scopedVenue(db, consoleCaller(res), String(req.params.venueId));
    const terminalId = terminalIdOf(req.params.terminalId);
    const s = await setTerminalStanding(db, consoleCaller(res), venue, terminalId, 'active', null);
    res.json({ terminalId, status: s.status, reason: s.reason } satisfies TerminalStandingResponse);
  });

  return router;
}
