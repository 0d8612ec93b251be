import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type Response, Router } from 'express';
import { z } from 'zod';
import type { Db } from '../db/open.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { downloadName, type ExportRow, exportView, findExport, requestExport } from '../services/exports.ts';
import { adminEvent } from './admin-event.ts';
import { authenticate } from './auth.ts';
import { HttpError } from './http-error.ts';
import { objectBody, parseBody } from './parse-body.ts';

const ExportRequest = z.object({ kind: z.enum(['orders', 'tabs']) });

/** CSV exports: asked for (202), built by the exports.build job, then downloaded. */
export function exportsRouter(deps: { db: Db; queue: JobQueue; adminToken: string; exportsDir: string }): Router {
  const { db } = deps;
  const router = Router();
  const admin = authenticate(db, deps.adminToken, { admin: true });
  router.use('/v1/admin/exports', admin);
  router.use('/v1/admin/events', admin);

  const found = async (id: string) => {
    const row = z.uuid().safeParse(id).success ? await findExport(db, id) : undefined;
    if (!row) throw new HttpError(404, 'not_found', `No export "${id}".`);
    return row;
  };

  router.post('/v1/admin/events/:id/exports', async (req, res) => {
    const event = await adminEvent(db, req.params.id);
    const { kind } = parseBody(ExportRequest, objectBody(req.body));
    const row = await requestExport(db, deps.queue, event.id, kind);
    res.status(202).json({ exportId: row.id, export: exportView(row) });
  });

  router.get('/v1/admin/exports/:id', async (req, res) => {
    res.json({ export: exportView(await found(req.params.id)) });
  });

  router.get('/v1/admin/exports/:id/download', async (req, res) => {
    await sendExportFile(res, deps.exportsDir, await found(req.params.id));
  });

  return router;
}

/** Streams a ready export's CSV as an attachment (409 while it is being built, 404 when its file is gone). */
export async function sendExportFile(res: Response, exportsDir: string, row: ExportRow): Promise<void> {
  if (row.status !== 'ready' || !row.fileName) {
    throw new HttpError(409, 'conflict', `Export ${row.id} is ${row.status}, not ready; download it once its status is ready.`);
  }
  let file: fs.ReadStream;
  try {
    file = fs.createReadStream(path.join(exportsDir, row.fileName));
    await new Promise((resolve, reject) => file.once('open', resolve).once('error', reject));
  } catch {
    throw new HttpError(404, 'not_found', `The file of export ${row.id} is gone from this server; ask for a new export.`);
  }
  res.status(200);
  res.setHeader('content-type', 'text/csv; charset=utf-8');
  res.setHeader('content-disposition', `attachment; filename="${downloadName(row)}"`);
  if (row.bytes !== null) res.setHeader('content-length', String(row.bytes));
  await pipeline(file, res);
}
