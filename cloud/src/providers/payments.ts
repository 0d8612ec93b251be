/*
 * What the tab sweepers need from a card processor, in Tapline's own small types, so that the sweepers neither
 * depend on the Stripe SDK's types nor care whether the demo's log provider or Stripe answers.
 *
 * Contract for callers:
 * - Every call that changes money takes an idempotency key. Derive it from the tab and the attempt
 *   (`idempotencyKey('authorize', tabId, attempt)`) and store the attempt before calling: a worker that dies between
 *   the call and its commit retries with the same key and gets the first answer back, never a second charge.
 *   Stripe keeps keys for at least 24 hours; a retry later than that must look the PaymentIntent up first.
 * - A card that declines is an answer, not a failure: `authorize` resolves `{ outcome: 'declined', decline }`.
 * - Everything else that goes wrong throws a `PaymentProviderError` whose `retryable` says whether the same call with
 *   the same key may be tried again later (network, timeouts, 5xx, 429, a request still in flight at Stripe).
 */

export type PaymentIntentStatus =
  | 'requires_payment_method'
  | 'requires_confirmation'
  | 'requires_action'
  | 'processing'
  | 'requires_capture'
  | 'canceled'
  | 'succeeded';

export interface PaymentDecline {
  /** Stripe's error code: `card_declined`, `expired_card`, `incorrect_cvc`, `authentication_required`, … */
  code: string;
  /** The issuer's reason when there is one: `insufficient_funds`, `generic_decline`, `lost_card`, … */
  declineCode: string | null;
  /** Stripe's sentence, fit to show the attendee. */
  message: string;
}

export interface PaymentIntentResult {
  id: string;
  status: PaymentIntentStatus;
  /** Minor units, in `currency`. */
  amount: number;
  /** What may still be captured (the hold), 0 once captured, canceled or expired. */
  amountCapturable: number;
  /** What was captured. */
  amountReceived: number;
  currency: string;
  customerId: string | null;
  paymentMethodId: string | null;
  /** Unix seconds. Card holds made off-session last 7 days from here at Stripe unless the card network says less. */
  created: number;
  /** `automatic` when the hold lapsed, otherwise what the canceller said. */
  cancellationReason: string | null;
  metadata: Record<string, string>;
  /** The last failed confirmation, if any. */
  lastDecline: PaymentDecline | null;
}

export type AuthorizeResult =
  | { outcome: 'authorized'; intent: PaymentIntentResult }
  /** `intent` is the PaymentIntent Stripe made for the failed attempt (null if the provider did not return one). */
  | { outcome: 'declined'; decline: PaymentDecline; intent: PaymentIntentResult | null };

export interface SetupIntentResult {
  id: string;
  status: 'requires_payment_method' | 'requires_confirmation' | 'requires_action' | 'processing' | 'canceled' | 'succeeded';
  customerId: string | null;
  paymentMethodId: string | null;
  /** For the attendee's browser (Stripe.js `confirmCardSetup`); never log it. */
  clientSecret: string | null;
  lastDecline: PaymentDecline | null;
}

export interface PaymentMethodResult {
  id: string;
  customerId: string | null;
  /** visa, mastercard, amex, … ; null for a method that is not a card. */
  brand: string | null;
  last4: string | null;
  expMonth: number | null;
  expYear: number | null;
}

export interface RefundResult {
  id: string;
  status: 'pending' | 'requires_action' | 'succeeded' | 'failed' | 'canceled';
  amount: number;
  currency: string;
  paymentIntentId: string | null;
}

export type Metadata = Record<string, string>;

/**
 * How the attendee's card page collects a card: Stripe.js Elements with a publishable key (real cards, straight to
 * Stripe), or, ONLY with the demo's log provider or a Stripe test key, a form of Stripe's test PaymentMethods that the
 * cloud confirms itself. `none` says why neither can be offered (a live key without a publishable key).
 */
export type CardCollection = { kind: 'stripe-elements'; publishableKey: string } | { kind: 'test-cards' } | { kind: 'none'; reason: string };

export interface PaymentProvider {
  /** 'stripe' or 'log': for logs and the status page. */
  readonly kind: 'stripe' | 'log';
  readonly cardCollection: CardCollection;
  createCustomer(input: { email?: string; name?: string; phone?: string; metadata?: Metadata; idempotencyKey: string }): Promise<{ id: string }>;
  /** A SetupIntent that saves a card for off-session use; hand `clientSecret` to the attendee's page. */
  createSetupIntent(input: { customerId: string; metadata?: Metadata; idempotencyKey: string }): Promise<SetupIntentResult>;
  retrieveSetupIntent(id: string): Promise<SetupIntentResult>;
  /**
   * Confirms a SetupIntent server-side with a PaymentMethod. Only the test/demo card form uses this (with Stripe's
   * test PaymentMethods such as `pm_card_visa`); real attendees confirm in their browser with Stripe.js, and card
   * numbers never reach Tapline. A card that declines resolves with `lastDecline` set and the SetupIntent back in
   * `requires_payment_method`, as Stripe leaves it.
   */
  confirmSetupIntent(input: { id: string; paymentMethodId: string; returnUrl?: string; idempotencyKey: string }): Promise<SetupIntentResult>;
  retrievePaymentMethod(id: string): Promise<PaymentMethodResult>;
  /** A PaymentIntent with manual capture, confirmed off-session: a hold on the attendee's saved card. */
  authorize(input: {
    customerId: string;
    paymentMethodId: string;
    amount: number;
    currency: string;
    idempotencyKey: string;
    metadata?: Metadata;
  }): Promise<AuthorizeResult>;
  /** Captures the hold; `amountToCapture` at most the amount authorised (the rest is released). */
  capture(input: { paymentIntentId: string; amountToCapture: number; idempotencyKey: string; metadata?: Metadata }): Promise<PaymentIntentResult>;
  /** Releases a hold (or abandons a PaymentIntent that was never confirmed). */
  cancel(input: {
    paymentIntentId: string;
    idempotencyKey: string;
    reason?: 'duplicate' | 'fraudulent' | 'requested_by_customer' | 'abandoned';
  }): Promise<PaymentIntentResult>;
  refund(input: {
    paymentIntentId: string;
    amount: number;
    idempotencyKey: string;
    reason?: 'duplicate' | 'fraudulent' | 'requested_by_customer';
    metadata?: Metadata;
  }): Promise<RefundResult>;
  retrievePaymentIntent(id: string): Promise<PaymentIntentResult>;
}

export type PaymentErrorCode =
  /** No answer: connection refused or reset, timeout. The call may or may not have taken effect: retry with the same key. */
  | 'payment_provider_unreachable'
  /** The provider answered 5xx. */
  | 'payment_provider_failed'
  | 'payment_rate_limited'
  /** The same key is still being processed at the provider (409). */
  | 'payment_request_in_flight'
  /** The key was used before with other parameters: a bug in how keys are derived. */
  | 'payment_idempotency_conflict'
  | 'payment_not_found'
  /** The request is wrong for the provider or for the object's state (capture more than held, refund twice, …). */
  | 'payment_request_invalid'
  | 'payment_auth_failed'
  /** A card error outside `authorize` (for instance while capturing). */
  | 'payment_declined';

export class PaymentProviderError extends Error {
  override readonly name = 'PaymentProviderError';
  constructor(
    readonly code: PaymentErrorCode,
    message: string,
    readonly details: {
      retryable: boolean;
      status?: number;
      /** The provider's own error code (Stripe's `code`, e.g. `amount_too_large`). */
      providerCode?: string;
      param?: string;
      requestId?: string;
      cause?: unknown;
    },
  ) {
    super(message, { cause: details.cause });
  }

  get retryable(): boolean {
    return this.details.retryable;
  }
}

/**
 * An idempotency key for one attempt of one operation on one thing: `tapline:authorize:<tab>:<attempt>`.
 * Parts must not contain ':' so that two different calls can never produce the same key.
 */
export function idempotencyKey(operation: string, ...parts: Array<string | number>): string {
  for (const p of [operation, ...parts]) {
    if (String(p) === '' || String(p).includes(':')) throw new Error(`idempotency key parts must be non-empty and free of ':' (got "${p}")`);
  }
  const key = ['tapline', operation, ...parts].join(':');
  if (key.length > 255) throw new Error(`idempotency key longer than Stripe's 255 characters: ${key.slice(0, 40)}…`);
  return key;
}
