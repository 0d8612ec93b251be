/**
 * Hub ingest: 20 terminals over real sockets, each pushing one order at a time and awaiting the ack, into a hub with
 * synchronous=FULL. Beside it, a raw better-sqlite3 insert of the same number of rows, one transaction per order, to show
 * what group commit buys.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { makeSale, pairAndConnect, startTestHub } from '../hub/test/helpers.ts';
import { fmt, type BenchRow } from './lib/measure.ts';

export interface IngestPoint {
  terminals: number;
  perSecond: number;
}

export async function hubIngestRate(terminals: number, perTerminal: number, perPush = 1): Promise<number> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tapline-bench-ingest-'));
  const hub = await startTestHub({ dataDir: dir, cloudUrl: null, venueKey: 'bench' });
  const clients = await Promise.all(Array.from({ length: terminals }, (_, i) => pairAndConnect(hub, `T${i}`)));
  const t0 = performance.now();
  await Promise.all(
    clients.map(async ({ creds, terminal }) => {
      let seq = 0;
      for (let i = 0; i < perTerminal; i++) {
        const ack = await terminal.push(Array.from({ length: perPush }, () => makeSale(creds.terminalId, ++seq)));
        if (!ack.ok) throw new Error(`push refused: ${ack.error.message}`);
      }
    }),
  );
  const rate = (terminals * perTerminal * perPush) / ((performance.now() - t0) / 1000);
  for (const { terminal } of clients) terminal.socket.close();
  await hub.close();
  rmSync(dir, { recursive: true, force: true });
  return rate;
}

function rawCommitRate(rows: number): number {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tapline-bench-raw-'));
  const db = new Database(path.join(dir, 'raw.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE orders (id TEXT PRIMARY KEY, body TEXT NOT NULL); CREATE TABLE outbox (id INTEGER PRIMARY KEY, order_id TEXT)');
  const o = db.prepare('INSERT INTO orders VALUES (?, ?)');
  const q = db.prepare('INSERT INTO outbox (order_id) VALUES (?)');
  const tx = db.transaction((s: { id: string }) => {
    o.run(s.id, JSON.stringify(s));
    q.run(s.id);
  });
  const sales = Array.from({ length: rows }, (_, i) => makeSale('raw', i + 1));
  const t0 = performance.now();
  for (const s of sales) tx(s);
  const rate = rows / ((performance.now() - t0) / 1000);
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return rate;
}

export async function benchHubIngest(perTerminal = 250): Promise<{ row: BenchRow; curve: IngestPoint[] }> {
  const raw = rawCommitRate(20 * perTerminal);
  const rate = await hubIngestRate(20, perTerminal);
  const curve: IngestPoint[] = [];
  for (const n of [1, 5, 10, 20, 40]) curve.push({ terminals: n, perSecond: await hubIngestRate(n, Math.ceil((20 * perTerminal) / n / 2)) });
  return {
    row: {
      name: 'hub ingest, 20 terminals',
      measured: `${fmt.rate(rate)} durable`,
      baseline: `raw commit per order ${fmt.rate(raw)}`,
      ratio: rate / raw,
      higherIsBetter: true,
      goal: '≥ 3,000/s',
      met: rate >= 3000,
      detail: `${20 * perTerminal} orders, one per push, each acked after commit; ratio is throughput against the raw loop (higher is better)`,
    },
    curve,
  };
}
