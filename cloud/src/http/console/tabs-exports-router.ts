import { and, desc, eq } from 'drizzle-orm';
import { Router } from 'express';
import { z } from 'zod';
import type { ExportsResponse, ExportView } from '../../console/api-types.ts';
import type { Db } from '../../db/open.ts';
import { dataExports } from '../../db/schema.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import { scopedEvent, type ScopedEvent } from '../../services/accounts-scope.ts';
import { audit } from '../../services/audit.ts';
import { type ExportRow, requestExport } from '../../services/exports.ts';
import { sendExportFile } from '../exports-router.ts';
import { HttpError } from '../http-error.ts';
import { objectBody, parseBody } from '../parse-body.ts';
import { consoleCaller, requireUser } from './session-middleware.ts';

const ExportRequest = z.object({ kind: z.enum(['orders', 'tabs']) }).strict();

function exportView(row: ExportRow): ExportView {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    rows: row.rows,
    bytes: row.bytes,
    error: row.error,
    requestedAt: new Date(row.requestedAt).toISOString(),
    completedAt: row.completedAt ? new Date(row.completedAt).toISOString() : null,
    downloadUrl: row.status === 'ready' ? `/v1/console/events/${encodeURIComponent(row.eventId)}/exports/${row.id}/download` : null,
  };
}

/** One of the scoped event's exports: another event's (or organisation's) export id is a 404 like an unknown one. */
async function exportOf(db: Db, event: ScopedEvent, id: string): Promise<ExportRow> {
  const [row] = z.uuid().safeParse(id).success
    ? await db.select().from(dataExports).where(and(eq(dataExports.id, id), eq(dataExports.eventId, event.id)))
    : [];
  if (!row) throw new HttpError(404, 'not_found', `No export "${id}" of this event.`);
  return row;
}

/** CSV exports from the console: asked for (audited), built by the exports.build job, watched, then downloaded. */
export function consoleExportsRouter(deps: { db: Db; queue: JobQueue; exportsDir: string }): Router {
  const { db } = deps;
  const router = Router();

  router.get('/v1/console/events/:eventId/exports', async (req, res) => {
    const event = await scopedEvent(db, consoleCaller(res), String(req.params.eventId));
    const rows = await db.select().from(dataExports).where(eq(dataExports.eventId, event.id)).orderBy(desc(dataExports.requestedAt)).limit(10);
    res.json({ exports: rows.map(exportView) } satisfies ExportsResponse);
  });

  router.post('/v1/console/events/:eventId/exports', requireUser(db, 'manager'), async (req, res) => {
    const caller = consoleCaller(res);
    const event = await scopedEvent(db, caller, String(req.params.eventId));
    const { kind } = parseBody(ExportRequest, objectBody(req.body));
    const row = await requestExport(db, deps.queue, event.id, kind, (tx, r) => audit(tx, caller, 'exports.requested', `event:${event.id}`, { kind, exportId: r.id }));
    res.status(202).json({ export: exportView(row) } satisfies { export: ExportView });
  });

  router.get('/v1/console/events/:eventId/exports/:exportId', async (req, res) => {
    const event = await scopedEvent(db, consoleCaller(res), String(req.params.eventId));
    res.json({ export: exportView(await exportOf(db, event, String(req.params.exportId))) } satisfies { export: ExportView });
  });

  router.get('/v1/console/events/:eventId/exports/:exportId/download', async (req, res) => {
    const event = await scopedEvent(db, consoleCaller(res), String(req.params.eventId));
    await sendExportFile(res, deps.exportsDir, await exportOf(db, event, String(req.params.exportId)));
  });

  return router;
}
