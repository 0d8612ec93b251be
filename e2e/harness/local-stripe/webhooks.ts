import { createHmac } from 'node:crypto';
import { stripeId } from './fixtures.ts';

/*
 * The local Stripe's webhooks: after a request changed a SetupIntent, it POSTs the event Stripe would send
 * (`setup_intent.succeeded`, `setup_intent.setup_failed`, `setup_intent.requires_action`) to the one endpoint set with
 * `setWebhookEndpoint`, signed the way Stripe signs (`Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.payload">`
 * with the endpoint's `whsec_` secret), so the receiver's `webhooks.constructEvent` checks a signature it did not
 * make itself. Like Stripe, the event is sent even when the API caller never got its answer (a cut connection).
 * Unlike Stripe, a failed delivery is recorded but not retried.
 */

export interface WebhookEndpoint {
  url: string;
  /** whsec_… */
  secret: string;
}

export interface WebhookDelivery {
  eventId: string;
  type: string;
  /** The id of the object the event is about (the SetupIntent). */
  objectId: string;
  /** The receiver's HTTP status; null when it could not be reached. */
  status: number | null;
  error: string | null;
}

type Obj = Record<string, unknown>;

const SETUP_OPERATIONS = new Set(['POST /v1/setup_intents', 'POST /v1/setup_intents/{intent}/confirm']);

/** `Stripe-Signature` for a payload, as Stripe makes it. */
export function signWebhook(payload: string, secret: string, timestamp = Math.floor(Date.now() / 1000)): string {
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${v1}`;
}

export class LocalStripeWebhooks {
  endpoint: WebhookEndpoint | null = null;
  readonly deliveries: WebhookDelivery[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly listeners = new Set<(d: WebhookDelivery) => void>();

  /** The events Stripe sends for what one request did (status and body as answered). */
  eventsFor(operation: string, status: number, body: string): Array<{ type: string; object: Obj }> {
    if (!SETUP_OPERATIONS.has(operation)) return [];
    let parsed: Obj;
    try {
      parsed = JSON.parse(body) as Obj;
    } catch {
      return [];
    }
    if (status === 402) {
      const si = (parsed.error as Obj | undefined)?.setup_intent as Obj | undefined;
      return si ? [{ type: 'setup_intent.setup_failed', object: si }] : [];
    }
    if (status !== 200 || parsed.object !== 'setup_intent') return [];
    if (parsed.status === 'succeeded') return [{ type: 'setup_intent.succeeded', object: parsed }];
    if (parsed.status === 'requires_action') return [{ type: 'setup_intent.requires_action', object: parsed }];
    return [];
  }

  /** Sends the events of one request, in the background (the API answer never waits for them). */
  after(operation: string, status: number, body: string): void {
    if (!this.endpoint) return;
    for (const e of this.eventsFor(operation, status, body)) {
      const p = this.send(e.type, e.object).then(
        () => undefined,
        () => undefined,
      );
      this.inFlight.add(p);
      void p.finally(() => this.inFlight.delete(p));
    }
  }

  async send(type: string, object: Obj): Promise<WebhookDelivery> {
    const endpoint = this.endpoint;
    const eventId = stripeId('evt');
    const delivery: WebhookDelivery = { eventId, type, objectId: String(object.id), status: null, error: null };
    if (!endpoint) {
      delivery.error = 'no webhook endpoint';
      return this.record(delivery);
    }
    const payload = JSON.stringify(
      {
        id: eventId,
        object: 'event',
        api_version: '2023-10-16',
        created: Math.floor(Date.now() / 1000),
        data: { object },
        livemode: false,
        pending_webhooks: 1,
        request: { id: null, idempotency_key: null },
        type,
      },
      null,
      2,
    );
    try {
      const res = await fetch(endpoint.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': signWebhook(payload, endpoint.secret), 'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)' },
        body: payload,
        signal: AbortSignal.timeout(10_000),
      });
      delivery.status = res.status;
      await res.arrayBuffer();
    } catch (err) {
      delivery.error = (err as Error).message;
    }
    return this.record(delivery);
  }

  /** Resolves with the next delivery that matches (already made ones count). */
  nextDelivery(match: (d: WebhookDelivery) => boolean): Promise<WebhookDelivery> {
    const done = this.deliveries.find(match);
    if (done) return Promise.resolve(done);
    return new Promise((resolve) => {
      const on = (d: WebhookDelivery) => {
        if (!match(d)) return;
        this.listeners.delete(on);
        resolve(d);
      };
      this.listeners.add(on);
    });
  }

  /** Waits for the deliveries under way (before closing). */
  async settled(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  private record(d: WebhookDelivery): WebhookDelivery {
    this.deliveries.push(d);
    for (const l of [...this.listeners]) l(d);
    return d;
  }
}
