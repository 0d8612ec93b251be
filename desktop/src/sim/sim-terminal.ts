/**
 * A simulated kiosk: the real terminal runtime, selling random orders at a steady rate. Started by the simulator,
 * the demo and tests with child_process.fork; talks to its parent over IPC:
 *   { type: 'ready', terminalId, hubUrl, station, dbPath }      paired, connected once, configured
 *   { type: 'progress', created, acked, declined, rejected, pending, hubConnected }   about once a second
 *   { type: 'done', created, acked, declined, rejected }         N orders made and all answered by the hub
 * Orders already in its database count toward N, so a SIGKILLed run restarted on the same --db finishes the job.
 */
import { Command, InvalidArgumentError } from 'commander';
import type { Product, Wristband } from '@tapline/shared';
import { between, pick, seededRandom } from './random.ts';
import { openPairedTerminal, ProcessLifecycle, sendToParent as send, simLogger } from './sim-process.ts';

interface Options {
  db: string;
  hub?: string;
  code?: string;
  name: string;
  station: string;
  orders: number;
  rate: number;
  seed: number;
  exitWhenDrained: boolean;
}

const positive = (label: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${label} must be a positive number.`);
  return n;
};

const wholeNumber = (label: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${label} must be a whole number.`);
  return n;
};

const program = new Command('sim-terminal')
  .description('A simulated Tapline terminal selling random orders to a hub.')
  .requiredOption('--db <path>', 'SQLite file of this terminal (created if missing)')
  .option('--hub <url>', 'hub address, e.g. http://127.0.0.1:4300 (needed to pair)')
  .option('--code <code>', 'pairing code shown by the hub (needed to pair)')
  .option('--name <name>', 'terminal name shown at the hub', `sim-${process.pid}`)
  .option('--station <id>', 'station to sell at', 'bar-main')
  .option('--orders <n>', "orders to make in all, or 'forever'", (v) => (v === 'forever' ? Number.POSITIVE_INFINITY : wholeNumber('--orders')(v)), 100)
  .option('--rate <r>', 'orders per second', positive('--rate'), 20)
  .option('--seed <s>', 'random seed', (v) => Math.floor(Number(v)) >>> 0, Date.now() >>> 0)
  .option('--exit-when-drained', 'exit 0 once done and drained instead of waiting for SIGTERM', false);

const opts = program.parse(process.argv).opts<Options>();
const log = simLogger('sim-terminal');
const life = new ProcessLifecycle(log);

let progressTimer: NodeJS.Timeout | null = null;
let wakeSleep: (() => void) | null = null;
life.onStop(() => {
  wakeSleep?.();
  if (progressTimer) clearInterval(progressTimer);
});

async function main(): Promise<void> {
  const t = await openPairedTerminal(opts, log, life);
  t.start();
  await t.whenConfigured();
  t.setStation(opts.station);

  const rand = seededRandom(opts.seed);
  let bands: Wristband[] = [];
  let products: Product[] = [];
  const refresh = () => {
    const c = t.catalog();
    const station = c.stations.find((s) => s.id === opts.station);
    const eventId = c.event?.id;
    bands = c.bands().filter((b) => b.eventId === eventId && b.status === 'active');
    products = station ? c.products.filter((p) => p.active && station.productIds.includes(p.id)) : [];
  };
  refresh();
  t.on('config', refresh);

  let declined = 0;
  const counts = () => {
    const c = t.counts();
    return { created: c.sales, acked: c.acked, rejected: c.rejected, pending: t.status().pending };
  };
  const progress = () => {
    const c = counts();
    send({ type: 'progress', created: c.created, acked: c.acked, declined, rejected: c.rejected, pending: c.pending, hubConnected: t.status().hubConnected });
  };
  const st = t.status();
  send({ type: 'ready', terminalId: st.terminalId, hubId: st.hubId, hubUrl: opts.hub ?? null, station: opts.station, dbPath: opts.db });
  log.info({ terminalId: st.terminalId, station: opts.station, orders: opts.orders, rate: opts.rate, seed: opts.seed }, 'simulated terminal selling');
  progressTimer = setInterval(progress, 1_000);

  let created = counts().created;
  const intervalMs = 1_000 / opts.rate;
  const t0 = performance.now();
  let attempts = 0;
  while (!life.stopping && created < opts.orders) {
    // Paced against the start time, so a slow iteration does not slow the rate down.
    const due = t0 + attempts * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise<void>((r) => ((wakeSleep = r), setTimeout(r, wait)));
    if (life.stopping) break;
    attempts++;
    if (bands.length === 0 || products.length === 0) {
      declined++;
      continue;
    }
    const chosen = new Set<Product>();
    const lineCount = between(rand, 1, Math.min(3, products.length));
    while (chosen.size < lineCount) chosen.add(pick(rand, products));
    try {
      const r = t.sell({
        stationId: opts.station,
        staffId: null,
        bandUid: pick(rand, bands).uid,
        lines: [...chosen].map((p) => ({ productId: p.id, quantity: between(rand, 1, 3) })),
      });
      if (r.approved) created++;
      else declined++;
    } catch (err) {
      // A product withdrawn between the cache refresh and the sale, for instance: count it and carry on.
      declined++;
      log.warn({ err: (err as Error).message }, 'sale refused');
    }
  }
  if (life.stopping) return;
  log.info({ created, declined }, 'all orders made; waiting for the hub to acknowledge them');
  await t.whenDrained();
  if (life.stopping) return;
  clearInterval(progressTimer);
  progressTimer = null;
  progress();
  const c = counts();
  send({ type: 'done', created: c.created, acked: c.acked, declined, rejected: c.rejected });
  log.info({ ...c, declined }, 'done and drained');
  if (opts.exitWhenDrained) await life.stop('done and drained (--exit-when-drained)', 0);
}

main().catch((err: unknown) => life.fatal(err));
