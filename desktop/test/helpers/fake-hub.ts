import {
  parseFacts,
  PROTOCOL_VERSION,
  TerminalAuth,
  type ConfigEntity,
  type ConfigMessage,
  type HubStatus,
  type ItemResult,
  type OrdersPushAck,
  type TabsMessage,
  type VenueFact,
} from '@tapline/shared';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';

function terminalOf(socket: Socket): string {
  return (socket.data as { terminalId: string }).terminalId;
}

export interface Push {
  orders: unknown[];
  socket: Socket;
}

/** Decides the answer to one `orders:push`; returning undefined means "never ack". */
export type PushHandler = (push: Push, hub: FakeHub) => Promise<OrdersPushAck | undefined> | OrdersPushAck | undefined;

/**
 * A stand-in for the hub, with real HTTP and a real Socket.IO server: pairing, the handshake check, config on
 * connect and an `orders:push` whose answer each test controls. It can stop and come back on the same port.
 */
export class FakeHub extends EventEmitter<{ push: [Push]; connection: [Socket]; refused: [] }> {
  hubId = 'hub-test';
  code = '123456';
  entities: ConfigEntity[];
  cursor = 1;
  /** Everything ever received, in arrival order (resends included). */
  readonly pushes: unknown[][] = [];
  /** What the default handler has stored, by id. */
  readonly stored = new Map<string, { fact: VenueFact; fingerprint: string }>();
  readonly tokens = new Map<string, string>();
  handler: PushHandler = (push) => this.store(push.orders);
  /** Answers `attendees:search`; returning undefined means "never ack" (a hub that hangs). */
  searchHandler: (request: unknown) => unknown = () => ({ ok: true, v: PROTOCOL_VERSION, results: [] });
  readonly searches: unknown[] = [];
  /** The venue-tabs snapshot a connecting terminal gets after its config; undefined sends none, as an older hub. */
  tabsOnConnect: (terminalId: string) => TabsMessage | undefined = () => undefined;
  port = 0;
  private http: HttpServer | null = null;
  private io: Server | null = null;

  constructor(entities: ConfigEntity[]) {
    super();
    this.entities = entities;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    const http = createServer((req, res) => void this.onHttp(req, res));
    const io = new Server(http, { transports: ['websocket'] });
    io.use((socket, next) => {
      const auth = TerminalAuth.safeParse(socket.handshake.auth);
      if (!auth.success || this.tokens.get(auth.data.terminalId) !== auth.data.token) {
        const err = new Error('unauthorized') as Error & { data?: unknown };
        err.data = { code: 'unauthorized', message: 'Unknown terminal or wrong token.' };
        this.emit('refused');
        return next(err);
      }
      socket.data.terminalId = auth.data.terminalId;
      next();
    });
    io.on('connection', (socket) => {
      socket.emit('config', this.configMessage(true, this.entities));
      const tabs = this.tabsOnConnect(terminalOf(socket));
      if (tabs) socket.emit('tabs', tabs);
      socket.emit('hub:status', this.hubStatus('online', 0));
      socket.on('orders:push', async (payload: { orders: unknown[] }, ack: (a: OrdersPushAck) => void) => {
        const push = { orders: payload.orders, socket };
        this.pushes.push(payload.orders);
        this.emit('push', push);
        const answer = await this.handler(push, this);
        if (answer) ack(answer);
      });
      socket.on('attendees:search', (payload: unknown, ack: (a: unknown) => void) => {
        this.searches.push(payload);
        const answer = this.searchHandler(payload);
        if (answer !== undefined) ack(answer);
      });
      this.emit('connection', socket);
    });
    await new Promise<void>((resolve) => http.listen(this.port, '127.0.0.1', resolve));
    this.port = (http.address() as AddressInfo).port;
    this.http = http;
    this.io = io;
    return this;
  }

  /** Closes the servers and every connection; `start()` again comes back on the same port. */
  async stop(): Promise<void> {
    const io = this.io;
    this.io = null;
    this.http = null;
    if (io) await new Promise<void>((resolve) => io.close(() => resolve()));
  }

  /** The default answer: what a real hub does (stored, duplicate, conflict, invalid). */
  store(orders: unknown[]): OrdersPushAck {
    const { valid, invalid } = parseFacts(orders);
    const results: ItemResult[] = [...invalid];
    for (const v of valid) {
      const prior = this.stored.get(v.fact.id);
      if (!prior) {
        this.stored.set(v.fact.id, v);
        results.push({ id: v.fact.id, status: 'stored' });
      } else {
        results.push(
          prior.fingerprint === v.fingerprint
            ? { id: v.fact.id, status: 'duplicate' }
            : { id: v.fact.id, status: 'conflict', error: { code: 'conflict', message: 'same id, other content' } },
        );
      }
    }
    return { ok: true, v: PROTOCOL_VERSION, results };
  }

  broadcastConfig(full: boolean, entities: ConfigEntity[]): void {
    this.cursor++;
    this.io?.emit('config', this.configMessage(full, entities));
  }

  /**
   * Sends `tabs` to every connected socket, each message built for that socket's terminal, as the real hub does.
   * `messageFor` may return anything: tests of the terminal's schema check send malformed messages through it.
   */
  sendTabs(messageFor: (terminalId: string) => unknown): void {
    for (const socket of this.io?.sockets.sockets.values() ?? []) socket.emit('tabs', messageFor(terminalOf(socket)));
  }

  /** The highest seq of this terminal's facts the default handler has stored (0 if none): its committedSeq. */
  committedSeq(terminalId: string): number {
    let max = 0;
    for (const { fact } of this.stored.values()) if (fact.terminalId === terminalId && fact.seq > max) max = fact.seq;
    return max;
  }

  broadcastStatus(uplink: HubStatus['uplink'], pendingUpload: number): void {
    this.io?.emit('hub:status', this.hubStatus(uplink, pendingUpload));
  }

  /** Resolves on the next push that satisfies `pred`. */
  nextPush(pred: (p: Push) => boolean = () => true): Promise<Push> {
    return new Promise((resolve) => {
      const on = (p: Push) => {
        if (!pred(p)) return;
        this.off('push', on);
        resolve(p);
      };
      this.on('push', on);
    });
  }

  private configMessage(full: boolean, entities: ConfigEntity[]): ConfigMessage {
    return { v: PROTOCOL_VERSION, full, cursor: this.cursor, entities };
  }

  private hubStatus(uplink: HubStatus['uplink'], pendingUpload: number): HubStatus {
    return { v: PROTOCOL_VERSION, hubId: this.hubId, uplink, lastUploadAt: null, pendingUpload, serverTime: new Date().toISOString() };
  }

  private async onHttp(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): Promise<void> {
    if (req.method !== 'POST' || req.url !== '/v1/pair') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'not_found', message: 'no such route' }));
      return;
    }
    let text = '';
    for await (const chunk of req) text += String(chunk);
    const body = JSON.parse(text) as { code?: string; name?: string };
    if (body.code !== this.code) {
      res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'bad_pairing_code', message: 'Wrong or expired pairing code.' }));
      return;
    }
    const terminalId = `t-${this.tokens.size + 1}`;
    const token = randomBytes(32).toString('base64url');
    this.tokens.set(terminalId, token);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ v: PROTOCOL_VERSION, hubId: this.hubId, terminalId, token }));
  }
}
