/**
 * Terminal → hub ack round trip: one order pushed over Socket.IO, acked only after the hub's fsync'd commit, against a
 * raw Socket.IO echo of the same payload and one raw SQLite commit, all measured in this run. Goal: ≤ 2 × echo + fsync.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import { Server } from 'socket.io';
import { io as ioClient } from 'socket.io-client';
import { makeSale, pairAndConnect, startTestHub } from '../hub/test/helpers.ts';
import { fmt, timeInterleaved, type BenchRow } from './lib/measure.ts';

export async function benchAckRoundTrip(count = 600): Promise<BenchRow> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tapline-bench-ack-'));
  const hub = await startTestHub({ dataDir: path.join(dir, 'hub'), cloudUrl: null, venueKey: 'bench' });
  const { creds, terminal } = await pairAndConnect(hub, 'Bench');

  const http = createServer();
  const echo = new Server(http);
  echo.on('connection', (s) => s.on('echo', (payload: unknown, ack: (p: unknown) => void) => ack(payload)));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const client = ioClient(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, { transports: ['websocket'] });
  await new Promise<void>((r) => client.once('connect', () => r()));

  const fsyncDb = new Database(path.join(dir, 'fsync.db'));
  fsyncDb.pragma('journal_mode = WAL');
  fsyncDb.pragma('synchronous = FULL');
  fsyncDb.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)');
  const insert = fsyncDb.prepare('INSERT INTO t (body) VALUES (?)');

  let seq = 0;
  const push = async () => {
    const ack = await terminal.push([makeSale(creds.terminalId, ++seq)]);
    if (!ack.ok || ack.results[0]?.status !== 'stored') throw new Error('bench push not stored');
  };
  const sample = { v: 1, orders: [makeSale(creds.terminalId, 1)] };
  const echoOnce = () => client.emitWithAck('echo', sample);
  const commitOnce = () => insert.run(JSON.stringify(sample));

  const [measured, echoT, fsyncT] = await timeInterleaved(count, [push, echoOnce, commitOnce]);

  client.close();
  await echo.close();
  terminal.socket.close();
  await hub.close();
  fsyncDb.close();
  rmSync(dir, { recursive: true, force: true });

  const budget = 2 * echoT.meanMs + fsyncT.meanMs;
  return {
    name: 'terminal → hub ack round trip',
    measured: `${fmt.ms(measured.meanMs)} mean, ${fmt.ms(measured.p99Ms)} p99`,
    baseline: `echo ${fmt.ms(echoT.meanMs)} + fsync ${fmt.ms(fsyncT.meanMs)}`,
    ratio: measured.meanMs / (echoT.meanMs + fsyncT.meanMs),
    goal: `≤ 2× echo + fsync (${fmt.ms(budget)})`,
    met: measured.meanMs <= budget,
    detail: `${count} pushes of one order, each in lockstep with an echo and a raw commit; ratio is against echo + one commit`,
  };
}
