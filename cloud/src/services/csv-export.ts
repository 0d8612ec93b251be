import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { once } from 'node:events';
import type { Sale, Void } from '@tapline/shared';
import { stringify } from 'csv-stringify';
import { and, asc, eq, gt } from 'drizzle-orm';
import type { Queryable } from '../db/open.ts';
import { orders, tabs } from '../db/schema.ts';
import { decimalAmount } from './money-text.ts';

export type ExportKind = 'orders' | 'tabs';
export type CsvRow = Record<string, string | number | boolean | null>;

/** Rows read from the database per query: memory stays flat whatever the event's size. */
export const EXPORT_PAGE_SIZE = 1000;

export const ORDER_COLUMNS = [
  'order_id',
  'kind',
  'band_uid',
  'terminal_id',
  'seq',
  'station_id',
  'staff_id',
  'terminal_created_at',
  'received_at',
  'offline',
  'voids_order_id',
  'void_reason',
  'supervisor_id',
  'currency',
  'total',
  'total_minor',
  'items',
] as const;

export const TAB_COLUMNS = [
  'band_uid',
  'currency',
  'sales',
  'voided',
  'subtotal',
  'subtotal_minor',
  'discounts',
  'discounts_minor',
  'tax',
  'tax_minor',
  'tip',
  'tip_minor',
  'refunds',
  'refunds_minor',
  'total',
  'total_minor',
  'updated_at',
] as const;

const iso = (t: string) => new Date(t).toISOString();

/** Free text typed on a terminal must not run as a formula when head office opens the file in a spreadsheet. */
export function spreadsheetSafe(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function money(amount: number, currency: string, name: string): CsvRow {
  return { [name]: decimalAmount(amount, currency), [`${name}_minor`]: amount };
}

function orderRow(row: { id: string; receivedAt: string; body: unknown }): CsvRow {
  const fact = row.body as Sale | Void;
  const common = {
    order_id: row.id,
    kind: fact.kind,
    band_uid: fact.bandUid,
    terminal_id: fact.terminalId,
    seq: fact.seq,
    station_id: fact.stationId,
    staff_id: fact.staffId,
    terminal_created_at: fact.createdAt,
    received_at: iso(row.receivedAt),
    offline: fact.offline,
  };
  if (fact.kind === 'void') {
    return {
      ...common,
      voids_order_id: fact.voidsOrderId,
      void_reason: spreadsheetSafe(fact.reason),
      supervisor_id: fact.supervisorId,
      currency: null,
      total: null,
      total_minor: null,
      items: null,
    };
  }
  const items = fact.lines
    .map((l) => `${l.quantity} x ${l.name} (${l.productId}) @ ${decimalAmount(l.unitPrice, fact.currency)}`)
    .join('; ');
  return {
    ...common,
    voids_order_id: null,
    void_reason: null,
    supervisor_id: null,
    currency: fact.currency,
    ...money(fact.total, fact.currency, 'total'),
    items,
  };
}

/** The event's orders as facts were recorded, one row each, by id (UUIDv7: about the time they were made). */
export async function* orderRows(db: Queryable, eventId: string): AsyncGenerator<CsvRow[]> {
  let after: string | undefined;
  for (;;) {
    const page = await db
      .select({ id: orders.id, receivedAt: orders.receivedAt, body: orders.body })
      .from(orders)
      .where(and(eq(orders.eventId, eventId), after ? gt(orders.id, after) : undefined))
      .orderBy(asc(orders.id))
      .limit(EXPORT_PAGE_SIZE);
    if (page.length === 0) return;
    yield page.map(orderRow);
    after = page.at(-1)!.id;
  }
}

/** The event's tabs as last priced, one row per band. */
export async function* tabRows(db: Queryable, eventId: string, eventCurrency: string): AsyncGenerator<CsvRow[]> {
  let after: string | undefined;
  for (;;) {
    const page = await db
      .select()
      .from(tabs)
      .where(and(eq(tabs.eventId, eventId), after ? gt(tabs.bandUid, after) : undefined))
      .orderBy(asc(tabs.bandUid))
      .limit(EXPORT_PAGE_SIZE);
    if (page.length === 0) return;
    yield page.map((t) => {
      const currency = t.currency ?? eventCurrency;
      return {
        band_uid: t.bandUid,
        currency,
        sales: t.sales,
        voided: t.voided,
        ...money(t.subtotal, currency, 'subtotal'),
        ...money(t.discounts, currency, 'discounts'),
        ...money(t.tax, currency, 'tax'),
        ...money(t.tips, currency, 'tip'),
        ...money(t.refunds, currency, 'refunds'),
        ...money(t.total, currency, 'total'),
        updated_at: iso(t.updatedAt),
      };
    });
    after = page.at(-1)!.bandUid;
  }
}

/** Makes a rename in `dir` survive a power cut (Linux; elsewhere opening a folder may fail, and that is fine). */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Not supported on this platform: the rename is still atomic, only not yet durable.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Writes RFC 4180 CSV (header row, CRLF, fields quoted when they hold a comma, quote or line break) to `target`
 * atomically: into a temporary file beside it, flushed to disk, then renamed. A reader sees the whole file or none.
 */
export async function writeCsvFile(
  target: string,
  columns: readonly string[],
  pages: AsyncIterable<CsvRow[]>,
  signal?: AbortSignal,
): Promise<{ rows: number; bytes: number }> {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
  const csv = stringify({
    header: true,
    columns: [...columns],
    record_delimiter: 'windows',
    cast: { boolean: (v) => (v ? 'true' : 'false') },
  });
  const file = fs.createWriteStream(tmp, { flags: 'wx', flush: true });
  csv.pipe(file);
  const written = finished(file);
  let rows = 0;
  try {
    for await (const page of pages) {
      signal?.throwIfAborted();
      for (const row of page) {
        rows++;
        if (!csv.write(row)) await once(csv, 'drain', { signal });
      }
    }
    csv.end();
    await written;
    const { size } = fs.statSync(tmp);
    fs.renameSync(tmp, target);
    syncDirectory(path.dirname(target));
    return { rows, bytes: size };
  } catch (err) {
    csv.destroy();
    file.destroy();
    await written.catch(() => undefined);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}
