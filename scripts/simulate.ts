/**
 * A self-contained venue on this machine: its own cloud (PGlite in a temporary folder), its own hub, and N terminal
 * runtimes as separate processes selling to the demo event. Optionally SIGKILLs and restarts the hub during the run.
 * Ends with one line counted from the terminals' own databases and the cloud's database, and exits non-zero on any
 * lost or duplicated order.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Command, InvalidArgumentError } from 'commander';
import { cloudProcess, freePort, hubProcess, terminalProcess } from '../e2e/harness/venue.ts';
import { readCloudOrders, readTerminalOrders, reconcile } from '../e2e/harness/ledger.ts';
import { Progress } from './lib/progress.ts';
import { waitFor } from '../e2e/harness/wait.ts';
import type { ServiceProcess } from '../e2e/harness/service-process.ts';

const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('a whole number');
  return n;
};

const opts = new Command('simulate')
  .description('Run a whole venue on this machine and check that every order reaches the cloud exactly once.')
  .option('--terminals <n>', 'terminal processes', positiveInt, 5)
  .option('--orders <n>', 'orders in all, spread over the terminals', positiveInt, 1000)
  .option('--rate <n>', 'orders per second per terminal', positiveInt, 20)
  .option('--kill-hub <n>', 'SIGKILL and restart the hub this many times during the run', positiveInt, 0)
  .option('--hub-down-ms <n>', 'how long the hub stays dead after each kill', positiveInt, 1500)
  .option('--keep', 'keep the temporary folder (logs, databases) for inspection')
  .option('--database-url <url>', 'run the cloud on this PostgreSQL instead of PGlite')
  .parse()
  .opts<{ terminals: number; orders: number; rate: number; killHub: number; hubDownMs: number; keep?: boolean; databaseUrl?: string }>();

if (opts.terminals < 1 || opts.orders < opts.terminals) {
  console.error('simulate: need at least one terminal and at least one order per terminal');
  process.exit(2);
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'tapline-sim-'));
const venueKey = randomBytes(24).toString('base64url');
const adminToken = randomBytes(24).toString('base64url');
const progress = new Progress();
const children: ServiceProcess[] = [];
let interrupted = false;

async function shutdownAll() {
  await Promise.all(children.map((c) => c.stop()));
  for (const c of children) c.closeLog();
}

process.on('SIGINT', () => {
  interrupted = true;
  progress.note('interrupted: stopping every process');
  void shutdownAll().then(() => process.exit(130));
});

async function main(): Promise<number> {
  progress.note(`venue in ${dir}`);
  const cloud = cloudProcess({ dir: path.join(dir, 'cloud'), venueKey, adminToken, bands: 500, databaseUrl: opts.databaseUrl });
  children.push(cloud);
  const { url: cloudUrl } = await cloud.start();
  progress.note(`cloud ready at ${cloudUrl}`);

  const hubPort = await freePort();
  const hub = hubProcess({ dir: path.join(dir, 'hub'), port: hubPort, cloudUrl: cloudUrl!, venueKey });
  children.push(hub);
  const hubReady = await hub.start();
  const hubUrl = hubReady.url!;
  const code = String(hubReady.pairingCode);
  progress.note(`hub ready at ${hubUrl} (pairing code ${code})`);

  const perTerminal = Array.from({ length: opts.terminals }, (_, i) =>
    Math.floor(opts.orders / opts.terminals) + (i < opts.orders % opts.terminals ? 1 : 0),
  );
  const stats = perTerminal.map(() => ({ created: 0, acked: 0, declined: 0, done: false }));
  const terminalDir = path.join(dir, 'terminals');
  const terminals = perTerminal.map((orders, i) =>
    terminalProcess({
      dir: terminalDir,
      name: `terminal-${String(i + 1).padStart(2, '0')}`,
      hubUrl,
      code,
      station: i % 2 ? 'bar-north' : 'bar-main',
      orders,
      rate: opts.rate,
      seed: i + 1,
    }),
  );
  terminals.forEach((t, i) => {
    children.push(t);
    t.on('message', (m: { type: string; created?: number; acked?: number; declined?: number }) => {
      if (m.type !== 'progress' && m.type !== 'done') return;
      Object.assign(stats[i]!, { created: m.created ?? 0, acked: m.acked ?? 0, declined: m.declined ?? 0 });
      if (m.type === 'done') stats[i]!.done = true;
    });
  });
  // Start terminals a few at a time: each is a Node process and this machine may have two cores.
  for (let i = 0; i < terminals.length; i += 4) {
    await Promise.all(terminals.slice(i, i + 4).map((t) => t.start()));
  }
  progress.note(`${terminals.length} terminals selling ${opts.orders} orders at ${opts.rate}/s each`);

  const started = Date.now();
  const expectedMs = (Math.max(...perTerminal) / opts.rate) * 1000;
  const totals = () => stats.reduce((a, s) => ({ created: a.created + s.created, acked: a.acked + s.acked }), { created: 0, acked: 0 });
  const ticker = setInterval(() => {
    const t = totals();
    progress.update(
      `${((Date.now() - started) / 1000).toFixed(0)}s  made ${t.created}/${opts.orders}  acked by hub ${t.acked}  ` +
        `hub kills ${hub.starts - 1}/${opts.killHub}${hub.running ? '' : '  (hub down)'}`,
    );
  }, 500);

  for (let k = 1; k <= opts.killHub; k++) {
    const at = started + (expectedMs * k) / (opts.killHub + 1);
    await new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));
    await hub.kill('SIGKILL');
    progress.note(`hub SIGKILLed (${k}/${opts.killHub}); terminals keep selling offline`);
    await new Promise((r) => setTimeout(r, opts.hubDownMs));
    await hub.start();
    progress.note('hub restarted on the same data');
  }

  await waitFor(() => stats.every((s) => s.done), { timeoutMs: expectedMs + 300_000, what: 'every terminal to sell and drain' });
  const made = totals().created;
  await waitFor(
    async () => {
      const res = await fetch(`${cloudUrl}/v1/events/demo-event/summary`, { headers: { authorization: `Bearer ${venueKey}` } });
      const body = (await res.json()) as { orders?: number };
      progress.update(`draining to the cloud: ${body.orders ?? 0}/${made}`);
      return (body.orders ?? 0) >= made;
    },
    { timeoutMs: 300_000, intervalMs: 500, what: 'the cloud to hold every order' },
  ).catch((err: Error) => progress.note(err.message));
  clearInterval(ticker);
  progress.done();

  await Promise.all(terminals.map((t) => t.stop()));
  await hub.stop();
  await cloud.stop();

  const terminalOrders = readTerminalOrders(terminals.map((t) => t.spec.args![1]!));
  const cloudOrders = await readCloudOrders(opts.databaseUrl ? { databaseUrl: opts.databaseUrl } : { dataDir: path.join(dir, 'cloud', 'pgdata') });
  const l = reconcile(terminalOrders, cloudOrders);
  console.log(`terminals=${opts.terminals} orders=${l.orders} acked=${l.acked} in_cloud=${l.inCloud} duplicates=${l.duplicates} lost=${l.lost}`);
  return l.lost === 0 && l.duplicates === 0 && l.acked === l.orders && l.orders === opts.orders ? 0 : 1;
}

main()
  .then(async (code) => {
    await shutdownAll();
    if (!opts.keep && code === 0) rmSync(dir, { recursive: true, force: true });
    else progress.note(`logs and databases kept in ${dir}`);
    process.exit(code);
  })
  .catch(async (err: Error) => {
    if (interrupted) return;
    progress.done();
    console.error(`simulate failed: ${err.message}`);
    await shutdownAll();
    console.error(`logs and databases kept in ${dir}`);
    process.exit(1);
  });
