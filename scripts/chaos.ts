/**
 * The chaos run (issue 7): the real cloud, hub and terminal runtimes as separate processes, a fault-injecting TCP
 * proxy on every link (each terminal → hub, hub → cloud: drops, resets, latency, one long stall on each kind of
 * link), and random SIGKILLs of the hub, the cloud and terminals, each restarted on the same data. Then the faults
 * stop, everything drains, everything stops, and the ledger is read from the databases themselves. Everything goes
 * to stderr except one final line on stdout:
 *   orders=N lost=0 duplicated=0 tab_mismatches=0 kills=K faults=F
 * Exit 1 on any loss, duplicate or tab mismatch (or a run that could not drain). The drain is waited for as long as
 * anything moves (--drain-stall without progress ends it), up to --drain-timeout in all.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Command, InvalidArgumentError } from 'commander';
import { FaultProxy, randomFaults } from '../e2e/harness/fault-proxy.ts';
import { cloudProcess, freePort, hubProcess, terminalProcess } from '../e2e/harness/venue.ts';
import type { ServiceProcess } from '../e2e/harness/service-process.ts';
import { seededRandom } from '../desktop/src/sim/random.ts';
import { expectedTabs, explainLost, pricingInPlay, readCloudState, readHubHoldings, readTerminalFacts, reconcileChaos } from './lib/chaos-ledger.ts';
import { chaosLine } from './lib/chaos-line.ts';
import { DrainWatch, RateMeter } from './lib/drain-watch.ts';
import { lastWords } from './lib/last-words.ts';
import { formatDuration, LiveFigure } from './lib/live-figure.ts';
import { Progress } from './lib/progress.ts';
import { cloudOrders, cloudTab, hubFigures } from './lib/venue-figures.ts';

const EVENT_ID = 'demo-event';

const whole = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('a whole number');
  return n;
};
const positive = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('a positive number');
  return n;
};

interface Options {
  terminals: number;
  orders: number;
  rate: number;
  duration?: number;
  seed?: number;
  stallSeconds: number;
  killEvery: number;
  faultEvery: number;
  drainTimeout: number;
  drainStall?: number;
  bands: number;
  keep?: boolean;
  databaseUrl?: string;
}

const opts = new Command('chaos')
  .description('Run a whole venue under network faults and crashes, then check that no order was lost or duplicated and every tab adds up.')
  .option('--terminals <n>', 'terminal processes', whole, 20)
  .option('--orders <n>', 'orders in all, spread over the terminals', whole, 100_000)
  .option('--rate <n>', 'orders per second per terminal (ignored with --duration)', positive, 20)
  .option('--duration <s>', 'seconds of selling; the rate follows from it', positive)
  .option('--seed <n>', 'seed of every random choice (faults, kills, sales); printed at the start to replay a run', whole)
  .option('--stall-seconds <s>', 'length of the stall on the hub→cloud link and on one terminal link', whole, 120)
  .option('--kill-every <s>', 'one SIGKILL in every slot of this many seconds (0: none)', Number, 15)
  .option('--fault-every <ms>', 'mean milliseconds between faults on each link (0: none)', Number, 3000)
  .option('--drain-timeout <s>', 'the most the venue may take to drain once the faults stop, however well it progresses', positive, 3600)
  .option('--drain-stall <s>', 'give up draining when nothing has moved for this long (default: 120 s + --stall-seconds)', positive)
  .option('--bands <n>', 'wristbands in the demo event', whole, 500)
  .option('--keep', 'keep the temporary folder (logs, databases) even when the run passes')
  .option('--database-url <url>', 'run the cloud on this PostgreSQL (an empty database) instead of PGlite')
  .parse()
  .opts<Options>();

for (const [flag, v] of [['--kill-every', opts.killEvery], ['--fault-every', opts.faultEvery]] as const) {
  if (!Number.isFinite(v) || v < 0) {
    console.error(`chaos: ${flag} must be a number, 0 or more (0 turns it off).`);
    process.exit(2);
  }
}
if (opts.terminals < 1 || opts.orders < opts.terminals) {
  console.error('chaos: need at least one terminal and at least one order per terminal');
  process.exit(2);
}

const seed = opts.seed ?? randomBytes(4).readUInt32BE(0);
/** An independent stream per purpose, so adding a terminal does not change the hub's fault plan. */
const stream = (k: number) => seededRandom((seed ^ Math.imul(k + 1, 0x9e3779b1)) >>> 0);
const dir = mkdtempSync(path.join(os.tmpdir(), 'tapline-chaos-'));
const venueKey = randomBytes(24).toString('base64url');
const adminToken = randomBytes(24).toString('base64url');
const progress = new Progress();
const children: ServiceProcess[] = [];
const proxies: FaultProxy[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
let interrupted = false;
/** Until the final stop, a process that exits by itself is restarted (and reported). */
let supervising = false;
/** Processes we are killing or stopping on purpose; any other exit is a crash worth reporting. */
const intentional = new Set<ServiceProcess>();
/**
 * Processes inside restart(): its own retry loop owns them. Without this, a start that failed (the child exited
 * before ready) was retried by restart() AND by the exit supervisor at once: two processes on one terminal database.
 */
const restarting = new Set<ServiceProcess>();
let kills = 0;
const crashes: string[] = [];

async function shutdownAll() {
  await Promise.all(children.map((c) => c.stop()));
  for (const c of children) c.closeLog();
  await Promise.all(proxies.map((p) => p.close()));
}

process.on('SIGINT', () => {
  interrupted = true;
  progress.note('interrupted: stopping every process');
  void shutdownAll().then(() => process.exit(130));
});

/** Starts `p` again on its own data; a process that cannot come back ends the run. */
async function restart(p: ServiceProcess): Promise<void> {
  if (restarting.has(p)) return;
  restarting.add(p);
  intentional.delete(p);
  let last: Error | null = null;
  try {
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        // A stray start elsewhere already brought it back: starting again would orphan that process.
        if (p.running) return;
        await p.start();
        return;
      } catch (err) {
        last = err as Error;
        progress.note(`${p.spec.name} did not come back (try ${attempt}/3): ${last.message}`);
        if (supervising) crashes.push(`${p.spec.name} (start ${attempt} failed: ${last.message})`);
        // A start that timed out may have left its process running: never two on one database.
        await p.kill('SIGKILL');
      }
    }
  } finally {
    restarting.delete(p);
  }
  throw new Error(`${p.spec.name} could not be restarted: ${last?.message}`);
}

function supervise(p: ServiceProcess): ServiceProcess {
  children.push(p);
  p.on('exit', (e: { code: number | null; signal: string | null }) => {
    if (intentional.has(p) || restarting.has(p) || !supervising || interrupted) return;
    // Its last lines reach the log through a pipe: read them once they are in.
    void sleep(500).then(() => {
      const words = lastWords(p.spec.logFile);
      crashes.push(`${p.spec.name} (code ${e.code}, signal ${e.signal}${words ? `: ${words}` : ''})`);
      progress.note(`${p.spec.name} exited by itself (code ${e.code}, signal ${e.signal}${words ? `; its last words: "${words}"` : ''}); restarting it. See ${p.spec.logFile}`);
      return supervising && !intentional.has(p) && !p.running ? restart(p).catch((err: Error) => progress.note(err.message)) : undefined;
    });
  });
  return p;
}

async function main(): Promise<number> {
  progress.note(`seed=${seed} (replay the plan with --seed ${seed}); venue in ${dir}`);
  const perTerminal = Array.from({ length: opts.terminals }, (_, i) =>
    Math.floor(opts.orders / opts.terminals) + (i < opts.orders % opts.terminals ? 1 : 0),
  );
  const rate = opts.duration ? Math.max(...perTerminal) / opts.duration : opts.rate;
  const sellSeconds = Math.max(...perTerminal) / rate;

  const cloudPort = await freePort();
  const cloud = supervise(
    cloudProcess({ dir: path.join(dir, 'cloud'), port: cloudPort, venueKey, adminToken, bands: opts.bands, databaseUrl: opts.databaseUrl }),
  );
  // A job running when the cloud is SIGKILLed is retried only once it expires and maintenance finds it: shorter
  // than the defaults so the drain does not wait minutes for tab recomputes a killed cloud left behind.
  Object.assign(cloud.spec.env!, {
    TAPLINE_JOB_MAINTENANCE_SECONDS: '10',
    TAPLINE_JOB_SETTINGS: JSON.stringify({ 'tabs.recompute': { expireInSeconds: 30 } }),
  });
  const cloudUrl = (await cloud.start()).url!;
  const cloudProxy = new FaultProxy({ targetPort: cloudPort, name: 'hub→cloud', random: stream(1000) });
  proxies.push(cloudProxy);
  await cloudProxy.listen();
  progress.note(`cloud at ${cloudUrl}, hub→cloud proxy at ${cloudProxy.url}`);

  const hubPort = await freePort();
  const hub = supervise(
    hubProcess({ dir: path.join(dir, 'hub'), port: hubPort, cloudUrl: cloudProxy.url, venueKey, extraArgs: ['--no-mdns'] }),
  );
  const hubReady = await hub.start();
  const code = String(hubReady.pairingCode);
  progress.note(`hub at ${hubReady.url} (pairing code ${code})`);

  const terminalDir = path.join(dir, 'terminals');
  const stats = perTerminal.map(() => ({ created: 0, acked: 0, rejected: 0, done: false, heardAt: 0 }));
  const terminals: ServiceProcess[] = [];
  for (let i = 0; i < opts.terminals; i++) {
    const proxy = new FaultProxy({ targetPort: hubPort, name: `terminal-${i + 1}→hub`, random: stream(i) });
    proxies.push(proxy);
    await proxy.listen();
    const t = supervise(
      terminalProcess({
        dir: terminalDir,
        name: `terminal-${String(i + 1).padStart(2, '0')}`,
        hubUrl: proxy.url,
        code,
        station: i % 2 ? 'bar-north' : 'bar-main',
        orders: perTerminal[i]!,
        rate,
        seed: (seed + i + 1) >>> 0,
      }),
    );
    t.on('message', (m: { type: string; created?: number; acked?: number; rejected?: number }) => {
      stats[i]!.heardAt = Date.now();
      if (m.type === 'ready') stats[i]!.done = false;
      if (m.type !== 'progress' && m.type !== 'done') return;
      Object.assign(stats[i]!, { created: m.created ?? 0, acked: m.acked ?? 0, rejected: m.rejected ?? 0 });
      if (m.type === 'done') stats[i]!.done = true;
    });
    terminals.push(t);
  }
  // The first few terminals pair before the chaos starts; the rest start a few at a time under it (each is a Node
  // process and this machine may have two cores), so the chaos also meets pairing and a venue still filling up.
  const firstBatch = terminals.slice(0, 4);
  await Promise.all(firstBatch.map((t) => t.start()));
  const up = new Set<ServiceProcess>(firstBatch);

  // The chaos phase: as long as the selling, and at least until both stalls are over.
  supervising = true;
  const started = Date.now();
  const stallRand = stream(3000);
  const cloudStallAt = sellSeconds * (0.1 + 0.3 * stallRand());
  const terminalStallAt = sellSeconds * (0.2 + 0.3 * stallRand());
  // One of the first batch: a terminal pairing through a long stall would only time out its start.
  const stalledTerminal = Math.floor(stallRand() * firstBatch.length);
  const chaosSeconds = Math.max(sellSeconds, cloudStallAt + opts.stallSeconds, terminalStallAt + opts.stallSeconds) + 1;
  let chaosEnd = started + chaosSeconds * 1000;
  let allStarted = false;
  const startRest = (async () => {
    for (let i = firstBatch.length; i < terminals.length; i += 4) {
      await Promise.all(terminals.slice(i, i + 4).map((t) => restart(t).then(() => up.add(t))));
    }
    allStarted = true;
    // The last terminals started late: keep the chaos on for their whole selling time too.
    chaosEnd = Math.max(chaosEnd, Date.now() + sellSeconds * 1000 + 1000);
    progress.note(`${terminals.length} terminals selling ${opts.orders} orders at ${rate.toFixed(1)}/s each (~${Math.round(sellSeconds)} s)`);
  })();
  const plans = opts.faultEvery > 0 ? proxies.map((p, i) => randomFaults(p, { random: stream(2000 + i), meanGapMs: opts.faultEvery })) : [];
  const stalls: Promise<void>[] = [];
  if (opts.stallSeconds > 0) {
    const stallTimers = [
      setTimeout(() => {
        progress.note(`stalling hub→cloud for ${opts.stallSeconds} s`);
        stalls.push(cloudProxy.stall(opts.stallSeconds * 1000).then(() => progress.note('hub→cloud stall over')));
      }, cloudStallAt * 1000),
      setTimeout(() => {
        const p = proxies[1 + stalledTerminal]!;
        progress.note(`stalling ${p.name} for ${opts.stallSeconds} s`);
        stalls.push(p.stall(opts.stallSeconds * 1000).then(() => progress.note(`${p.name} stall over`)));
      }, terminalStallAt * 1000),
    ];
    for (const t of stallTimers) t.unref();
  }

  const killRand = stream(4000);
  // One SIGKILL in each --kill-every slot of the chaos phase, at a random point in it (or as soon as the previous
  // victim is back), so the number of kills does not depend on how long restarts take.
  const killer = (async () => {
    if (opts.killEvery <= 0) return;
    for (let slot = 0; ; slot++) {
      const at = Math.max(Date.now(), started + (slot + killRand()) * opts.killEvery * 1000);
      if (at >= chaosEnd) {
        if (allStarted) return;
        // chaosEnd moves once the last terminals are up: ask again then, for the same slot.
        await startRest.catch(() => undefined);
        slot--;
        continue;
      }
      await sleep(at - Date.now());
      const r = killRand();
      const victim = r < 0.25 ? hub : r < 0.5 ? cloud : terminals[Math.floor(killRand() * terminals.length)]!;
      const downMs = 300 + killRand() * 2200;
      if (!victim.running || !up.has(victim) || restarting.has(victim)) continue;
      intentional.add(victim);
      await victim.kill('SIGKILL');
      kills++;
      progress.note(`SIGKILL ${victim.spec.name} (${kills}); back in ${(downMs / 1000).toFixed(1)} s`);
      await sleep(downMs);
      await restart(victim);
    }
  })();

  const faults = () => proxies.reduce((n, p) => n + p.faults, 0);
  const totals = () => stats.reduce((a, s) => ({ created: a.created + s.created, acked: a.acked + s.acked, rejected: a.rejected + s.rejected }), { created: 0, acked: 0, rejected: 0 });
  // Read straight from the hub (its counters live in memory: cheap) every second, and the cloud's count (an aggregate
  // over every order, on the database that is ingesting) every 5 s or rarer as it slows. Each read is cut off, so a
  // killed or stalled process only ages its figure.
  const hubFigure = new LiveFigure(hubFigures(hubReady.url!), { everyMs: 1000, timeoutMs: 2000 });
  const cloudFigure = new LiveFigure(cloudOrders(cloudUrl, venueKey, EVENT_ID), { everyMs: 5000, timeoutMs: 4000, maxDuty: 0.1 });
  const drainRate = new RateMeter(30_000);
  let phase: 'chaos' | 'draining' | 'tabs' = 'chaos';
  let tabsLeft = { differ: 0, of: 0 };
  const target = perTerminal.reduce((a, b) => a + b, 0);
  const silent = () => terminals.filter((t, i) => up.has(t) && !stats[i]!.done && Date.now() - stats[i]!.heardAt > 5000).length;
  const ticker = setInterval(() => {
    hubFigure.poll();
    if (phase !== 'tabs') cloudFigure.poll();
    const t = totals();
    const hubNow = hubFigure.fresh ? hubFigure.value : undefined;
    if (phase === 'draining' && hubNow) drainRate.record(hubNow.uploaded);
    const line = chaosLine({
      elapsedSeconds: (Date.now() - started) / 1000,
      sold: t.created,
      target,
      atHub: t.acked,
      silent: silent(),
      hub: hubFigure,
      cloud: cloudFigure,
      kills,
      faults: faults(),
      drain:
        phase === 'chaos'
          ? undefined
          : { perSecond: drainRate.perSecond(), etaSeconds: drainRate.etaSeconds(target - t.rejected - (hubNow?.uploaded ?? 0)) },
    });
    progress.update(phase === 'tabs' ? `${formatDuration((Date.now() - started) / 1000)}  waiting for tab recomputes: ${tabsLeft.differ} of ${tabsLeft.of} tabs still differ` : line);
  }, 1000);

  let drained = true;
  try {
    await Promise.all([killer, startRest]);
    await sleep(chaosEnd - Date.now());
  } finally {
    for (const p of plans) p.stop();
    for (const p of proxies) p.heal();
  }
  await Promise.all(stalls);
  const faultsStoppedAt = Date.now();
  progress.note(`faults stopped after ${formatDuration((faultsStoppedAt - started) / 1000)} (${kills} kills, ${faults()} faults); draining`);
  phase = 'draining';
  for (const p of children) if (!p.running) await restart(p);

  // Progress-based: any count growing (sold, acked by the hub, uploaded to the cloud, tabs right) keeps the wait
  // going; it fails when nothing moved for the stall window (the hub's upload backoff after a long stall included).
  const stallSeconds = opts.drainStall ?? 120 + opts.stallSeconds;
  const watch = new DrainWatch({ stallMs: stallSeconds * 1000, capMs: opts.drainTimeout * 1000 });
  const counters = () => {
    const t = totals();
    const h = hubFigure.fresh ? hubFigure.value : undefined;
    return { created: t.created, acked: t.acked, hubReceived: h?.ordersReceived, uploaded: h?.uploaded, inCloud: cloudFigure.fresh ? cloudFigure.value : undefined };
  };
  let drainedAt = 0;
  try {
    await watch.until('every terminal to sell and be acked by the hub', counters, () => stats.every((s) => s.done));
    const acked = totals().acked;
    // The cloud's own count decides, read at its own pace (the ticker polls it; a costly read is not doubled here).
    await watch.until(`the cloud to hold all ${acked} orders the hub acked`, counters, () => {
      cloudFigure.poll();
      return cloudFigure.fresh && (cloudFigure.value ?? 0) >= acked;
    });
    drainedAt = Date.now();
    progress.note(`drained in ${formatDuration((drainedAt - faultsStoppedAt) / 1000)}: the cloud holds every order the hub acked`);
  } catch (err) {
    drained = false;
    const undone = terminals.filter((_, i) => !stats[i]!.done).map((t) => t.spec.name);
    const h = hubFigure.value;
    progress.note(
      `drain failed: ${(err as Error).message}${undone.length ? `; not done: ${undone.join(', ')}` : ''}` +
        `; hub→cloud queue ${hubFigure.text((x) => String(x.queueDepth))}${h ? ` (uplink ${h.uplink})` : ''}, in cloud ${cloudFigure.text(String)}`,
    );
  }

  supervising = false;
  intentional.add(hub).add(cloud);
  for (const t of terminals) intentional.add(t);
  await Promise.all(terminals.map((t) => t.stop()));
  const terminalFacts = readTerminalFacts(terminals.map((t) => path.join(terminalDir, `${t.spec.name}.db`)));

  // Tabs are recomputed by a background job: wait until the cloud's tabs equal the terminals' sums, as long as the
  // number of right tabs keeps growing.
  let tabsAt = 0;
  if (drained) {
    phase = 'tabs';
    const want = expectedTabs(terminalFacts);
    let pending = [...want.keys()];
    tabsLeft = { differ: pending.length, of: want.size };
    try {
      await watch.until(
        'the cloud to recompute every tab',
        () => ({ tabsRight: want.size - pending.length }),
        async () => {
          const still: string[] = [];
          for (let i = 0; i < pending.length; i += 16) {
            const batch = pending.slice(i, i + 16);
            const got = await Promise.all(batch.map((b) => cloudTab(cloudUrl, adminToken, EVENT_ID, b).catch(() => undefined)));
            batch.forEach((b, k) => got[k] !== want.get(b) && still.push(b));
          }
          pending = still;
          tabsLeft = { differ: pending.length, of: want.size };
          return pending.length === 0;
        },
        // Each tab comes with its priced orders (hundreds on a chaos band): the cloud that must recompute them also
        // answers these reads, so they may take a tenth of its time at most.
        { maxDuty: 0.1 },
      );
      tabsAt = Date.now();
    } catch (err) {
      progress.note(`${(err as Error).message}: ${pending.length} tabs still differ`);
    }
  }
  clearInterval(ticker);
  progress.done();

  await hub.stop();
  await cloud.stop();
  await Promise.all(proxies.map((p) => p.close()));

  const stoppedAt = Date.now();
  const cloudState = await readCloudState(opts.databaseUrl ? { databaseUrl: opts.databaseUrl } : { dataDir: path.join(dir, 'cloud', 'pgdata') }, EVENT_ID);
  const l = reconcileChaos(terminalFacts, cloudState);
  const rejected = terminalFacts.filter((f) => f.status === 'rejected').length;
  const pending = terminalFacts.filter((f) => f.status === 'pending').length;
  progress.note(
    `terminals made ${terminalFacts.length} facts (${rejected} rejected by the hub, ${pending} never acked); cloud holds ${cloudState.orders.length}; ` +
      `${cloudState.tabs.size} tabs`,
  );
  const span = (from: number, to: number) => (from && to ? formatDuration((to - from) / 1000) : '—');
  progress.note(
    `timings: chaos ${span(started, faultsStoppedAt)}, drain ${span(faultsStoppedAt, drainedAt)}, tabs ${span(drainedAt, tabsAt)}, ` +
      `ledger ${span(stoppedAt, Date.now())}, wall ${span(started, Date.now())}`,
  );
  // The cloud's work beside ingest, on the same database: what a slow drain competed with.
  if (Object.keys(cloudState.payments).length) progress.note(`cloud card payments by kind and status: ${JSON.stringify(cloudState.payments)}`);
  if (Object.keys(cloudState.sms).length) progress.note(`cloud SMS by kind and status: ${JSON.stringify(cloudState.sms)}`);
  if (Object.keys(cloudState.tabJobs).length) progress.note(`cloud tab jobs by state: ${JSON.stringify(cloudState.tabJobs)}`);
  for (const e of l.examples.lost) progress.note(`lost: ${e}`);
  if (l.lost) progress.note(`where the lost orders are: ${JSON.stringify(explainLost(terminalFacts, cloudState, readHubHoldings(path.join(dir, 'hub', 'hub.db'))))}`);
  for (const e of l.examples.duplicated) progress.note(`duplicated: ${e}`);
  for (const e of l.examples.tabs) progress.note(`tab mismatch: ${e}`);
  if (crashes.length) progress.note(`processes that exited by themselves: ${crashes.join(', ')}`);
  const pricing = pricingInPlay(cloudState);
  if (pricing) {
    progress.note(
      `the event has pricing beyond plain sums (${JSON.stringify(cloudState.pricing)}): tabs compared as sums would be wrong; ` +
        'this run expects the demo seed, which has no promotions, tax rules, refunds or tips',
    );
  }
  if (rejected) progress.note(`${rejected} facts were rejected by the hub: see the hub log in ${dir}`);

  console.log(`orders=${l.orders} lost=${l.lost} duplicated=${l.duplicated} tab_mismatches=${l.tabMismatches} kills=${kills} faults=${faults()}`);
  return l.lost === 0 && l.duplicated === 0 && l.tabMismatches === 0 && drained && !pricing ? 0 : 1;
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
    supervising = false;
    progress.done();
    console.error(`chaos failed: ${err.stack ?? err.message}`);
    await shutdownAll();
    console.error(`logs and databases kept in ${dir} (seed ${seed})`);
    process.exit(1);
  });
