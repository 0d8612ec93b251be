/**
 * A terminal runtime driven by its parent over IPC, for cross-process tests of what a registration desk and a bar do:
 * the real runtime, its own SQLite file and its own Socket.IO link to the hub, in its own OS process.
 *
 *   child → parent { type: 'ready', terminalId, station }            paired, connected once, configured
 *   parent → child { id, call, args }                                call: signUp | pair | block | band | search | sell | drained
 *   child → parent { type: 'reply', id, ok: true, value } | { type: 'reply', id, ok: false, error: { code, message } }
 *   child → parent { type: 'bands', bands: DeskBand[] }               the runtime's 'bands' event: what it now knows of them
 */
import { Command } from 'commander';
import { TerminalError, type Terminal } from '../runtime/index.ts';
import { openPairedTerminal, ProcessLifecycle, sendToParent as send, simLogger } from './sim-process.ts';

interface Options {
  db: string;
  hub?: string;
  code?: string;
  name: string;
  station: string;
}

const opts = new Command('remote-terminal')
  .description('A Tapline terminal runtime driven over IPC (tests).')
  .requiredOption('--db <path>', 'SQLite file of this terminal (created if missing)')
  .option('--hub <url>', 'hub address (needed to pair)')
  .option('--code <code>', 'pairing code shown by the hub (needed to pair)')
  .option('--name <name>', 'terminal name shown at the hub', `remote-${process.pid}`)
  .option('--station <id>', 'station of this terminal', 'desk-1')
  .parse(process.argv)
  .opts<Options>();
const log = simLogger('remote-terminal');
// Driven by its parent's calls: the IPC channel alone keeps it alive.
const life = new ProcessLifecycle(log, { holdForParent: true });

type Call = { id: number; call: string; args?: Record<string, unknown> };

async function run(t: Terminal, c: Call): Promise<unknown> {
  const a = (c.args ?? {}) as never;
  const desk = t.registration;
  switch (c.call) {
    case 'signUp':
      return desk.signUp({ stationId: opts.station, ...(a as object) } as never);
    case 'pair':
      return desk.pair({ stationId: opts.station, replacesBandUid: null, ...(a as object) } as never);
    case 'block':
      return desk.block({ stationId: opts.station, ...(a as object) } as never);
    case 'band':
      return desk.band((a as { uid: string }).uid);
    case 'search':
      return desk.search((a as { query: string }).query, (a as { limit?: number }).limit);
    case 'sell':
      return t.sell({ stationId: opts.station, staffId: null, ...(a as object) } as never);
    case 'drained':
      return t.whenDrained().then(() => t.status().pending);
    default:
      throw new TerminalError('invalid_input', `no call "${c.call}"`);
  }
}

async function main(): Promise<void> {
  const t = await openPairedTerminal(opts, log, life);
  t.on('bands', (uids) => send({ type: 'bands', bands: uids.map((uid) => t.registration.band(uid)) }));
  process.on('message', (m: Call) => {
    void (async () => {
      try {
        send({ type: 'reply', id: m.id, ok: true, value: (await run(t, m)) ?? null });
      } catch (err) {
        const e = err as { code?: string; message?: string };
        send({ type: 'reply', id: m.id, ok: false, error: { code: e.code ?? 'internal', message: e.message ?? String(err) } });
      }
    })();
  });
  t.start();
  await t.whenConfigured();
  t.setStation(opts.station);
  send({ type: 'ready', terminalId: t.status().terminalId, station: opts.station });
}

main().catch((err: unknown) => life.fatal(err));
