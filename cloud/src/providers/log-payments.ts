import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import {
  type AuthorizeResult,
  type Metadata,
  type PaymentIntentResult,
  type PaymentMethodResult,
  type PaymentProvider,
  PaymentProviderError,
  type RefundResult,
  type SetupIntentResult,
} from './payments.ts';

/*
 * The demo's payment provider: no Stripe account, no network. Every call is written to the log and answered the way a
 * successful Stripe would, with ids derived from the idempotency key, so a replayed call (a worker retrying after a
 * crash) gets the same ids even after a restart. Nothing declines and no money moves.
 *
 * PaymentIntents live in memory for the process's life; a capture, cancel or refund of one this process has not
 * seen (made before a restart) is answered from its own arguments.
 */

const DEMO_CARD = { brand: 'visa', last4: '4242', expMonth: 12, expYear: 2099 } as const;

function derivedId(prefix: string, seed: string): string {
  return `${prefix}_log_${createHash('sha256').update(seed).digest('hex').slice(0, 24)}`;
}

/** Stripe's test PaymentMethod names the demo's card form offers; a declining one shows the failure and retry. */
const LOG_TEST_CARDS: Record<string, { brand: string; last4: string; decline?: { code: string; declineCode: string; message: string } }> = {
  pm_card_visa: { brand: 'visa', last4: '4242' },
  pm_card_mastercard: { brand: 'mastercard', last4: '4444' },
  pm_card_chargeDeclined: {
    brand: 'visa',
    last4: '0002',
    decline: { code: 'card_declined', declineCode: 'generic_decline', message: 'Your card was declined.' },
  },
  pm_card_chargeDeclinedInsufficientFunds: {
    brand: 'visa',
    last4: '9995',
    decline: { code: 'card_declined', declineCode: 'insufficient_funds', message: 'Your card has insufficient funds.' },
  },
};

const nowSeconds = () => Math.floor(Date.now() / 1000);

export class LogPayments implements PaymentProvider {
  readonly kind = 'log' as const;
  /** No Stripe account: the card page offers the demo's test cards, which never move money. */
  readonly cardCollection = { kind: 'test-cards' } as const;
  private readonly intents = new Map<string, PaymentIntentResult>();
  /** SetupIntents this process made, as the demo's test-card form leaves them. */
  private readonly setups = new Map<string, SetupIntentResult>();
  /** Which test card each PaymentMethod the demo saved came from. */
  private readonly cards = new Map<string, { brand: string; last4: string }>();
  /** First answer per idempotency key, with what was asked, like Stripe's replay. */
  private readonly answers = new Map<string, { request: string; answer: unknown }>();

  constructor(private readonly log: Logger) {}

  /** Replays the first answer for a key; a key reused with other arguments is refused as Stripe refuses it. */
  private once<T>(operation: string, idempotencyKey: string, args: unknown, make: () => T): T {
    const request = JSON.stringify([operation, args]);
    const seen = this.answers.get(idempotencyKey);
    if (seen) {
      if (seen.request !== request) {
        throw new PaymentProviderError(
          'payment_idempotency_conflict',
          `The log payment provider refused to ${operation}: idempotency key ${idempotencyKey} was already used for a different request.`,
          { retryable: false },
        );
      }
      this.log.info({ provider: 'log', operation, idempotencyKey, replayed: true }, `payments (log): ${operation} replayed`);
      return structuredClone(seen.answer) as T;
    }
    const answer = make();
    this.answers.set(idempotencyKey, { request, answer: structuredClone(answer) });
    this.log.info({ provider: 'log', operation, idempotencyKey, args, answer }, `payments (log): ${operation}`);
    return answer;
  }

  async createCustomer(input: { email?: string; name?: string; phone?: string; metadata?: Metadata; idempotencyKey: string }): Promise<{ id: string }> {
    const { idempotencyKey, ...args } = input;
    return this.once('create a customer', idempotencyKey, args, () => ({ id: derivedId('cus', idempotencyKey) }));
  }

  async createSetupIntent(input: { customerId: string; metadata?: Metadata; idempotencyKey: string }): Promise<SetupIntentResult> {
    const { idempotencyKey, ...args } = input;
    const made = this.once('create a SetupIntent', idempotencyKey, args, () => {
      const id = derivedId('seti', idempotencyKey);
      return {
        id,
        status: 'requires_payment_method' as const,
        customerId: input.customerId,
        paymentMethodId: null,
        clientSecret: `${id}_secret_log`,
        lastDecline: null,
      };
    });
    if (!this.setups.has(made.id)) this.setups.set(made.id, structuredClone(made));
    return structuredClone(this.setups.get(made.id)!);
  }

  /**
   * A SetupIntent this process made answers its real state (the demo's test-card form confirms it). One made before a
   * restart is forgotten: it waits for a card again (a card already saved is on the attendee, which is never re-read).
   */
  async retrieveSetupIntent(id: string): Promise<SetupIntentResult> {
    const answer = structuredClone(this.setup(id));
    this.log.info({ provider: 'log', operation: 'read a SetupIntent', id, status: answer.status }, 'payments (log): read a SetupIntent');
    return answer;
  }

  private setup(id: string): SetupIntentResult {
    let si = this.setups.get(id);
    if (!si) {
      si = { id, status: 'requires_payment_method', customerId: null, paymentMethodId: null, clientSecret: `${id}_secret_log`, lastDecline: null };
      this.setups.set(id, si);
    }
    return si;
  }

  /** The demo's test cards (Stripe's test PaymentMethod names): nothing else is accepted, and no real card ever is. */
  async confirmSetupIntent(input: { id: string; paymentMethodId: string; returnUrl?: string; idempotencyKey: string }): Promise<SetupIntentResult> {
    const { idempotencyKey, ...args } = input;
    return this.once('confirm a SetupIntent', idempotencyKey, args, () => {
      const si = this.setup(input.id);
      if (si.status === 'succeeded') {
        throw new PaymentProviderError('payment_request_invalid', `SetupIntent ${input.id} has already succeeded.`, { retryable: false });
      }
      const card = LOG_TEST_CARDS[input.paymentMethodId];
      if (!card) {
        throw new PaymentProviderError('payment_request_invalid', `The log payment provider only accepts its test cards (${Object.keys(LOG_TEST_CARDS).join(', ')}).`, {
          retryable: false,
          param: 'payment_method',
        });
      }
      if (card.decline) {
        Object.assign(si, { status: 'requires_payment_method', paymentMethodId: null, lastDecline: { ...card.decline } });
      } else {
        const pmId = derivedId('pm', `${input.id}:${input.paymentMethodId}`);
        this.cards.set(pmId, { brand: card.brand, last4: card.last4 });
        Object.assign(si, { status: 'succeeded', paymentMethodId: pmId, lastDecline: null });
      }
      return structuredClone(si);
    });
  }

  async retrievePaymentMethod(id: string): Promise<PaymentMethodResult> {
    const answer: PaymentMethodResult = { id, customerId: null, ...DEMO_CARD, ...this.cards.get(id) };
    this.log.info({ provider: 'log', operation: 'read a PaymentMethod', id }, 'payments (log): read a PaymentMethod');
    return answer;
  }

  async authorize(input: {
    customerId: string;
    paymentMethodId: string;
    amount: number;
    currency: string;
    idempotencyKey: string;
    metadata?: Metadata;
  }): Promise<AuthorizeResult> {
    const { idempotencyKey, ...args } = input;
    return this.once('authorise', idempotencyKey, args, () => {
      const intent: PaymentIntentResult = {
        id: derivedId('pi', idempotencyKey),
        status: 'requires_capture',
        amount: input.amount,
        amountCapturable: input.amount,
        amountReceived: 0,
        currency: input.currency.toLowerCase(),
        customerId: input.customerId,
        paymentMethodId: input.paymentMethodId,
        created: nowSeconds(),
        cancellationReason: null,
        metadata: { ...input.metadata },
        lastDecline: null,
      };
      this.intents.set(intent.id, intent);
      return { outcome: 'authorized' as const, intent: structuredClone(intent) };
    });
  }

  private intent(id: string, fallbackAmount: number): PaymentIntentResult {
    return (
      this.intents.get(id) ?? {
        id,
        status: 'requires_capture',
        amount: fallbackAmount,
        amountCapturable: fallbackAmount,
        amountReceived: 0,
        currency: 'usd',
        customerId: null,
        paymentMethodId: null,
        created: nowSeconds(),
        cancellationReason: null,
        metadata: {},
        lastDecline: null,
      }
    );
  }

  async capture(input: { paymentIntentId: string; amountToCapture: number; idempotencyKey: string; metadata?: Metadata }): Promise<PaymentIntentResult> {
    const { idempotencyKey, ...args } = input;
    return this.once('capture', idempotencyKey, args, () => {
      const pi = this.intent(input.paymentIntentId, input.amountToCapture);
      if (pi.status !== 'requires_capture' || input.amountToCapture > pi.amountCapturable) {
        throw new PaymentProviderError(
          'payment_request_invalid',
          `The log payment provider cannot capture ${input.amountToCapture} on ${pi.id}: it is ${pi.status} with ${pi.amountCapturable} capturable.`,
          { retryable: false },
        );
      }
      Object.assign(pi, { status: 'succeeded', amountReceived: input.amountToCapture, amountCapturable: 0, metadata: { ...pi.metadata, ...input.metadata } });
      this.intents.set(pi.id, pi);
      return structuredClone(pi);
    });
  }

  async cancel(input: {
    paymentIntentId: string;
    idempotencyKey: string;
    reason?: 'duplicate' | 'fraudulent' | 'requested_by_customer' | 'abandoned';
  }): Promise<PaymentIntentResult> {
    const { idempotencyKey, ...args } = input;
    return this.once('cancel', idempotencyKey, args, () => {
      const pi = this.intent(input.paymentIntentId, 0);
      Object.assign(pi, { status: 'canceled', amountCapturable: 0, cancellationReason: input.reason ?? null });
      this.intents.set(pi.id, pi);
      return structuredClone(pi);
    });
  }

  async refund(input: {
    paymentIntentId: string;
    amount: number;
    idempotencyKey: string;
    reason?: 'duplicate' | 'fraudulent' | 'requested_by_customer';
    metadata?: Metadata;
  }): Promise<RefundResult> {
    const { idempotencyKey, ...args } = input;
    return this.once('refund', idempotencyKey, args, () => ({
      id: derivedId('re', idempotencyKey),
      status: 'succeeded' as const,
      amount: input.amount,
      currency: this.intents.get(input.paymentIntentId)?.currency ?? 'usd',
      paymentIntentId: input.paymentIntentId,
    }));
  }

  async retrievePaymentIntent(id: string): Promise<PaymentIntentResult> {
    const pi = this.intents.get(id);
    if (!pi) {
      throw new PaymentProviderError('payment_not_found', `The log payment provider has no PaymentIntent ${id} (it keeps them in memory only).`, {
        retryable: false,
      });
    }
    return structuredClone(pi);
  }
}
