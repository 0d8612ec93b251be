/**
 * Draining a backlog from the hub to the cloud on PostgreSQL: the hub's SQLite outbox is filled, then a hub starts
 * with the cloud (a separate process) as its uplink, and the clock runs until the outbox is empty. Beside it, a raw
 * multi-row insert of the same rows, in batches of the same size, into a copy of the cloud's orders table.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { fingerprint, newId, type Sale } from '@tapline/shared';
import { openHubDb } from '../hub/src/db/open.ts';
import { OrderStore } from '../hub/src/db/order-store.ts';
import { startHub } from '../hub/src/hub.ts';
import { cloudProcess } from '../e2e/harness/venue.ts';
import { waitFor } from '../e2e/harness/wait.ts';
import { fmt, type BenchRow } from './lib/measure.ts';

const SERVER = process.env.TAPLINE_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const BATCH = 1000;

export interface DrainPoint {
  orders: number;
  seconds: number;
  /** The raw multi-row insert of the same number of rows, measured right after this drain. */
  rawSeconds: number;
}

function pgUrl(database: string): string {
  const u = new URL(SERVER);
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: pgUrl('postgres') });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

function sales(count: number): Sale[] {
  return Array.from({ length: count }, (_, i) => ({
    kind: 'sale',
    id: newId(),
    terminalId: `bench-${i % 20}`,
    seq: Math.floor(i / 20) + 1,
    eventId: 'demo-event',
    stationId: 'bar-main',
    staffId: null,
    bandUid: `04${(i % 200).toString(16).toUpperCase().padStart(12, '0')}`,
    createdAt: new Date().toISOString(),
    offline: false,
    currency: 'EUR',
    lines: [{ productId: 'beer-lager', name: 'Lager', quantity: 2, unitPrice: 650 }],
    total: 1300,
  }));
}

async function drainOnce(count: number, databaseUrl: string, dir: string): Promise<number> {
  const venueKey = randomBytes(18).toString('base64url');
  const cloud = cloudProcess({ dir: path.join(dir, `cloud-${count}`), venueKey, adminToken: venueKey, databaseUrl, bands: 200 });
  const { url: cloudUrl } = await cloud.start();

  const hubDir = path.join(dir, `hub-${count}`);
  const hubDb = openHubDb(hubDir);
  const store = new OrderStore(hubDb.sqlite);
  const all = sales(count);
  const receivedAt = new Date().toISOString();
  const addTerminal = hubDb.sqlite.prepare('INSERT INTO terminals (id, name, token_hash, paired_at) VALUES (?, ?, ?, ?)');
  for (let t = 0; t < 20; t++) addTerminal.run(`bench-${t}`, `Bench ${t}`, 'unused', receivedAt);
  for (let i = 0; i < all.length; i += BATCH) {
    const chunk = all.slice(i, i + BATCH).map((fact) => ({ fact, fingerprint: fingerprint(fact) }));
    hubDb.sqlite.transaction(() => {
      for (const p of chunk) store.insertFacts(p.fact.terminalId, [p], receivedAt);
    })();
  }
  hubDb.close();

  const t0 = performance.now();
  const hub = await startHub({ port: 0, host: '127.0.0.1', dataDir: hubDir, cloudUrl, venueKey, batchSize: BATCH, logger: pino({ level: 'silent' }) });
  await waitFor(() => hub.status().queueDepth === 0, { timeoutMs: 600_000, intervalMs: 20, what: 'the hub outbox to drain' });
  const seconds = (performance.now() - t0) / 1000;
  await hub.close();
  await cloud.stop();
  cloud.closeLog();
  return seconds;
}

async function rawInsertSeconds(count: number, databaseUrl: string): Promise<number> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    // A fresh empty copy for each size, like the drain's first batch into a table that holds only earlier drains.
    await c.query('DROP TABLE IF EXISTS bench_orders');
    await c.query('CREATE TABLE bench_orders (LIKE orders INCLUDING ALL)');
    const all = sales(count);
    const t0 = performance.now();
    for (let i = 0; i < all.length; i += BATCH) {
      const chunk = all.slice(i, i + BATCH);
      const values: unknown[] = [];
      const rows = chunk.map((s, k) => {
        values.push(s.id, 'demo-venue', 'bench-hub', s.eventId, s.terminalId, s.seq, s.kind, s.bandUid, s.total, s.currency, JSON.stringify(s), fingerprint(s), s.createdAt);
        const b = k * 13;
        return `(${Array.from({ length: 13 }, (_, j) => `$${b + j + 1}`).join(',')})`;
      });
      await c.query(
        `INSERT INTO bench_orders (id, venue_id, hub_id, event_id, terminal_id, seq, kind, band_uid, total, currency, body, fingerprint, terminal_created_at)
         VALUES ${rows.join(',')} ON CONFLICT (id) DO NOTHING`,
        values,
      );
    }
    return (performance.now() - t0) / 1000;
  } finally {
    await c.end();
  }
}

export async function benchCloudDrain(count = 100_000): Promise<{ row: BenchRow; curve: DrainPoint[] }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tapline-bench-drain-'));
  const database = `tapline_bench_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${database}`);
  try {
    const url = pgUrl(database);
    const curve: DrainPoint[] = [];
    for (const n of [Math.ceil(count / 100), Math.ceil(count / 10), count]) {
      const seconds = await drainOnce(n, url, dir);
      curve.push({ orders: n, seconds, rawSeconds: await rawInsertSeconds(n, url) });
    }
    const { seconds, rawSeconds: raw } = curve[curve.length - 1]!;
    const tenth = curve[curve.length - 2]!;
    const rate = (p: DrainPoint) => p.orders / p.seconds;
    // Flat: a bigger backlog (and a bigger orders table) must not make each order dearer.
    const flat = rate(curve[curve.length - 1]!) >= 0.75 * rate(tenth);
    return {
      row: {
        name: `hub → cloud drain of ${count.toLocaleString('en')} orders (PostgreSQL)`,
        measured: `${fmt.s(seconds)} (${Math.round(count / seconds).toLocaleString('en')}/s)`,
        baseline: `raw multi-row insert ${fmt.s(raw)}`,
        ratio: seconds / raw,
        goal: `≤ 4× raw; rate ≥ 75% of the ${tenth.orders.toLocaleString('en')} drain's (${Math.round(rate(tenth)).toLocaleString('en')}/s)`,
        met: seconds / raw <= 4 && flat,
        detail: `batches of ${BATCH}; the cloud a separate process; the baseline inserts the same rows into a copy of its orders table`,
      },
      curve,
    };
  } finally {
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    rmSync(dir, { recursive: true, force: true });
  }
}
