import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import type { RunningHub } from '../src/hub.ts';
import { makeSale, pairAndConnect, removeDir, startTestHub, statuses, tempDir, type TestTerminal } from './helpers.ts';

describe('orders:push', () => {
  let dir: string;
  let hub: RunningHub;
  let terminal: TestTerminal;
  let terminalId: string;
  let reader: Database.Database;

  before(async () => {
    dir = tempDir();
    hub = await startTestHub({ dataDir: dir });
    const c = await pairAndConnect(hub);
    terminal = c.terminal;
    terminalId = c.creds.terminalId;
    // A second connection to the same file, as a crash-recovery tool would see it.
    reader = new Database(hub.dbFile, { readonly: true });
  });
  after(async () => {
    terminal.close();
    reader.close();
    await hub.close();
    removeDir(dir);
  });

  const orderRow = (id: string) => reader.prepare('SELECT * FROM orders WHERE id = ?').get(id) as Record<string, unknown> | undefined;
  const outboxCount = (id: string) => (reader.prepare('SELECT COUNT(*) AS n FROM cloud_outbox WHERE order_id = ?').get(id) as { n: number }).n;

  test('the ack comes after the commit: the order and its outbox row are in the file', async () => {
    const sale = makeSale(terminalId, 1);
    const ack = await terminal.push([sale]);
    assert.equal(ack.ok, true);
    assert.ok(ack.ok);
    assert.deepEqual(ack.results, [{ id: sale.id, status: 'stored' }]);
    const row = orderRow(sale.id);
    assert.ok(row, 'order row committed before the ack');
    assert.equal(row.terminal_id, terminalId);
    assert.equal(row.total, 1300);
    assert.equal(row.kind, 'sale');
    assert.deepEqual(JSON.parse(row.body as string), sale);
    assert.equal(outboxCount(sale.id), 1);
  });

  test('a resent order is a duplicate with no second outbox row; other content under the same id is a conflict kept for review', async () => {
    const sale = makeSale(terminalId, 2);
    await terminal.push([sale]);
    const again = await terminal.push([sale, sale]);
    assert.ok(again.ok);
    assert.deepEqual(statuses(again.results), ['duplicate', 'duplicate']);
    assert.equal(outboxCount(sale.id), 1);

    const tampered = { ...sale, lines: [{ ...sale.lines[0]!, quantity: 3 }], total: 1950 };
    const conflict = await terminal.push([tampered]);
    assert.ok(conflict.ok);
    assert.equal(conflict.results[0]?.status, 'conflict');
    assert.equal(conflict.results[0]?.error?.code, 'conflict');
    assert.equal(orderRow(sale.id)?.total, 1300, 'the first fact stands');
    const kept = reader.prepare('SELECT * FROM conflicts WHERE order_id = ?').all(sale.id) as Array<Record<string, unknown>>;
    assert.equal(kept.length, 1);
    assert.equal(JSON.parse(kept[0]!.body as string).total, 1950);
    assert.notEqual(kept[0]!.fingerprint, kept[0]!.existing_fingerprint);
    // Resending the same conflicting fact does not grow the review table.
    await terminal.push([tampered]);
    assert.equal((reader.prepare('SELECT COUNT(*) AS n FROM conflicts WHERE order_id = ?').get(sale.id) as { n: number }).n, 1);
    assert.equal(hub.status().conflicts, 1);
  });

  test('invalid items are refused one by one; the valid ones of the same batch are kept', async () => {
    const good1 = makeSale(terminalId, 10);
    const good2 = makeSale(terminalId, 11);
    const badTotal = { ...makeSale(terminalId, 12), total: 1 };
    const ack = await terminal.push([good1, badTotal, 'garbage', good2]);
    assert.ok(ack.ok);
    assert.deepEqual(statuses(ack.results), ['stored', 'invalid', 'invalid', 'stored']);
    assert.equal(ack.results[1]?.id, badTotal.id);
    assert.equal(ack.results[1]?.error?.code, 'invalid_item');
    assert.match(ack.results[1]!.error!.message, /total/);
    assert.equal(ack.results[2]?.id, '#2');
    assert.ok(orderRow(good1.id));
    assert.ok(orderRow(good2.id));
    assert.equal(orderRow(badTotal.id), undefined);
  });

  test('a bad envelope is refused whole with invalid_body (or unsupported_version) and writes nothing', async () => {
    const sale = makeSale(terminalId, 20);
    const noOrders = (await terminal.socket.timeout(5000).emitWithAck('orders:push', { v: 1, orders: [] })) as { ok: boolean; error?: { code: string } };
    assert.equal(noOrders.ok, false);
    assert.equal(noOrders.error?.code, 'invalid_body');
    const notArray = (await terminal.socket.timeout(5000).emitWithAck('orders:push', { v: 1, orders: sale })) as { ok: boolean; error?: { code: string } };
    assert.equal(notArray.error?.code, 'invalid_body');
    const tooMany = (await terminal.socket.timeout(5000).emitWithAck('orders:push', { v: 1, orders: Array(501).fill(sale) })) as { ok: boolean; error?: { code: string } };
    assert.equal(tooMany.error?.code, 'invalid_body');
    const future = (await terminal.socket.timeout(5000).emitWithAck('orders:push', { v: 9, orders: [sale] })) as { ok: boolean; error?: { code: string } };
    assert.equal(future.error?.code, 'unsupported_version');
    assert.equal(orderRow(sale.id), undefined);
  });

  test("an order claiming another terminal's id is refused", async () => {
    const other = await pairAndConnect(hub, 'Bar 2');
    try {
      const spoofed = makeSale(other.creds.terminalId, 1);
      const own = makeSale(terminalId, 30);
      const ack = await terminal.push([spoofed, own]);
      assert.ok(ack.ok);
      assert.deepEqual(statuses(ack.results), ['invalid', 'stored']);
      assert.match(ack.results[0]!.error!.message, /terminalId/);
      assert.equal(orderRow(spoofed.id), undefined);
    } finally {
      other.terminal.close();
    }
  });

  test('pushes from many terminals at once are all committed and acked (group commit)', async () => {
    const terminals = await Promise.all(Array.from({ length: 20 }, (_, i) => pairAndConnect(hub, `T${i}`)));
    try {
      const sent: string[] = [];
      const acks = await Promise.all(
        terminals.flatMap(({ creds, terminal: t }) =>
          Array.from({ length: 5 }, (_, k) => {
            const batch = Array.from({ length: 10 }, (_, j) => makeSale(creds.terminalId, k * 10 + j + 1));
            sent.push(...batch.map((s) => s.id));
            return t.push(batch);
          }),
        ),
      );
      for (const ack of acks) {
        assert.ok(ack.ok);
        assert.ok(ack.results.every((r) => r.status === 'stored'));
      }
      const placeholders = sent.map(() => '?').join(',');
      const n = (reader.prepare(`SELECT COUNT(*) AS n FROM orders WHERE id IN (${placeholders})`).get(...sent) as { n: number }).n;
      assert.equal(n, 1000);
      const report = hub.status();
      for (const { creds } of terminals) {
        assert.equal(report.terminals.find((t) => t.id === creds.terminalId)?.ordersReceived, 50);
      }
    } finally {
      for (const { terminal: t } of terminals) t.close();
    }
  });

  test('terminals are told the queue depth through hub:status as orders arrive', async () => {
    const depth = hub.status().queueDepth;
    assert.ok(depth > 0, 'no cloud: everything waits in the outbox');
    const s = await terminal.nextStatus((m) => m.pendingUpload === depth);
    assert.equal(s.uplink, 'unknown');
  });
});
