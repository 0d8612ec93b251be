/**
 * Terminal order commit (validate, approve, write order + outbox in one fsync'd transaction) against a raw
 * better-sqlite3 insert of the same rows, with the same pragmas, into the same schema.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConfigEntity } from '@tapline/shared';
import { openDb } from '../desktop/src/runtime/db/open.ts';
import { ConfigCache } from '../desktop/src/runtime/config-cache.ts';
import { MetaStore } from '../desktop/src/runtime/meta-store.ts';
import { OrderStore } from '../desktop/src/runtime/order-store.ts';
import { fmt, timeInterleaved, type BenchRow } from './lib/measure.ts';
import { benchConfig, BENCH_BANDS } from './lib/fixtures.ts';

export async function benchTerminalCommit(count = 1000): Promise<BenchRow> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tapline-bench-terminal-'));
  try {
    const db = openDb(path.join(dir, 'terminal.db'));
    new MetaStore(db).set('terminalId', 'bench-terminal');
    const cache = new ConfigCache(db);
    cache.apply({ v: 1, full: true, cursor: 1, entities: benchConfig() as ConfigEntity[] });
    const store = new OrderStore(db, cache, { terminalId: () => 'bench-terminal', online: () => true });

    const made: Record<string, unknown>[] = [];
    const sell = (i: number) => {
      const r = store.sell({
        stationId: 'bar-main',
        staffId: null,
        bandUid: BENCH_BANDS[Math.abs(i) % BENCH_BANDS.length]!,
        lines: [{ productId: 'beer', quantity: 1 + (Math.abs(i) % 3) }, { productId: 'water', quantity: 1 }],
      });
      if (!r.approved) throw new Error(`bench sale declined: ${r.message}`);
      if (i >= 0) made.push(r.order as unknown as Record<string, unknown>);
    };

    const raw = openDb(path.join(dir, 'raw.db')).$client;
    const insertOrder = raw.prepare(
      `INSERT INTO orders (id, seq, kind, band_uid, total, voids_order_id, body, status, offline, created_at)
       VALUES (?, ?, ?, ?, ?, NULL, ?, 'pending', 0, ?)`,
    );
    const insertOutbox = raw.prepare('INSERT INTO outbox (seq, order_id) VALUES (?, ?)');
    const rawInsert = raw.transaction((o: Record<string, unknown>) => {
      insertOrder.run(o.id, o.seq, o.kind, o.bandUid, o.total, JSON.stringify(o), o.createdAt);
      insertOutbox.run(o.seq, o.id);
    });

    let last: Record<string, unknown> | undefined;
    const [measured, baseline] = await timeInterleaved(count, [
      (i) => {
        sell(i);
        last = made[made.length - 1];
      },
      (i) => i >= 0 && rawInsert(last!),
    ]);
    db.$client.close();
    raw.close();
    const ratio = measured.meanMs / baseline.meanMs;
    return {
      name: 'terminal order commit',
      measured: `${fmt.ms(measured.meanMs)} mean, ${fmt.ms(measured.p99Ms)} p99`,
      baseline: `raw insert ${fmt.ms(baseline.meanMs)} mean`,
      ratio,
      goal: '≤ 1.5×',
      met: ratio <= 1.5,
      detail: `${count} orders, each timed in lockstep with a raw insert of the same rows into a second file; WAL + synchronous=FULL on both`,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
