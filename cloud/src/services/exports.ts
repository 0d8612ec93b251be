import path from 'node:path';
import { newId } from '@tapline/shared';
import { eq } from 'drizzle-orm';
import type { Db, Tx } from '../db/open.ts';
import { dataExports, events } from '../db/schema.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { type ExportKind, ORDER_COLUMNS, orderRows, TAB_COLUMNS, tabRows, writeCsvFile } from './csv-export.ts';

export type ExportRow = typeof dataExports.$inferSelect;

/** Records the export and its build job in one transaction: a 202 always has a job behind it. */
export async function requestExport(
  db: Db,
  queue: Pick<JobQueue, 'enqueueExport'>,
  eventId: string,
  kind: ExportKind,
  /** Runs in the same transaction (the console's audit row). */
  within?: (tx: Tx, row: ExportRow) => Promise<void>,
): Promise<ExportRow> {
  return db.transaction(async (tx) => {
    const [row] = await tx.insert(dataExports).values({ id: newId(), eventId, kind, status: 'pending' }).returning();
    await within?.(tx, row!);
    await queue.enqueueExport(tx, { exportId: row!.id });
    return row!;
  });
}

export async function findExport(db: Db, id: string): Promise<ExportRow | undefined> {
  const [row] = await db.select().from(dataExports).where(eq(dataExports.id, id));
  return row;
}

export function exportFileName(exportId: string): string {
  return `${exportId}.csv`;
}

/** What the browser saves it as: the event, the kind and when it was asked for. */
export function downloadName(row: ExportRow): string {
  const stamp = new Date(row.requestedAt).toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
  return `tapline-${row.eventId}-${row.kind}-${stamp}.csv`;
}

/**
 * Builds the export's CSV under `exportsDir` and marks it ready. Idempotent: a ready export is left alone, and a
 * rebuild after a crash overwrites the file with the same name.
 */
export async function buildExport(db: Db, exportsDir: string, exportId: string, signal?: AbortSignal): Promise<ExportRow | undefined> {
  const row = await findExport(db, exportId);
  if (!row) return undefined;
  if (row.status === 'ready') return row;
  if (row.status === 'failed') {
    // Retried from the dead letters: building again.
    await db.update(dataExports).set({ status: 'pending', error: null, completedAt: null }).where(eq(dataExports.id, row.id));
  }
  const [event] = await db.select({ currency: events.currency }).from(events).where(eq(events.id, row.eventId));
  const fileName = exportFileName(row.id);
  const target = path.join(exportsDir, fileName);
  const { rows, bytes } =
    row.kind === 'orders'
      ? await writeCsvFile(target, ORDER_COLUMNS, orderRows(db, row.eventId), signal)
      : await writeCsvFile(target, TAB_COLUMNS, tabRows(db, row.eventId, event!.currency), signal);
  const [ready] = await db
    .update(dataExports)
    .set({ status: 'ready', fileName, rows, bytes, error: null, completedAt: new Date().toISOString() })
    .where(eq(dataExports.id, row.id))
    .returning();
  return ready;
}

export async function markExportFailed(db: Db, exportId: string, message: string): Promise<void> {
  await db
    .update(dataExports)
    .set({ status: 'failed', error: message, completedAt: new Date().toISOString() })
    .where(eq(dataExports.id, exportId));
}

/** What the status route answers. */
export function exportView(row: ExportRow) {
  return {
    id: row.id,
    eventId: row.eventId,
    kind: row.kind,
    status: row.status,
    rows: row.rows,
    bytes: row.bytes,
    error: row.error,
    requestedAt: new Date(row.requestedAt).toISOString(),
    completedAt: row.completedAt ? new Date(row.completedAt).toISOString() : null,
    downloadUrl: row.status === 'ready' ? `/v1/admin/exports/${row.id}/download` : null,
  };
}
