/**
 * `npm run bench`: each figure beside a baseline measured in the same run, as a ratio, because these machines are
 * shared and noisy. Prints a table and writes bench/RESULTS.md.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchTerminalCommit } from './terminal-commit.ts';
import { benchAckRoundTrip } from './ack-roundtrip.ts';
import { benchHubIngest, type IngestPoint } from './hub-ingest.ts';
import { benchCloudDrain, type DrainPoint } from './cloud-drain.ts';
import { benchKioskTap } from './kiosk-tap.ts';
import type { BenchRow } from './lib/measure.ts';

const quick = process.argv.includes('--quick');
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
rows.push(await step('terminal order commit', () => benchTerminalCommit(quick ? 500 : 3000)));
rows.push(await step('terminal → hub ack round trip', () => benchAckRoundTrip(quick ? 200 : 1200)));
const ingest = await step('hub ingest from 20 terminals', () => benchHubIngest(quick ? 100 : 500));
rows.push(ingest.row);
ingestCurve = ingest.curve;
const drain = await step('hub → cloud backlog drain', () => benchCloudDrain(quick ? 10_000 : 100_000));
rows.push(drain.row);
drainCurve = drain.curve;

const kioskTap = await step('kiosk tap to approved screen', () => benchKioskTap(quick ? 10 : 40));
if (kioskTap) rows.push(kioskTap);

const table = [
  '| what | measured | baseline (same run) | ratio | goal | met |',
  '| --- | --- | --- | --- | --- | --- |',
  ...rows.map((r) => `| ${r.name} | ${r.measured} | ${r.baseline} | ${r.ratio.toFixed(2)}× | ${r.goal} | ${r.met ? 'yes' : '**no**'} |`),
].join('\n');

const bar = (v: number, max: number) => '█'.repeat(Math.max(1, Math.round((v / max) * 40)));
const maxIngest = Math.max(...ingestCurve.map((p) => p.perSecond));
const maxDrain = Math.max(...drainCurve.map((p) => p.seconds));
const md = `# Benchmark results

Written by \`npm run bench${quick ? ' -- --quick' : ''}\` on ${new Date().toISOString()} (${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''},
Node ${process.version}). Each figure stands beside a baseline measured in the same run, interleaved where it can be,
because the machine is shared: read the ratios, not the absolute numbers.

${table}

${rows.map((r) => `- **${r.name}**: ${r.detail ?? ''}`).join('\n')}

## Hub ingest by number of terminals (orders/s, one order per push, acked after commit)

\`\`\`
${ingestCurve.map((p) => `${String(p.terminals).padStart(3)} terminals ${bar(p.perSecond, maxIngest)} ${Math.round(p.perSecond).toLocaleString('en')}/s`).join('\n')}
\`\`\`

More terminals share each fsync (group commit), so throughput grows with the number of terminals.

## Backlog drain hub → cloud by backlog size (seconds)

\`\`\`
${drainCurve.map((p) => `${String(p.orders).padStart(7)} orders ${bar(p.seconds, maxDrain)} ${p.seconds.toFixed(2)} s (${Math.round(p.orders / p.seconds).toLocaleString('en')}/s)`).join('\n')}
\`\`\`
`;
const out = path.join(path.dirname(fileURLToPath(import.meta.url)), 'RESULTS.md');
writeFileSync(out, md);
console.log(table);
console.log(`\nwritten to ${path.relative(process.cwd(), out)}`);
