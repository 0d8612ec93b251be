import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ListenOptions, LocalProvider } from '../local-provider.ts';
import { stripeId } from './fixtures.ts';
import { StripeState } from './state.ts';
import { StripeApiError, type StripeErrorBody } from './stripe-errors.ts';
import type { Params } from './stripe-objects.ts';
import { checkRequest, decodeForm, prepareValidators, specOperationFor } from './validator.ts';
import { LocalStripeWebhooks, type WebhookEndpoint } from './webhooks.ts';

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

export interface LocalStripeOptions extends ListenOptions {
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

export class LocalStripe extends LocalProvider<RecordedRequest, Fault> {
  readonly state = new StripeState();
  /** setup_intent.* events to the endpoint set with `setWebhookEndpoint` (webhooks.ts). */
  readonly webhooks = new LocalStripeWebhooks();
  private readonly idempotent = new Map<string, StoredAnswer>();

  constructor(private readonly options: LocalStripeOptions) {
    super('the local Stripe', LOCAL_STRIPE_OPERATIONS);
  }

  /** Where Stripe sends its events (a Tapline cloud's `/v1/stripe/webhook`), signed with `secret` (whsec_…). */
  setWebhookEndpoint(endpoint: WebhookEndpoint | null): void {
    this.webhooks.endpoint = endpoint;
  }

  override async close(): Promise<void> {
    await this.webhooks.settled();
    return super.close();
  }

  protected override internalError(message: string): unknown {
    return { error: { type: 'api_error', message } };
  }

  protected override async serve(req: IncomingMessage, res: ServerResponse, url: URL, method: string, rawBody: string): Promise<void> {
    const header = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const rec = this.record({
      method,
      path: url.pathname,
      operation: null,
      idempotencyKey: method === 'POST' ? (header('idempotency-key') ?? null) : null,
      params: {},
      rawBody,
      status: null,
      replayed: false,
      fault: null,
    });
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
    if (fault === 'drop-before-apply') return this.cut(rec, res, fault, false);
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
      if (fault === 'drop-after-apply' || fault === 'hang-after-apply') return this.cut(rec, res, fault, fault === 'hang-after-apply');
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
    // Stripe sends its events for what was done, whether or not the caller gets the answer.
    this.webhooks.after(rec.operation, status, body);

    if (fault === 'drop-after-apply' || fault === 'hang-after-apply') return this.cut(rec, res, fault, fault === 'hang-after-apply');
    answer(status, body);
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

  /** Also, for a local Stripe run as a process: the webhook endpoint, and a hold that lapses. */
  protected override control(method: string, path: string, body: () => Promise<unknown>): unknown {
    if (method === 'POST' && path === '/__local/webhook') {
      return body().then((endpoint) => {
        this.setWebhookEndpoint(endpoint as WebhookEndpoint);
        return { ok: true };
      });
    }
    const expire = /^\/__local\/payment_intents\/([^/]+)\/expire$/.exec(path);
    if (method === 'POST' && expire) return this.state.expireAuthorization(expire[1]!);
    return undefined;
  }
}

/** Starts a local Stripe on loopback; `url` is what TAPLINE_STRIPE_URL should be. */
export async function startLocalStripe(options: LocalStripeOptions = {}): Promise<LocalStripe> {
  // Compiling the schemas takes a few hundred ms each; do it before the first request, not during it.
  prepareValidators(ROUTES.map((r) => ({ method: r.method, template: r.template })));
  const stripe = new LocalStripe(options);
  await stripe.listen(options);
  return stripe;
}
