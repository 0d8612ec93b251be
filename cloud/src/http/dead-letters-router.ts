import { rawText } from '@tapline/shared';
import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../db/open.ts';
import { listDeadLetters, retryDeadLetter } from '../jobs/dead-letters.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { authenticate } from './auth.ts';
import { HttpError } from './http-error.ts';
import { parseBody } from './parse-body.ts';

const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  queue: rawText(200).optional(),
});

/** Jobs the processors gave up on, for head office to see and send again once the cause is fixed. */
export function deadLettersRouter(deps: { db: Db; queue: JobQueue; adminToken: string }): Router {
  const router = Router();
  router.use('/v1/admin/dead-letters', authenticate(deps.db, deps.adminToken, { admin: true }));

  router.get('/v1/admin/dead-letters', async (req, res) => {
    const query = parseBody(ListQuery, req.query);
    res.json({ deadLetters: await listDeadLetters(deps.db, query) });
  });

  router.post('/v1/admin/dead-letters/:id/retry', async (req, res) => {
    const { id } = req.params;
    const retried = z.uuid().safeParse(id).success ? await retryDeadLetter(deps.db, deps.queue, id) : undefined;
    if (!retried) throw new HttpError(404, 'not_found', `No dead letter "${id}": it may have been retried already.`);
    res.status(202).json(retried);
  });

  return router;
}
