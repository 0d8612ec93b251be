import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../../db/open.ts';
import type { AuditResponse } from '../../console/api-types.ts';
import { listAudit } from '../../services/audit.ts';
import { HttpError } from '../http-error.ts';
import { consoleCaller } from './session-middleware.ts';

const Page = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

/** The organisation's audit log, newest first, a page at a time. */
export function auditRouter(deps: { db: Db }): Router {
  const { db } = deps;
  const router = Router();
  router.get('/v1/console/audit', async (req, res) => {
    const r = Page.safeParse(req.query);
    if (!r.success) throw new HttpError(400, 'invalid_body', 'page and pageSize must be whole numbers (pageSize at most 200).');
    const { entries, total } = await listAudit(db, consoleCaller(res).organisationId, r.data);
    res.json({ entries, total, ...r.data } satisfies AuditResponse);
  });
  return router;
}
