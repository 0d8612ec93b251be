import { ConfigEntity, Id, Name, describeZodError } from '@tapline/shared';
import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../db/open.ts';
import { appendConfig } from '../services/config-log.ts';
import { findVenue, insertVenue, newVenueKey } from '../services/venues.ts';
import { authenticate } from './auth.ts';
import { HttpError } from './http-error.ts';

const CreateVenue = z.object({ id: Id, name: Name });
const AppendConfig = z.object({ entities: z.array(ConfigEntity).min(1).max(10_000) });

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success) throw new HttpError(400, 'invalid_body', describeZodError(r.error), { issues: r.error.issues.slice(0, 20) });
  return r.data;
}

/** Head office, until accounts exist: one admin token. */
export function adminRouter(deps: { db: Db; adminToken: string }): Router {
  const router = Router();
  router.use('/v1/admin', authenticate(deps.db, deps.adminToken, { admin: true }));

  router.post('/v1/admin/venues', async (req, res) => {
    const venue = parse(CreateVenue, req.body);
    const key = newVenueKey();
    if (!(await insertVenue(deps.db, venue, key))) {
      throw new HttpError(409, 'conflict', `A venue with id "${venue.id}" already exists.`);
    }
    // The key is shown this once; only its sha256 is stored.
    res.status(201).json({ venue, key });
  });

  router.post('/v1/admin/venues/:id/config', async (req, res) => {
    const { entities } = parse(AppendConfig, req.body);
    const venue = await findVenue(deps.db, req.params.id);
    if (!venue) throw new HttpError(404, 'not_found', `No venue "${req.params.id}".`);
    const cursor = await appendConfig(deps.db, venue.id, entities);
    res.json({ cursor });
  });

  return router;
}
