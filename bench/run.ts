/**
 * `npm run bench`: each figure beside a baseline measured in the same run, as a ratio, because these machines are
 * shared and noisy. Prints a table and writes bench/RESULTS.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchTerminalCommit } from './terminal-commit.ts';
import { benchAckRoundTrip } from './ack-roundtrip.ts';
import { benchHubIngest, type IngestPoint } from './hub-ingest.ts';
import { benchCloudDrain, type DrainPoint } from './cloud-drain.ts';
import { benchKioskTap } from './kiosk-tap.ts';
import { holdRenewalRows, holdRenewalTable } from './hold-renewals.ts';
import { curveChart, ratioChart } from './lib/charts.ts';
import type { BenchRow } from './lib/measure.ts';

const quick = process.argv.includes('--quick');
// `--only=drain` (or a comma list of terminal, ack, ingest, drain, kiosk) runs just those figures and prints them
// without rewriting RESULTS.md, whose table must come from one whole run.
const onlyArg = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const only = onlyArg ? new Set(onlyArg.split(',')) : undefined;
const wanted = (figure: string) => !only || only.has(figure);
const rows: BenchRow[] = [];
let ingestCurve: IngestPoint[] = [];
let drainCurve: DrainPoint[] = [];

async function step<T>(label: string, run: () => Promise<T>): Promise<T> {
  process.stderr.write(`  ${label}… `);
  const t0 = Date.now();
  const v = await run();
  process.stderr.write(`${((Date.now() - t0) / 1000).toFixed(1)}s\n`);
  return v;
}

process.stderr.write(`Tapline benchmarks${quick ? ' (quick)' : ''} on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}\n`);
if (wanted('terminal')) rows.push(await step('terminal order commit', () => benchTerminalCommit(quick ? 500 : 3000)));
if (wanted('ack')) rows.push(await step('terminal → hub ack round trip', () => benchAckRoundTrip(quick ? 200 : 1200)));
if (wanted('ingest')) {
  const ingest = await step('hub ingest from 20 terminals', () => benchHubIngest(quick ? 100 : 500));
  rows.push(ingest.row);
  ingestCurve = ingest.curve;
}
if (wanted('drain')) {
  const drain = await step('hub → cloud backlog drain', () => benchCloudDrain(quick ? 10_000 : 100_000));
  rows.push(drain.row);
  drainCurve = drain.curve;
}
if (wanted('kiosk')) {
  const kioskTap = await step('kiosk tap to approved screen', () => benchKioskTap(quick ? 10 : 40));
  if (kioskTap) rows.push(kioskTap);
}

const table = [
  '| what | measured | baseline (same run) | ratio | goal | met |',
  '| --- | --- | --- | --- | --- | --- |',
  ...rows.map((r) => `| ${r.name} | ${r.measured} | ${r.baseline} | ${r.ratio.toFixed(2)}× | ${r.goal} | ${r.met ? 'yes' : '**no**'} |`),
].join('\n');

if (only) {
  console.log(table);
  for (const p of drainCurve) {
    console.log(`drain ${p.orders} orders: ${p.seconds.toFixed(2)} s (${Math.round(p.orders / p.seconds).toLocaleString('en')}/s), raw ${p.rawSeconds.toFixed(2)} s, ${(p.seconds / p.rawSeconds).toFixed(2)}×`);
  }
  process.exit(0);
}

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const chartsDir = path.join(benchDir, 'charts');
mkdirSync(chartsDir, { recursive: true });
const charts = {
  ratios: await ratioChart(rows),
  ingest: await curveChart({
    title: 'Hub ingest by number of terminals',
    xTitle: 'terminals pushing at once',
    yTitle: 'orders acked per second',
    points: ingestCurve.map((p) => ({ x: p.terminals, y: Math.round(p.perSecond), series: 'orders/s, acked after commit' })),
  }),
  drain: await curveChart({
    title: 'Hub → cloud backlog drain by backlog size',
    xTitle: 'orders waiting at the hub (log scale)',
    yTitle: 'microseconds per order',
    logX: true,
    points: drainCurve.map((p) => ({ x: p.orders, y: Math.round((p.seconds / p.orders) * 1e6), series: 'µs per order, whole drain' })),
  }),
};
for (const [name, svg] of Object.entries(charts)) writeFileSync(path.join(chartsDir, `${name}.svg`), svg);

const bar = (v: number, max: number) => '█'.repeat(Math.max(1, Math.round((v / max) * 40)));
const maxIngest = Math.max(...ingestCurve.map((p) => p.perSecond));
const maxDrain = Math.max(...drainCurve.map((p) => p.seconds));
const md = `# Benchmark results

Written by \`npm run bench${quick ? ' -- --quick' : ''}\` on ${new Date().toISOString()} (${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''},
Node ${process.version}). Each figure stands beside a baseline measured in the same run, interleaved where it can be,
because the machine is shared: read the ratios, not the absolute numbers.

${table}

![Each figure against its baseline](charts/ratios.svg)

${rows.map((r) => `- **${r.name}**: ${r.detail ?? ''}`).join('\n')}

## Hub ingest by number of terminals (orders/s, one order per push, acked after commit)

![Hub ingest by number of terminals](charts/ingest.svg)

\`\`\`
${ingestCurve.map((p) => `${String(p.terminals).padStart(3)} terminals ${bar(p.perSecond, maxIngest)} ${Math.round(p.perSecond).toLocaleString('en')}/s`).join('\n')}
\`\`\`

More terminals share each fsync (group commit), so throughput grows with the number of terminals.

## Backlog drain hub → cloud by backlog size (seconds)

A flat line means the cost per order does not grow with the backlog: the hub drains in bounded batches.

![Backlog drain by backlog size](charts/drain.svg)

\`\`\`
${drainCurve.map((p) => `${String(p.orders).padStart(7)} orders ${bar(p.seconds, maxDrain)} ${p.seconds.toFixed(2)} s (${Math.round(p.orders / p.seconds).toLocaleString('en')}/s, ${(p.seconds / p.rawSeconds).toFixed(2)}× raw)`).join('\n')}
\`\`\`

## Card holds per band (a model, not a timing)

Each hold is an authorisation the attendee sees. The sweeper's rule (a new hold when the tab passes its hold) applied
after every order of the chaos run's and a festival's order mix, fixed seeds (\`bench/hold-renewals.ts\`), under the
old fixed headroom and under headroom that grows with the tab (\`shared/src/hold-policy.ts\`).

${holdRenewalTable(holdRenewalRows())}
`;
const out = path.join(benchDir, 'RESULTS.md');
writeFileSync(out, md);
console.log(table);
console.log(`\nwritten to ${path.relative(process.cwd(), out)}`);
