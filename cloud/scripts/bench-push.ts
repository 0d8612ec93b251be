/**
 * Pushes N orders (default 100,000) in batches of 1,000 to an in-process cloud and prints the time taken.
 *   npx tsx cloud/scripts/bench-push.ts [--orders 100000] [--database-url postgres://…]  (default: PGlite in a temp dir)
 * The goal on PostgreSQL: 100,000 orders in at most 60 s.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { newId, type Sale } from '@tapline/shared';
import { DEMO_EVENT_ID, DEMO_VENUE_KEY, demoBandUid } from '../src/seed/demo-constants.ts';
import { startCloud } from '../src/start.ts';

const { values: args } = parseArgs({
  options: {
    orders: { type: 'string', default: '100000' },
    batch: { type: 'string', default: '1000' },
    'database-url': { type: 'string' },
  },
});
const opts = { orders: args.orders!, batch: args.batch!, databaseUrl: args['database-url'] };

const dataDir = opts.databaseUrl ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'tapline-bench-'));
const cloud = await startCloud({
  port: 0,
  host: '127.0.0.1',
  databaseUrl: opts.databaseUrl,
  dataDir,
  adminToken: 'bench-admin-token',
  seedDemo: { venueKey: DEMO_VENUE_KEY, bands: 200 },
  log: pino({ level: 'warn' }),
});
const total = Number(opts.orders);
const batchSize = Number(opts.batch);
let seq = 0;
const makeSale = (): Sale => ({
  id: newId(),
  terminalId: 'bench-terminal',
  seq: ++seq,
  eventId: DEMO_EVENT_ID,
  stationId: 'bar-main',
  staffId: 'staff-bartender',
  bandUid: demoBandUid((seq % 200) + 1),
  createdAt: new Date().toISOString(),
  offline: false,
  kind: 'sale',
  currency: 'EUR',
  lines: [{ productId: 'beer-pils', name: 'Pils 0.5 l', quantity: 2, unitPrice: 550 }],
  total: 1100,
});
const started = performance.now();
let stored = 0;
for (let sent = 0; sent < total; sent += batchSize) {
  const orders = Array.from({ length: Math.min(batchSize, total - sent) }, makeSale);
  const res = await fetch(`${cloud.url}/v1/sync/push`, {
    method: 'POST',
    headers: { authorization: `Bearer ${DEMO_VENUE_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ v: 1, hubId: 'bench-hub', orders }),
  });
  const body = (await res.json()) as { results: { status: string }[] };
  stored += body.results.filter((r) => r.status === 'stored').length;
}
const seconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({ db: cloud.database.kind, orders: total, stored, seconds: Number(seconds.toFixed(1)), perSecond: Math.round(total / seconds) }));
await cloud.close();
if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
