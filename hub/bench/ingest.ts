/**
 * Ingest throughput: 20 terminals pushing over real sockets into a hub with synchronous=FULL, acks awaited.
 *   node --import tsx hub/bench/ingest.ts [pushesPerTerminal=300] [ordersPerPush=1] [--cloud]
 * With --cloud a fake cloud drains the outbox at the same time, to show a busy uplink does not slow ingest.
 */
import { FakeCloud, makeSale, pairAndConnect, removeDir, startTestHub, tempDir } from '../test/helpers.ts';

const [perArg, sizeArg] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const per = Number(perArg ?? 300);
const size = Number(sizeArg ?? 1);
const cloud = process.argv.includes('--cloud') ? await new FakeCloud().start() : null;
const dir = tempDir();
const hub = await startTestHub({ dataDir: dir, cloudUrl: cloud?.url ?? null, venueKey: 'bench' });
const terminals = await Promise.all(Array.from({ length: 20 }, (_, i) => pairAndConnect(hub, `T${i}`)));
const t0 = performance.now();
await Promise.all(
  terminals.map(async ({ creds, terminal }) => {
    let seq = 0;
    for (let i = 0; i < per; i++) {
      const ack = await terminal.push(Array.from({ length: size }, () => makeSale(creds.terminalId, ++seq)));
      if (!ack.ok) throw new Error(`push refused: ${ack.error.message}`);
    }
  }),
);
const seconds = (performance.now() - t0) / 1000;
const total = 20 * per * size;
console.log(`${total} orders durable in ${seconds.toFixed(2)} s: ${Math.round(total / seconds)} orders/s (${size} per push${cloud ? ', cloud draining' : ''})`);
for (const { terminal } of terminals) terminal.close();
await hub.close();
await cloud?.close();
removeDir(dir);
