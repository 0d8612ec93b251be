import Stripe from 'stripe';
import type { Logger } from 'pino';
import {
  type AuthorizeResult,
  type CardCollection,
  type Metadata,
  type PaymentDecline,
  type PaymentIntentResult,
  type PaymentIntentStatus,
  type PaymentMethodResult,
  type PaymentProvider,
  PaymentProviderError,
  type RefundResult,
  type SetupIntentResult,
} from './payments.ts';

/*
 * PaymentProvider over the official `stripe` SDK. The base URL makes the same code talk to api.stripe.com or to the
 * project's local Stripe (e2e/harness/local-stripe) in tests.
 */

export interface StripePaymentsOptions {
  /** `https://api.stripe.com` or, in tests, `http://127.0.0.1:PORT`. Origin only: the SDK adds `/v1/…`. */
  url: string;
  /** A secret or restricted key: sk_test_…, sk_live_…, rk_… */
  key: string;
  /** Per request. Default 20 s: the sweepers run in the background and retry. */
  timeoutMs?: number;
  /**
   * The SDK's own retries on network errors and 409/5xx (it reuses our idempotency key). Default 0: the job queue
   * retries with backoff and keeps the attempt in the database, which is what makes a retry safe after a crash.
   */
  maxNetworkRetries?: number;
  /**
   * Where the attendee would come back after authenticating with their bank. Stripe asks for one when a PaymentIntent
   * with automatic payment methods is confirmed; off-session it is never visited. Use the attendee's tab page.
   */
  returnUrl?: string;
  /** pk_…: the card page collects cards with Stripe.js Elements. Without it a test key gets the test-card form. */
  publishableKey?: string;
  /** whsec_…: `POST /v1/stripe/webhook` checks Stripe's signature with it; without it webhooks are refused. */
  webhookSecret?: string;
  log?: Logger;
}

function stripeConfig(options: StripePaymentsOptions): ConstructorParameters<typeof Stripe>[1] {
  const url = new URL(options.url);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return {
    host: url.hostname,
    port: url.port || (protocol === 'http' ? 80 : 443),
    protocol,
    timeout: options.timeoutMs ?? 20_000,
    maxNetworkRetries: options.maxNetworkRetries ?? 0,
    telemetry: false,
    appInfo: { name: 'Tapline' },
  };
}

const metadataOf = (m: Stripe.Metadata | null | undefined): Record<string, string> => ({ ...(m ?? {}) });
const idOf = (v: string | { id: string } | null | undefined): string | null => (v == null ? null : typeof v === 'string' ? v : v.id);

function declineOf(e: { code?: string | null; decline_code?: string | null; message?: string | null } | null | undefined): PaymentDecline | null {
  if (!e) return null;
  return { code: e.code ?? 'card_declined', declineCode: e.decline_code ?? null, message: e.message ?? 'The card was declined.' };
}

export function toIntentResult(pi: Stripe.PaymentIntent): PaymentIntentResult {
  return {
    id: pi.id,
    status: pi.status as PaymentIntentStatus,
    amount: pi.amount,
    amountCapturable: pi.amount_capturable,
    amountReceived: pi.amount_received,
    currency: pi.currency,
    customerId: idOf(pi.customer),
    paymentMethodId: idOf(pi.payment_method),
    created: pi.created,
    cancellationReason: pi.cancellation_reason ?? null,
    metadata: metadataOf(pi.metadata),
    lastDecline: declineOf(pi.last_payment_error),
  };
}

function toSetupResult(si: Stripe.SetupIntent): SetupIntentResult {
  return {
    id: si.id,
    status: si.status as SetupIntentResult['status'],
    customerId: idOf(si.customer),
    paymentMethodId: idOf(si.payment_method),
    clientSecret: si.client_secret,
    lastDecline: declineOf(si.last_setup_error),
  };
}

/** A Stripe SDK error as a PaymentProviderError: a code for programs, a sentence for people, and whether to retry. */
export function paymentErrorFrom(err: unknown, what: string): PaymentProviderError {
  if (err instanceof PaymentProviderError) return err;
  if (!(err instanceof Stripe.errors.StripeError)) {
    return new PaymentProviderError('payment_provider_unreachable', `Stripe could not be asked to ${what}: ${(err as Error)?.message ?? String(err)}.`, {
      retryable: true,
      cause: err,
    });
  }
  const base = { status: err.statusCode, providerCode: err.code, param: err.param, requestId: err.requestId, cause: err };
  const said = err.message ? ` Stripe said: ${err.message.replace(/\.?$/, '.')}` : '';
  switch (err.type) {
    case 'StripeConnectionError':
      return new PaymentProviderError(
        'payment_provider_unreachable',
        `Stripe did not answer the request to ${what}; it may or may not have been done, so retry with the same idempotency key.${said}`,
        { ...base, retryable: true },
      );
    case 'StripeRateLimitError':
      return new PaymentProviderError('payment_rate_limited', `Stripe asked us to slow down while trying to ${what}.${said}`, { ...base, retryable: true });
    case 'StripeIdempotencyError':
      return new PaymentProviderError(
        'payment_idempotency_conflict',
        `Stripe refused to ${what}: its idempotency key was already used for a different request.${said}`,
        { ...base, retryable: false },
      );
    case 'StripeAuthenticationError':
    case 'StripePermissionError':
      return new PaymentProviderError('payment_auth_failed', `Stripe refused our API key while trying to ${what}.${said}`, { ...base, retryable: false });
    case 'StripeCardError':
      return new PaymentProviderError('payment_declined', `The card was declined while trying to ${what}.${said}`, { ...base, retryable: false });
    case 'StripeInvalidRequestError':
      if (err.statusCode === 409) {
        return new PaymentProviderError('payment_request_in_flight', `Stripe is still working on the same request to ${what}.${said}`, {
          ...base,
          retryable: true,
        });
      }
      if (err.statusCode === 404 || err.code === 'resource_missing') {
        return new PaymentProviderError('payment_not_found', `Stripe does not know what we asked to ${what}.${said}`, { ...base, retryable: false });
      }
      return new PaymentProviderError('payment_request_invalid', `Stripe refused to ${what}.${said}`, { ...base, retryable: false });
    default:
      if (err.statusCode === 409) {
        return new PaymentProviderError('payment_request_in_flight', `Stripe is still working on the same request to ${what}.${said}`, {
          ...base,
          retryable: true,
        });
      }
      return new PaymentProviderError('payment_provider_failed', `Stripe failed while trying to ${what}.${said}`, {
        ...base,
        retryable: (err.statusCode ?? 500) >= 500 || err.statusCode === undefined,
      });
  }
}

export class StripePayments implements PaymentProvider {
  readonly kind = 'stripe' as const;
  readonly cardCollection: CardCollection;
  readonly webhookSecret: string | null;
  /** The SDK client, for what the interface does not cover (tests confirm SetupIntents with it). */
  readonly stripe: Stripe;
  private readonly log: Logger | undefined;
  private readonly returnUrl: string | undefined;

  constructor(options: StripePaymentsOptions) {
    this.stripe = new Stripe(options.key, stripeConfig(options));
    this.log = options.log;
    this.returnUrl = options.returnUrl;
    this.webhookSecret = options.webhookSecret ?? null;
    const testKey = /^(sk|rk)_test_/.test(options.key);
    if (options.publishableKey) {
      if (testKey !== options.publishableKey.startsWith('pk_test_')) {
        throw new Error('TAPLINE_STRIPE_PUBLISHABLE_KEY and TAPLINE_STRIPE_KEY must both be test keys or both live keys.');
      }
      this.cardCollection = { kind: 'stripe-elements', publishableKey: options.publishableKey };
    } else if (testKey) {
      // Stripe's test mode accepts its named test PaymentMethods from the server; a live key never does.
      this.cardCollection = { kind: 'test-cards' };
    } else {
      this.cardCollection = { kind: 'none', reason: 'TAPLINE_STRIPE_PUBLISHABLE_KEY is not set, so the card form (Stripe.js) cannot be shown.' };
    }
  }

  /**
   * A webhook's event after checking its `Stripe-Signature` with the SDK (`webhooks.constructEvent`: HMAC and a
   * 5-minute tolerance). Throws when no secret is configured or the signature is wrong.
   */
  webhookEvent(payload: Buffer, signature: string): Stripe.Event {
    if (!this.webhookSecret) throw new Error('TAPLINE_STRIPE_WEBHOOK_SECRET is not set');
    return Stripe.webhooks.constructEvent(payload, signature, this.webhookSecret);
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const e = paymentErrorFrom(err, what);
      this.log?.warn({ code: e.code, retryable: e.retryable, status: e.details.status, providerCode: e.details.providerCode }, e.message);
      throw e;
    }
  }

  createCustomer(input: { email?: string; name?: string; phone?: string; metadata?: Metadata; idempotencyKey: string }): Promise<{ id: string }> {
    const { idempotencyKey, ...params } = input;
    return this.call('create a customer', async () => {
      const c = await this.stripe.customers.create(params, { idempotencyKey });
      return { id: c.id };
    });
  }

  createSetupIntent(input: { customerId: string; metadata?: Metadata; idempotencyKey: string }): Promise<SetupIntentResult> {
    return this.call('create a SetupIntent', async () =>
      toSetupResult(
        await this.stripe.setupIntents.create(
          { customer: input.customerId, usage: 'off_session', automatic_payment_methods: { enabled: true }, metadata: input.metadata },
          { idempotencyKey: input.idempotencyKey },
        ),
      ),
    );
  }

  retrieveSetupIntent(id: string): Promise<SetupIntentResult> {
    return this.call(`read SetupIntent ${id}`, async () => toSetupResult(await this.stripe.setupIntents.retrieve(id)));
  }

  async confirmSetupIntent(input: { id: string; paymentMethodId: string; returnUrl?: string; idempotencyKey: string }): Promise<SetupIntentResult> {
    const what = `confirm SetupIntent ${input.id}`;
    try {
      return toSetupResult(
        await this.stripe.setupIntents.confirm(
          input.id,
          // Stripe wants a return URL when automatic payment methods are confirmed; a test card never redirects.
          { payment_method: input.paymentMethodId, ...(input.returnUrl ? { return_url: input.returnUrl } : {}) },
          { idempotencyKey: input.idempotencyKey },
        ),
      );
    } catch (err) {
      if (err instanceof Stripe.errors.StripeCardError) {
        const decline = declineOf(err)!;
        this.log?.info({ code: decline.code, declineCode: decline.declineCode, setupIntent: input.id }, 'card declined while saving');
        const si = err.setup_intent;
        return si
          ? { ...toSetupResult(si), lastDecline: declineOf(si.last_setup_error) ?? decline }
          : { id: input.id, status: 'requires_payment_method', customerId: null, paymentMethodId: null, clientSecret: null, lastDecline: decline };
      }
      const e = paymentErrorFrom(err, what);
      this.log?.warn({ code: e.code, retryable: e.retryable, status: e.details.status, providerCode: e.details.providerCode }, e.message);
      throw e;
    }
  }

  retrievePaymentMethod(id: string): Promise<PaymentMethodResult> {
    return this.call(`read PaymentMethod ${id}`, async () => {
      const pm = await this.stripe.paymentMethods.retrieve(id);
      return {
        id: pm.id,
        customerId: idOf(pm.customer),
        brand: pm.card?.brand ?? null,
        last4: pm.card?.last4 ?? null,
        expMonth: pm.card?.exp_month ?? null,
        expYear: pm.card?.exp_year ?? null,
      };
    });
  }

  async authorize(input: {
    customerId: string;
    paymentMethodId: string;
    amount: number;
    currency: string;
    idempotencyKey: string;
    metadata?: Metadata;
  }): Promise<AuthorizeResult> {
    const what = `authorise ${input.amount} ${input.currency}`;
    let pi: Stripe.PaymentIntent;
    try {
      pi = await this.stripe.paymentIntents.create(
        {
          amount: input.amount,
          currency: input.currency.toLowerCase(),
          customer: input.customerId,
          payment_method: input.paymentMethodId,
          automatic_payment_methods: { enabled: true },
          // Stripe asks for a return URL whenever automatic payment methods are confirmed; off-session it goes unused.
          ...(this.returnUrl ? { return_url: this.returnUrl } : {}),
          capture_method: 'manual',
          confirm: true,
          off_session: true,
          metadata: input.metadata,
        },
        { idempotencyKey: input.idempotencyKey },
      );
    } catch (err) {
      if (err instanceof Stripe.errors.StripeCardError) {
        const decline = declineOf(err)!;
        this.log?.info({ code: decline.code, declineCode: decline.declineCode, paymentIntent: err.payment_intent?.id }, 'card declined');
        return { outcome: 'declined', decline, intent: err.payment_intent ? toIntentResult(err.payment_intent) : null };
      }
      const e = paymentErrorFrom(err, what);
      this.log?.warn({ code: e.code, retryable: e.retryable, status: e.details.status, providerCode: e.details.providerCode }, e.message);
      throw e;
    }
    const intent = toIntentResult(pi);
    if (pi.status === 'requires_capture') return { outcome: 'authorized', intent };
    // Off-session confirmations answer a card that needs the attendee with a 402 (above); anything else is a card
    // that cannot be held without them, which the sweeper treats like a decline.
    return {
      outcome: 'declined',
      decline: intent.lastDecline ?? {
        code: pi.status === 'requires_action' ? 'authentication_required' : `unexpected_status_${pi.status}`,
        declineCode: null,
        message:
          pi.status === 'requires_action'
            ? 'The card needs the cardholder to authenticate this payment.'
            : `Stripe left the payment in status ${pi.status} instead of holding the amount.`,
      },
      intent,
    };
  }

  capture(input: { paymentIntentId: string; amountToCapture: number; idempotencyKey: string; metadata?: Metadata }): Promise<PaymentIntentResult> {
    return this.call(`capture ${input.amountToCapture} on ${input.paymentIntentId}`, async () =>
      toIntentResult(
        await this.stripe.paymentIntents.capture(
          input.paymentIntentId,
          { amount_to_capture: input.amountToCapture, metadata: input.metadata },
          { idempotencyKey: input.idempotencyKey },
        ),
      ),
    );
  }

  cancel(input: {
    paymentIntentId: string;
    idempotencyKey: string;
    reason?: 'duplicate' | 'fraudulent' | 'requested_by_customer' | 'abandoned';
  }): Promise<PaymentIntentResult> {
    return this.call(`cancel ${input.paymentIntentId}`, async () =>
      toIntentResult(
        await this.stripe.paymentIntents.cancel(
          input.paymentIntentId,
          input.reason ? { cancellation_reason: input.reason } : {},
          { idempotencyKey: input.idempotencyKey },
        ),
      ),
    );
  }

  refund(input: {
    paymentIntentId: string;
    amount: number;
    idempotencyKey: string;
    reason?: 'duplicate' | 'fraudulent' | 'requested_by_customer';
    metadata?: Metadata;
  }): Promise<RefundResult> {
    return this.call(`refund ${input.amount} on ${input.paymentIntentId}`, async () => {
      const r = await this.stripe.refunds.create(
        { payment_intent: input.paymentIntentId, amount: input.amount, reason: input.reason, metadata: input.metadata },
        { idempotencyKey: input.idempotencyKey },
      );
      return {
        id: r.id,
        status: (r.status ?? 'pending') as RefundResult['status'],
        amount: r.amount,
        currency: r.currency,
        paymentIntentId: idOf(r.payment_intent),
      };
    });
  }

  retrievePaymentIntent(id: string): Promise<PaymentIntentResult> {
    return this.call(`read PaymentIntent ${id}`, async () => toIntentResult(await this.stripe.paymentIntents.retrieve(id)));
  }
}
