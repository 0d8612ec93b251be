import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { stripeId } from './fixtures.ts';
import { type Params, StripeApiError, type StripeErrorBody, StripeState } from './state.ts';
import { checkRequest, decodeForm, prepareValidators, specOperationFor } from './validator.ts';

/*
 * The project's own local Stripe: a node:http server that the official `stripe` SDK talks to over real HTTP
 * (`new Stripe(key, { host, port, protocol: 'http' })`). It keeps state in memory, checks every request against
 * Stripe's OpenAPI description, replays the stored answer for a repeated Idempotency-Key with the same parameters and
 * refuses the key with other parameters (idempotency_error), declines the test cards Stripe's docs name, and records
 * every request. Faults can be injected, above all "the call took effect at Stripe but the caller never read the
 * answer", to prove that a retry with the same key never charges twice.
 */

type Handler = (state: StripeState, params: Params, ids: Record<string, string>) => Record<string, unknown>;

interface Route {
  method: 'GET' | 'POST';
  template: string;
  run: Handler;
  regex: RegExp;
  names: string[];
}

function route(method: 'GET' | 'POST', template: string, run: Handler): Route {
  const names = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  const regex = new RegExp(`^${template.replace(/\{[^}]+\}/g, '([^/]+)')}$`);
  return { method, template, run, regex, names };
}

const ROUTES: Route[] = [
  route('POST', '/v1/customers', (s, p) => s.createCustomer(p)),
  route('GET', '/v1/customers/{customer}', (s, _p, ids) => s.customer(ids.customer!, 'customer')),
  route('GET', '/v1/payment_methods/{payment_method}', (s, _p, ids) => s.paymentMethod(ids.payment_method!, 'payment_method')),
  route('POST', '/v1/setup_intents', (s, p) => s.createSetupIntent(p)),
  route('GET', '/v1/setup_intents/{intent}', (s, _p, ids) => s.setupIntent(ids.intent!)),
  route('POST', '/v1/setup_intents/{intent}/confirm', (s, p, ids) => s.confirmSetupIntent(ids.intent!, p)),
  route('POST', '/v1/payment_intents', (s, p) => s.createPaymentIntent(p)),
  route('GET', '/v1/payment_intents/{intent}', (s, _p, ids) => s.paymentIntent(ids.intent!)),
  route('POST', '/v1/payment_intents/{intent}/capture', (s, p, ids) => s.capturePaymentIntent(ids.intent!, p)),
  route('POST', '/v1/payment_intents/{intent}/cancel', (s, p, ids) => s.cancelPaymentIntent(ids.intent!, p)),
  route('POST', '/v1/refunds', (s, p) => s.createRefund(p)),
  route('GET', '/v1/refunds/{refund}', (s, _p, ids) => s.refund(ids.refund!)),
];

/** The operations the local Stripe serves, as `METHOD /v1/template` (the names faults and records use). */
export const LOCAL_STRIPE_OPERATIONS = ROUTES.map((r) => `${r.method} ${r.template}`);

/**
 * - `drop-after-apply`: the request takes effect and its answer is stored for replays, then the connection is cut:
 *   the caller died (or the network broke) between Stripe's work and reading the answer. A replay of a stored answer
 *   is cut the same way. Note that the stripe SDK retries a closed connection once by itself, even with
 *   maxNetworkRetries 0 (stripe-node #1040), so a caller that must see the failure needs `times: 2` (then
 *   clearFaults(), as whether that retry happens depends on timing).
 * - `hang-after-apply`: the same, but the connection stays open with no answer until the caller's timeout.
 * - `drop-before-apply`: the connection is cut before anything happens.
 * - `{ status, error? }`: answered with that status before anything happens, stored for nobody (a 500 or 429 that a
 *   retry gets past).
 */
export type FaultAction = 'drop-after-apply' | 'hang-after-apply' | 'drop-before-apply' | { status: number; error?: Partial<StripeErrorBody> };

export interface Fault {
  /** `METHOD /v1/template` as in LOCAL_STRIPE_OPERATIONS; any operation when absent. */
  operation?: string;
  /** How many matching requests it hits. Default 1. */
  times?: number;
  action: FaultAction;
}

export interface RecordedRequest {
  seq: number;
  method: string;
  path: string;
  /** `METHOD /v1/template`, or null for a URL the local Stripe does not serve. */
  operation: string | null;
  idempotencyKey: string | null;
  /**
   * The body (POST) or query (GET) decoded from Stripe's bracket notation: typed as the spec says (amount a number,
   * confirm a boolean) once it passed validation, strings as sent otherwise (refused, replayed or faulted requests).
   */
  params: Record<string, unknown>;
  rawBody: string;
  /** The status answered; null when a fault cut or held the connection. */
  status: number | null;
  replayed: boolean;
  fault: string | null;
}

export interface LocalStripeOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Accept only this secret key. By default any test key (sk_test_… or rk_test_…) is accepted. */
  apiKey?: string;
}

interface StoredAnswer {
  fingerprint: string;
  status: number;
  body: string;
  requestId: string;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

const MAX_BODY = 1 << 20;

function readBody(req: IncomingMessage): Promise<string> {
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

export class LocalStripe extends EventEmitter<{ request: [RecordedRequest] }> {
  readonly state = new StripeState();
  readonly requests: RecordedRequest[] = [];
  private readonly faults: Array<Fault & { left: number }> = [];
  private readonly idempotent = new Map<string, StoredAnswer>();
  private seq = 0;

  constructor(
    private readonly server: Server,
    readonly url: string,
    readonly port: number,
    private readonly options: LocalStripeOptions,
  ) {
    super();
  }

  injectFault(fault: Fault): void {
    if (fault.operation && !LOCAL_STRIPE_OPERATIONS.includes(fault.operation)) {
      throw new Error(`the local Stripe does not serve ${fault.operation}; it serves ${LOCAL_STRIPE_OPERATIONS.join(', ')}`);
    }
    this.faults.push({ ...fault, left: fault.times ?? 1 });
  }

  /** Drops the faults not yet used up (say, one meant for an SDK retry that did not happen). */
  clearFaults(): void {
    this.faults.length = 0;
  }

  /** The recorded requests to one operation (`POST /v1/payment_intents`). */
  requestsTo(operation: string): RecordedRequest[] {
    return this.requests.filter((r) => r.operation === operation);
  }

  /** Resolves with the next recorded request that matches, including one already recorded after `afterSeq`. */
  nextRequest(match: (r: RecordedRequest) => boolean = () => true, afterSeq = this.seq): Promise<RecordedRequest> {
    const done = this.requests.find((r) => r.seq > afterSeq && match(r));
    if (done) return Promise.resolve(done);
    return new Promise((resolve) => {
      const on = (r: RecordedRequest) => {
        if (r.seq > afterSeq && match(r)) {
          this.off('request', on);
          resolve(r);
        }
      };
      this.on('request', on);
    });
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.close((err) => (err ? reject(err) : resolve()));
      // Held ("hang") and keep-alive connections would keep close() waiting.
      this.server.closeAllConnections();
    });
  }

  private takeFault(operation: string): FaultAction | null {
    const i = this.faults.findIndex((f) => f.left > 0 && (!f.operation || f.operation === operation));
    if (i < 0) return null;
    const f = this.faults[i]!;
    f.left--;
    if (f.left === 0) this.faults.splice(i, 1);
    return f.action;
  }

  /** @internal the server's request listener */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    const method = (req.method ?? 'GET').toUpperCase();
    if (url.pathname.startsWith('/__local/')) return this.control(req, res, url);
    const rawBody = await readBody(req).catch(() => null);
    if (rawBody === null) return;
    const header = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const rec: RecordedRequest = {
      seq: ++this.seq,
      method,
      path: url.pathname,
      operation: null,
      idempotencyKey: method === 'POST' ? (header('idempotency-key') ?? null) : null,
      params: {},
      rawBody,
      status: null,
      replayed: false,
      fault: null,
    };
    this.requests.push(rec);
    const requestId = stripeId('req', 14);
    const answer = (status: number, body: string, extra: Record<string, string> = {}) => {
      rec.status = status;
      res.writeHead(status, {
        'content-type': 'application/json',
        'request-id': requestId,
        'stripe-version': header('stripe-version') ?? '2023-06-06',
        ...(rec.idempotencyKey ? { 'idempotency-key': rec.idempotencyKey } : {}),
        ...extra,
      });
      res.end(body);
      this.emit('request', rec);
    };
    const fail = (status: number, error: StripeErrorBody) => answer(status, JSON.stringify({ error }));

    const auth = this.authError(header('authorization'));
    if (auth) return fail(401, auth);

    const r = ROUTES.find((x) => x.method === method && x.regex.test(url.pathname));
    if (!r) {
      const known = specOperationFor(method, url.pathname);
      if (known) return fail(501, { type: 'api_error', message: `The local Stripe does not implement ${method} ${known} yet (Stripe has it).` });
      return fail(404, {
        type: 'invalid_request_error',
        message: `Unrecognized request URL (${method}: ${url.pathname}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
      });
    }
    rec.operation = `${r.method} ${r.template}`;
    const match = r.regex.exec(url.pathname)!;
    const ids = Object.fromEntries(r.names.map((n, i) => [n, decodeURIComponent(match[i + 1]!)]));
    const decoded = method === 'POST' ? decodeForm(rawBody) : decodeForm(url.search.slice(1));
    rec.params = decoded;

    const fault = this.takeFault(rec.operation);
    if (fault === 'drop-before-apply') return this.cut(rec, res, fault);
    if (fault && typeof fault === 'object') {
      rec.fault = `status ${fault.status}`;
      return fail(fault.status, { type: 'api_error', message: 'An unknown error occurred (injected by the test).', ...fault.error });
    }

    const key = rec.idempotencyKey;
    if (key !== null && key.length > 255) {
      return fail(400, { type: 'invalid_request_error', message: 'Invalid idempotency key: keys must be at most 255 characters long.' });
    }
    const storeKey = key === null ? null : `${header('authorization')} ${key}`;
    const fingerprint = `${rec.operation} ${url.pathname} ${canonical(decoded)}`;
    const stored = storeKey ? this.idempotent.get(storeKey) : undefined;
    if (stored) {
      if (stored.fingerprint !== fingerprint) {
        return fail(400, {
          type: 'idempotency_error',
          message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
        });
      }
      rec.replayed = true;
      if (fault === 'drop-after-apply' || fault === 'hang-after-apply') return this.cut(rec, res, fault);
      return answer(stored.status, stored.body, { 'idempotent-replayed': 'true', 'original-request': stored.requestId });
    }

    // Stripe stores no idempotent result for a request whose parameters fail validation: it never began executing.
    const checked = checkRequest(method, r.template, decoded);
    if (!checked.ok) return fail(400, checked.error);
    rec.params = checked.params;

    let status = 200;
    let body: string;
    try {
      const obj = r.run(this.state, checked.params, ids);
      body = JSON.stringify(this.state.expand(obj, checked.params.expand));
    } catch (err) {
      // A bug in the local Stripe answers 500, as an internal error at Stripe would (and is stored like one).
      const e = err instanceof StripeApiError ? err : new StripeApiError(500, { type: 'api_error', message: `The local Stripe failed: ${(err as Error).message}` });
      status = e.status;
      body = JSON.stringify({ error: e.error });
    }
    if (storeKey) this.idempotent.set(storeKey, { fingerprint, status, body, requestId });

    if (fault === 'drop-after-apply' || fault === 'hang-after-apply') return this.cut(rec, res, fault);
    answer(status, body);
  }

  private cut(rec: RecordedRequest, res: ServerResponse, fault: 'drop-after-apply' | 'hang-after-apply' | 'drop-before-apply'): void {
    rec.fault = fault;
    // Hung connections are ended by the caller's timeout or by close().
    if (fault !== 'hang-after-apply') res.socket?.destroy();
    this.emit('request', rec);
  }

  private authError(authorization: string | undefined): StripeErrorBody | null {
    const key = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    if (!key) {
      return {
        type: 'invalid_request_error',
        message:
          "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
      };
    }
    const wanted = this.options.apiKey;
    if (wanted ? key !== wanted : !/^(sk|rk)_test_/.test(key)) {
      return { type: 'invalid_request_error', message: `Invalid API Key provided: ${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}` };
    }
    return null;
  }

  /** For a local Stripe run as a process: the records and faults over HTTP (`/__local/requests`, `/__local/faults`). */
  private async control(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    try {
      if (req.method === 'GET' && url.pathname === '/__local/requests') return json(200, this.requests);
      if (req.method === 'POST' && url.pathname === '/__local/faults') {
        this.injectFault(JSON.parse(await readBody(req)) as Fault);
        return json(200, { ok: true });
      }
      const expire = /^\/__local\/payment_intents\/([^/]+)\/expire$/.exec(url.pathname);
      if (req.method === 'POST' && expire) return json(200, this.state.expireAuthorization(expire[1]!));
      json(404, { error: `no control endpoint ${req.method} ${url.pathname}` });
    } catch (err) {
      json(400, { error: (err as Error).message });
    }
  }
}

/** Starts a local Stripe on loopback; `url` is what TAPLINE_STRIPE_URL should be. */
export async function startLocalStripe(options: LocalStripeOptions = {}): Promise<LocalStripe> {
  // Compiling the schemas takes a few hundred ms each; do it before the first request, not during it.
  prepareValidators(ROUTES.map((r) => ({ method: r.method, template: r.template })));
  let stripe: LocalStripe | null = null;
  const server = createServer((req, res) => {
    stripe!.handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { type: 'api_error', message: `The local Stripe failed: ${(err as Error).message}` } }));
      }
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  stripe = new LocalStripe(server, `http://${host}:${port}`, port, options);
  return stripe;
}
