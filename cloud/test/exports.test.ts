import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { asc, eq } from 'drizzle-orm';
import { orders, tabs } from '../src/db/schema.ts';
import { decimalAmount } from '../src/services/money-text.ts';
import { DEMO_EVENT_ID, demoBandUid } from '../src/seed/demo-constants.ts';
import type { RunningCloud } from '../src/start.ts';
import { ADMIN_TOKEN, api, startTestCloud, VENUE_KEY } from './helpers/cloud.ts';
import { createTestDatabase, databaseSkipReason, type TestDatabase } from './helpers/database.ts';
import { push, sale, voidOf } from './helpers/facts.ts';
import { collect, tabWhere } from './helpers/jobs.ts';

const skip = await databaseSkipReason();

describe('data exporter: CSV of orders and tabs built in the background', { skip, timeout: 120_000 }, () => {
  let target: TestDatabase;
  let cloud: RunningCloud;
  let admin: ReturnType<typeof api>;
  let finished: ReturnType<typeof collect<'exports:finished'>>;

  before(async () => {
    target = await createTestDatabase();
    cloud = await startTestCloud(target);
    admin = api(cloud.url, ADMIN_TOKEN);
    finished = collect(cloud, 'exports:finished');

    // Names that need RFC 4180 quoting: a comma, a double quote, a line break.
    const tricky = { productId: 'beer-pils', name: 'Pils, "large"\nglass', quantity: 3, unitPrice: 555 };
    const facts = [];
    for (let n = 1; n <= 6; n++) facts.push(sale({ band: n, lines: [tricky, { productId: 'soft-cola', name: 'Cola', quantity: 1, unitPrice: 350 }] }));
    facts.push(voidOf(facts[2]!, { reason: 'Spilled, "by accident"' }));
    const settled = [1, 2, 3, 4, 5, 6].map((n) => tabWhere(cloud, DEMO_EVENT_ID, demoBandUid(n), (t) => t.sales === 1 && (n !== 3 || t.voided === 1)));
    await api(cloud.url, VENUE_KEY).post('/v1/sync/push', push(facts));
    await Promise.all(settled);
    // A refund, so the tabs export has more than one kind of figure.
    const refund = await admin.post(`/v1/admin/events/${DEMO_EVENT_ID}/tabs/${demoBandUid(1)}/refunds`, {
      refundsOrderId: facts[0]!.id,
      amount: 125,
      reason: 'Slow service',
    });
    assert.equal(refund.status, 201);
    await tabWhere(cloud, DEMO_EVENT_ID, demoBandUid(1), (t) => t.refunds === 125);
  });
  after(async () => {
    finished?.stop();
    await cloud?.close();
    await target?.drop();
  });

  async function exportCsv(kind: 'orders' | 'tabs') {
    const res = await admin.post(`/v1/admin/events/${DEMO_EVENT_ID}/exports`, { kind });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const { exportId } = res.body;
    assert.equal(res.body.export.status, 'pending');
    const [result] = await finished.waitFor(([r]) => r.exportId === exportId);
    assert.equal(result.status, 'ready');
    const status = await admin.get(`/v1/admin/exports/${exportId}`);
    assert.equal(status.status, 200);
    assert.equal(status.body.export.status, 'ready');
    assert.equal(status.body.export.downloadUrl, `/v1/admin/exports/${exportId}/download`);

    const download = await fetch(`${cloud.url}/v1/admin/exports/${exportId}/download`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    assert.equal(download.status, 200);
    assert.equal(download.headers.get('content-type'), 'text/csv; charset=utf-8');
    assert.match(download.headers.get('content-disposition')!, new RegExp(`^attachment; filename="tapline-${DEMO_EVENT_ID}-${kind}-\\d{8}-\\d{4}\\.csv"$`));
    const text = await download.text();
    assert.equal(Buffer.byteLength(text), status.body.export.bytes);
    assert.ok(text.endsWith('\r\n'), 'records end with CRLF');
    // Written atomically: the final file and no temporary one left beside it.
    const files = fs.readdirSync(path.join(target.options.dataDir!, 'exports'));
    assert.ok(files.includes(`${exportId}.csv`));
    assert.ok(!files.some((f) => f.endsWith('.tmp')));
    const rows: Record<string, string>[] = parse(text, { columns: true, record_delimiter: '\r\n' });
    assert.equal(rows.length, status.body.export.rows);
    return rows;
  }

  test('orders: one row per fact, quoted where needed, money in euros and in cents', async () => {
    const rows = await exportCsv('orders');
    const stored = await cloud.database.db.select().from(orders).where(eq(orders.eventId, DEMO_EVENT_ID)).orderBy(asc(orders.id));
    assert.equal(rows.length, stored.length);
    assert.equal(rows.length, 7);
    rows.forEach((row, i) => {
      const db = stored[i]!;
      assert.equal(row.order_id, db.id);
      assert.equal(row.kind, db.kind);
      assert.equal(row.band_uid, db.bandUid);
      assert.equal(row.terminal_id, db.terminalId);
      assert.equal(Number(row.seq), db.seq);
      assert.equal(row.received_at, new Date(db.receivedAt).toISOString());
      if (db.kind === 'sale') {
        assert.equal(row.total_minor, String(db.total));
        assert.equal(row.total, decimalAmount(db.total!, 'EUR'));
        assert.equal(row.currency, 'EUR');
        assert.equal(row.items, '3 x Pils, "large"\nglass (beer-pils) @ 5.55; 1 x Cola (soft-cola) @ 3.50');
        assert.equal(row.voids_order_id, '');
      } else {
        assert.equal(row.voids_order_id, db.voidsOrderId);
        assert.equal(row.void_reason, 'Spilled, "by accident"');
        assert.equal(row.total, '');
      }
    });
    assert.equal(rows.find((r) => r.kind === 'sale')!.total, '20.15');
    assert.equal(rows.find((r) => r.kind === 'sale')!.offline, 'false');
  });

  test('tabs: one row per band with its priced figures', async () => {
    const rows = await exportCsv('tabs');
    const stored = await cloud.database.db.select().from(tabs).where(eq(tabs.eventId, DEMO_EVENT_ID)).orderBy(asc(tabs.bandUid));
    assert.equal(rows.length, 6);
    assert.deepEqual(
      rows.map((r) => [r.band_uid, r.sales, r.voided, r.subtotal_minor, r.refunds_minor, r.total_minor, r.total]),
      stored.map((t) => [t.bandUid, String(t.sales), String(t.voided), String(t.subtotal), String(t.refunds), String(t.total), decimalAmount(t.total, 'EUR')]),
    );
    const first = rows[0]!;
    assert.deepEqual([first.subtotal, first.refunds, first.total, first.currency], ['20.15', '1.25', '18.90', 'EUR']);
    assert.equal(rows.find((r) => r.band_uid === demoBandUid(3))!.total, '0.00');
  });

  test('unknown exports are 404 and need the admin token', async () => {
    assert.equal((await admin.get('/v1/admin/exports/0190c0de-0000-7000-8000-000000000000')).status, 404);
    assert.equal((await admin.get('/v1/admin/exports/nope/download')).status, 404);
    assert.equal((await api(cloud.url, VENUE_KEY).get('/v1/admin/exports/nope')).status, 401);
  });
});

test('decimalAmount writes minor units in the currency’s own digits, exactly', () => {
  assert.equal(decimalAmount(0, 'EUR'), '0.00');
  assert.equal(decimalAmount(5, 'EUR'), '0.05');
  assert.equal(decimalAmount(-50, 'EUR'), '-0.50');
  assert.equal(decimalAmount(123456789, 'EUR'), '1234567.89');
  assert.equal(decimalAmount(1100, 'JPY'), '1100');
  assert.equal(decimalAmount(1234, 'KWD'), '1.234');
});

test('free text that a spreadsheet would run as a formula is quoted as text', async () => {
  const { spreadsheetSafe } = await import('../src/services/csv-export.ts');
  assert.equal(spreadsheetSafe('=HYPERLINK("http://x")'), `'=HYPERLINK("http://x")`);
  assert.equal(spreadsheetSafe('@SUM(A1)'), `'@SUM(A1)`);
  assert.equal(spreadsheetSafe('wrong drink'), 'wrong drink');
});
