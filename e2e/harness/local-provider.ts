import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * What the local Stripe and the local Twilio share: a node:http server on loopback (a free port unless told), the log
 * of every request (which a test awaits instead of polling), faults queued per operation, the `/__local/` control
 * endpoints for a provider run as its own process, and a close() that also ends held connections. Each provider
 * brings its routes, its state and the bodies it answers.
 */

/** No request a provider SDK sends comes near this; a larger body cuts the connection. */
const MAX_BODY = 1 << 20;

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The fields of a recorded request that the shared log and faults read. */
export interface LoggedRequest {
  seq: number;
  operation: string | null;
  /** The status answered; null when a fault cut or held the connection. */
  status: number | null;
  fault: string | null;
}

export interface QueuedFault {
  operation?: string;
  /** How many matching requests it hits. Default 1. */
  times?: number;
  action: unknown;
}

export interface ListenOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
}

export abstract class LocalProvider<Rec extends LoggedRequest, Fault extends QueuedFault> extends EventEmitter<{ request: [Rec] }> {
  readonly requests: Rec[] = [];
  private readonly faults: Array<Fault & { left: number }> = [];
  private seq = 0;
  private server: Server | null = null;
  private address = { url: '', port: 0 };

  /** `label` names the provider in messages ("the local Stripe"); `operations` are the ones faults may name. */
  protected constructor(
    private readonly label: string,
    private readonly operations: readonly string[],
  ) {
    super();
  }

  get url(): string {
    return this.address.url;
  }

  get port(): number {
    return this.address.port;
  }

  /** Serves one request that is not a control request; `rawBody` is already read. */
  protected abstract serve(req: IncomingMessage, res: ServerResponse, url: URL, method: string, rawBody: string): Promise<void>;

  /** The body of a 500 for a bug in the provider itself, in the provider's error shape. */
  protected abstract internalError(message: string): unknown;

  /** Control endpoints beyond `/__local/requests` and `/__local/faults`: the answer, or undefined for none. */
  protected control(_method: string, _path: string, _body: () => Promise<unknown>): unknown {
    return undefined;
  }

  async listen(o: ListenOptions): Promise<void> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify(this.internalError(`${capitalised(this.label)} failed: ${(err as Error).message}`)));
        }
      });
    });
    const host = o.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    this.server = server;
    this.address = { url: `http://${host}:${port}`, port };
  }

  close(): Promise<void> {
    const server = this.server;
    if (!server) return Promise.resolve();
    return new Promise((resolve, reject) => {
      server.close((err) => (err ? reject(err) : resolve()));
      // Held ("hang") and keep-alive connections would keep close() waiting.
      server.closeAllConnections();
    });
  }

  injectFault(fault: Fault): void {
    if (fault.operation && !this.operations.includes(fault.operation)) {
      throw new Error(`${this.label} does not serve ${fault.operation}; it serves ${this.operations.join(', ')}`);
    }
    this.faults.push({ ...fault, left: fault.times ?? 1 });
  }

  /** Drops the faults not yet used up (say, one meant for an SDK retry that did not happen). */
  clearFaults(): void {
    this.faults.length = 0;
  }

  /** The recorded requests to one operation. */
  requestsTo(operation: NonNullable<Rec['operation']>): Rec[] {
    return this.requests.filter((r) => r.operation === operation);
  }

  /** Resolves with the next recorded request that matches, including one already recorded after `afterSeq`. */
  nextRequest(match: (r: Rec) => boolean = () => true, afterSeq = this.seq): Promise<Rec> {
    const done = this.requests.find((r) => r.seq > afterSeq && match(r));
    if (done) return Promise.resolve(done);
    return new Promise((resolve) => {
      const on = (r: Rec) => {
        if (r.seq > afterSeq && match(r)) {
          this.off('request', on);
          resolve(r);
        }
      };
      this.on('request', on);
    });
  }

  /** Numbers a new record and logs it; `request` is emitted once it is answered or cut. */
  protected record(fields: Omit<Rec, 'seq'>): Rec {
    const rec = { seq: ++this.seq, ...fields } as Rec;
    this.requests.push(rec);
    return rec;
  }

  protected takeFault(operation: string): Fault['action'] | null {
    const i = this.faults.findIndex((f) => f.left > 0 && (!f.operation || f.operation === operation));
    if (i < 0) return null;
    const f = this.faults[i]!;
    f.left--;
    if (f.left === 0) this.faults.splice(i, 1);
    return f.action;
  }

  /** A fault that leaves the caller without an answer: the connection is cut, or held until the caller gives up. */
  protected cut(rec: Rec, res: ServerResponse, fault: string, hold: boolean): void {
    rec.fault = fault;
    // Held connections are ended by the caller's timeout or by close().
    if (!hold) res.socket?.destroy();
    this.emit('request', rec);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    const method = (req.method ?? 'GET').toUpperCase();
    if (url.pathname.startsWith('/__local/')) return this.controlRequest(req, res, url, method);
    const rawBody = await readBody(req).catch(() => null);
    if (rawBody === null) return;
    return this.serve(req, res, url, method, rawBody);
  }

  /** For a provider run as a process: its records, faults and the provider's own `control` endpoints over HTTP. */
  private async controlRequest(req: IncomingMessage, res: ServerResponse, url: URL, method: string): Promise<void> {
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    const body = async () => JSON.parse(await readBody(req)) as unknown;
    try {
      if (method === 'GET' && url.pathname === '/__local/requests') return json(200, this.requests);
      if (method === 'POST' && url.pathname === '/__local/faults') {
        this.injectFault((await body()) as Fault);
        return json(200, { ok: true });
      }
      const answer = await this.control(method, url.pathname, body);
      if (answer !== undefined) return json(200, answer);
      json(404, { error: `no control endpoint ${method} ${url.pathname}` });
    } catch (err) {
      json(400, { error: (err as Error).message });
    }
  }
}

function capitalised(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export interface ProviderProcess {
  /** "local Stripe": for the log line and errors. */
  name: string;
  defaultPort: number;
  /** Whether the contract files it needs are here (contractsAvailable). */
  available: { ok: true } | { ok: false; reason: string };
  start(o: { port: number; host: string }): Promise<{ url: string; close(): Promise<void> }>;
}

/**
 * Runs a local provider as its own process: PORT (the default port when unset, 0 for any) and HOST (default
 * 127.0.0.1); forked with IPC it sends { type: 'ready', url } like the other Tapline processes; SIGTERM/SIGINT or
 * losing the IPC parent stop it.
 */
export function runProviderProcess(p: ProviderProcess): void {
  const main = async () => {
    if (!p.available.ok) throw new Error(`The ${p.name} cannot start: ${p.available.reason}.`);
    const port = process.env.PORT === undefined || process.env.PORT === '' ? p.defaultPort : Number(process.env.PORT);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be 0-65535, not "${process.env.PORT}"`);
    const provider = await p.start({ port, host: process.env.HOST || '127.0.0.1' });
    console.log(`${p.name} listening on ${provider.url}`);
    process.send?.({ type: 'ready', url: provider.url });
    const stop = () => {
      provider.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    process.on('disconnect', stop);
  };
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
