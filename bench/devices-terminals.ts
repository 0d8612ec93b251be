/**
 * The Devices screen's terminal list at 100,000 orders, three ways, on PostgreSQL (or PGlite with --pglite):
 *
 *   group-by      the old read: GROUP BY terminal over the event's orders (orders_event_id_idx)
 *   group-by+idx  the same with a covering index (event_id, terminal_id, seq, received_at): an index-only scan
 *   summary       the read now: hub_terminals FULL JOIN terminal_sales, a row per terminal (services/devices-terminals.ts)
 *
 * and what keeping `terminal_sales` costs ingest: a 1,000-order push timed beside the hook's one upsert alone.
 *
 *   npx tsx bench/devices-terminals.ts [--orders 100000] [--terminals 40] [--pglite]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { newId, type OrderFact, type Sale } from '@tapline/shared';
import { openDatabase, type Database } from '../cloud/src/db/open.ts';
import { queryRows, sqlFromText } from '../cloud/src/db/raw-sql.ts';
import { DEMO_EVENT_ID, DEMO_STATIONS, DEMO_VENUE_ID, demoBandUid } from '../cloud/src/seed/demo-constants.ts';
import { seedDemo } from '../cloud/src/seed/demo.ts';
import { countTerminalOrders, eventTerminals, recordHubTerminals } from '../cloud/src/services/devices-terminals.ts';
import { ingestOrders } from '../cloud/src/services/ingest.ts';
import { summarise, timeInterleaved, type Timing } from './lib/measure.ts';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const ORDERS = arg('--orders', 100_000);
const TERMINALS = arg('--terminals', 40);
const BATCH = 1000;
const SERVER = process.env.TAPLINE_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';

const terminalId = (i: number) => `0195e0a0-0000-7000-8000-${String(i).padStart(12, '0')}`;
const seqs = new Map<string, number>();

function saleOn(i: number): Sale {
  const terminal = terminalId(i % TERMINALS);
  const seq = (seqs.get(terminal) ?? 0) + 1;
  seqs.set(terminal, seq);
  const lines = [{ productId: 'beer-pils', name: 'Pils 0.5 l', quantity: 1 + (i % 3), unitPrice: 550 }];
  return {
    id: newId(),
    terminalId: terminal,
    seq,
    eventId: DEMO_EVENT_ID,
    stationId: DEMO_STATIONS.barMain,
    staffId: null,
    bandUid: demoBandUid(1 + (i % 500)),
    createdAt: new Date().toISOString(),
    offline: false,
    kind: 'sale',
    currency: 'EUR',
    lines,
    total: lines[0]!.quantity * 550,
  };
}

async function adminQuery(text: string): Promise<void> {
  const c = new pg.Client({ connectionString: new URL('/postgres', SERVER).toString() });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

const OLD_READ = `select terminal_id, max(hub_id) as hub_id, max(received_at) as last_order_at, max(seq) as last_seq, count(*) as orders
  from orders where event_id = $1 group by terminal_id order by max(received_at) desc, terminal_id`;

const ms = (t: Timing) => `p50 ${t.p50Ms.toFixed(2)} ms, p99 ${t.p99Ms.toFixed(2)} ms`;

async function main(): Promise<void> {
  const pglite = args.includes('--pglite');
  const dbName = `tapline_bench_devices_${randomBytes(4).toString('hex')}`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tapline-bench-devices-'));
  if (!pglite) await adminQuery(`create database ${dbName}`);
  let database: Database | undefined;
  try {
    database = await openDatabase(pglite ? { dataDir: dir } : { databaseUrl: new URL(`/${dbName}`, SERVER).toString() });
    const { db } = database;
    await seedDemo(db, { venueKey: 'bench-devices-venue-key', bands: 0 });
    const queue = { enqueueTabsRecompute: async () => undefined, enqueueSmsReceipts: async () => undefined };
    const ctx = { db, queue, venueId: DEMO_VENUE_ID, hubId: 'hub-bench' };

    const started = Date.now();
    for (let i = 0; i < ORDERS; i += BATCH) await ingestOrders(ctx, Array.from({ length: Math.min(BATCH, ORDERS - i) }, (_, k) => saleOn(i + k)));
    console.log(`${database.kind}: ${ORDERS.toLocaleString('en')} orders from ${TERMINALS} terminals ingested in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await recordHubTerminals(
      db,
      DEMO_VENUE_ID,
      'hub-bench',
      Array.from({ length: TERMINALS + 5 }, (_, i) => ({ id: terminalId(i), label: `Kiosk ${i}`, pairedAt: new Date().toISOString(), lastSeenAt: null, online: i % 2 === 0 })),
    );
    await db.execute(sqlFromText('analyze'));

    const event = { id: DEMO_EVENT_ID, venueId: DEMO_VENUE_ID };
    const oldRead = () => queryRows(db, sqlFromText(OLD_READ, [DEMO_EVENT_ID]));
    const [before, after] = await timeInterleaved(100, [oldRead, () => eventTerminals(db, event)], 10);
    await db.execute(sqlFromText('create index bench_orders_event_terminal_idx on orders (event_id, terminal_id) include (seq, received_at, hub_id)'));
    await db.execute(sqlFromText('vacuum analyze orders'));
    const [indexed] = await timeInterleaved(100, [oldRead], 10);
    await db.execute(sqlFromText('drop index bench_orders_event_terminal_idx'));
    const rows = await eventTerminals(db, event);
    console.log(`Devices terminal list (${rows.length} terminals, ${ORDERS.toLocaleString('en')} orders in the event):`);
    console.log(`  group-by over orders          ${ms(before)}`);
    console.log(`  group-by, covering index      ${ms(indexed)}`);
    console.log(`  summary rows (now)            ${ms(after)}`);

    // The ingest hook: a fresh 1,000-order push (every terminal in it), and the hook's upsert alone on a batch of the
    // same shape, timed inside its transaction as ingest runs it (the commit is ingest's own, shared).
    const ROUNDS = 30;
    const batches = Array.from({ length: 2 * (ROUNDS + 3) }, () => Array.from({ length: BATCH }, (_, k) => saleOn(k * 7)));
    const hookMs: number[] = [];
    const [push] = await timeInterleaved(
      ROUNDS,
      [
        () => ingestOrders(ctx, batches.pop()!),
        () =>
          db.transaction(async (tx) => {
            const stored = batches.pop()! as OrderFact[];
            const s = performance.now();
            await countTerminalOrders(tx, DEMO_VENUE_ID, 'hub-bench', stored);
            hookMs.push(performance.now() - s);
          }),
      ],
      3,
    );
    const hook = summarise(Float64Array.from(hookMs.slice(3)), hookMs.slice(3).reduce((a, b) => a + b, 0));
    console.log(`Ingest of a ${BATCH}-order push from ${TERMINALS} terminals: ${ms(push)}; the terminal_sales upsert in it: ${ms(hook)} (${((hook.p50Ms / push.p50Ms) * 100).toFixed(1)} % at p50)`);
  } finally {
    await database?.close();
    if (!pglite) await adminQuery(`drop database if exists ${dbName} with (force)`);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
