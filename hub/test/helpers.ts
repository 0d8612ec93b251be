import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { io as ioClient, type Socket } from 'socket.io-client';
import {
  fingerprint,
  newId,
  type ConfigChange,
  type ConfigMessage,
  type HubStatus,
  type ItemResult,
  type OrdersPushAck,
  type PairResponse,
  type Sale,
  type TabsMessage,
  type Void,
} from '@tapline/shared';
import { startHub, type RunningHub, type StartHubOptions } from '../src/hub.ts';

export const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
export const silent = pino({ level: 'silent' });

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tapline-'));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

export function startTestHub(options: StartHubOptions & { dataDir: string }): Promise<RunningHub> {
  return startHub({ port: 0, host: '127.0.0.1', logger: silent, retryMinDelayMs: 50, retryMaxDelayMs: 200, ...options });
}

export async function pair(url: string, code: string, name = 'Bar 1'): Promise<PairResponse> {
  const res = await fetch(`${url}/v1/pair`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ v: 1, code, name }),
  });
  if (res.status !== 200) throw new Error(`pairing failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as PairResponse;
}

export interface TestTerminal {
  socket: Socket;
  configs: ConfigMessage[];
  statuses: HubStatus[];
  tabs: TabsMessage[];
  /** Resolves with the next `config` message matching `pred`, including ones already received. */
  nextConfig(pred: (m: ConfigMessage) => boolean): Promise<ConfigMessage>;
  nextStatus(pred: (m: HubStatus) => boolean): Promise<HubStatus>;
  nextTabs(pred: (m: TabsMessage) => boolean): Promise<TabsMessage>;
  push(orders: unknown[]): Promise<OrdersPushAck>;
  close(): void;
}

function waiter<T>(list: T[], socket: Socket, event: string) {
  return (pred: (m: T) => boolean) =>
    new Promise<T>((resolve) => {
      const hit = list.find(pred);
      if (hit) return resolve(hit);
      const on = (m: T) => {
        if (pred(m)) {
          socket.off(event, on);
          resolve(m);
        }
      };
      socket.on(event, on);
    });
}

/** Connects a terminal socket; rejects with the connect error (its `data` carries the code). */
export function connectTerminal(url: string, auth: unknown): Promise<TestTerminal> {
  const socket = ioClient(url, { auth: auth as Record<string, unknown>, transports: ['websocket'], reconnection: false, forceNew: true });
  const configs: ConfigMessage[] = [];
  const statuses: HubStatus[] = [];
  const tabs: TabsMessage[] = [];
  socket.on('config', (m: ConfigMessage) => configs.push(m));
  socket.on('hub:status', (m: HubStatus) => statuses.push(m));
  socket.on('tabs', (m: TabsMessage) => tabs.push(m));
  return new Promise((resolve, reject) => {
    socket.once('connect', () =>
      resolve({
        socket,
        configs,
        statuses,
        tabs,
        nextConfig: waiter(configs, socket, 'config'),
        nextStatus: waiter(statuses, socket, 'hub:status'),
        nextTabs: waiter(tabs, socket, 'tabs'),
        push: (orders) => socket.timeout(20_000).emitWithAck('orders:push', { v: 1, orders }) as Promise<OrdersPushAck>,
        close: () => socket.close(),
      }),
    );
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

export async function pairAndConnect(hub: RunningHub, name = 'Bar 1') {
  const creds = await pair(hub.url, hub.pairingCode().code, name);
  const terminal = await connectTerminal(hub.url, { v: 1, terminalId: creds.terminalId, token: creds.token });
  return { creds, terminal };
}

export function makeSale(terminalId: string, seq: number, overrides: Partial<Sale> = {}): Sale {
  return {
    id: newId(),
    terminalId,
    seq,
    eventId: 'evt-1',
    stationId: 'bar-1',
    staffId: null,
    bandUid: '04A1B2C3',
    createdAt: new Date().toISOString(),
    offline: false,
    kind: 'sale',
    currency: 'EUR',
    lines: [{ productId: 'beer', name: 'Beer', quantity: 2, unitPrice: 650 }],
    total: 1300,
    ...overrides,
  };
}

export function makeVoid(terminalId: string, seq: number, sale: Sale, overrides: Partial<Void> = {}): Void {
  return {
    id: newId(),
    terminalId,
    seq,
    eventId: sale.eventId,
    stationId: sale.stationId,
    staffId: null,
    bandUid: sale.bandUid,
    createdAt: new Date().toISOString(),
    offline: false,
    kind: 'void',
    voidsOrderId: sale.id,
    reason: 'spilled',
    supervisorId: 'sup-1',
    ...overrides,
  };
}

export function statuses(results: ItemResult[]): string[] {
  return results.map((r) => r.status);
}

/** For conditions that become true in another process or after background work; never for a plain event. */
export async function eventually<T>(probe: () => T | Promise<T>, what: string, timeoutMs = 15_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export type CloudMode = 'ok' | 'fail' | 'hang';

/** A stand-in for the cloud API whose behaviour the test controls. Idempotent on order id, like the real one. */
export class FakeCloud {
  mode: CloudMode = 'ok';
  url = '';
  readonly batchSizes: number[] = [];
  /** How many times each order id was stored or seen again. */
  readonly seen = new Map<string, number>();
  readonly stored = new Map<string, string>();
  readonly invalidIds = new Set<string>();
  readonly authHeaders: string[] = [];
  pushRequests = 0;
  hungRequests = 0;
  /** The configuration log the hub pulls from. */
  readonly configLog: ConfigChange[] = [];
  pullPageSize = 1000;
  pullFails = false;
  private server: Server;
  private pushListeners: Array<() => void> = [];

  constructor() {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Resolves at the next push request the cloud receives (whatever it answers). */
  nextPush(): Promise<void> {
    return new Promise((r) => this.pushListeners.push(r));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://x');
    this.authHeaders.push(req.headers.authorization ?? '');
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    };

    if (req.method === 'POST' && url.pathname === '/v1/sync/push') {
      this.pushRequests++;
      const listeners = this.pushListeners;
      this.pushListeners = [];
      listeners.forEach((l) => l());
      if (this.mode === 'hang') {
        this.hungRequests++;
        return; // never answers; the hub's timeout must fire
      }
      if (this.mode === 'fail') return json(500, { code: 'internal', message: 'simulated outage' });
      const { orders } = JSON.parse(body) as { orders: Array<{ id: string }> };
      this.batchSizes.push(orders.length);
      const results: ItemResult[] = orders.map((o) => {
        if (this.invalidIds.has(o.id)) return { id: o.id, status: 'invalid', error: { code: 'invalid_item', message: 'simulated refusal' } };
        this.seen.set(o.id, (this.seen.get(o.id) ?? 0) + 1);
        const fp = fingerprint(o);
        const had = this.stored.get(o.id);
        if (had === undefined) {
          this.stored.set(o.id, fp);
          return { id: o.id, status: 'stored' };
        }
        return { id: o.id, status: had === fp ? 'duplicate' : 'conflict' };
      });
      return json(200, { v: 1, results });
    }

    if (req.method === 'GET' && url.pathname === '/v1/sync/pull') {
      if (this.pullFails) return json(503, { code: 'internal', message: 'simulated pull outage' });
      const cursor = Number(url.searchParams.get('cursor') ?? 0);
      const after = this.configLog.filter((c) => c.seq > cursor);
      const page = after.slice(0, this.pullPageSize);
      return json(200, {
        v: 1,
        venueId: 'venue-1',
        cursor: page.at(-1)?.seq ?? cursor,
        more: after.length > page.length,
        changes: page,
      });
    }
    json(404, { code: 'not_found', message: 'no such endpoint' });
  }
}

export interface ForkedHub {
  child: ChildProcess;
  ready: { type: 'ready'; url: string; hubId: string; pairingCode: string };
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `hub/src/cli.ts start` as its own process, as an orchestrator would, and waits for its ready message. */
export function forkHub(args: string[]): Promise<ForkedHub> {
  const child = fork(CLI, ['start', '--port', '0', '--host', '127.0.0.1', ...args], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, TAPLINE_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, ready: m as ForkedHub['ready'], exited }));
    void exited.then(({ code, signal }) => reject(new Error(`hub exited before ready (code ${code}, signal ${signal})`)));
  });
}
