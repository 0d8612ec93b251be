import { fixture, nowSeconds, stripeId } from './fixtures.ts';
import { cardError, newCharge } from './charges.ts';
import { CANCELABLE, checkAmount, currencyOf, metadataFrom } from './request-rules.ts';
import { invalid, missing, StripeApiError } from './stripe-errors.ts';
import type { ChargeObj, CustomerObj, Obj, Params, PaymentIntentObj, PaymentMethodObj, RefundObj, SetupIntentObj } from './stripe-objects.ts';
import { AUTHENTICATION_REQUIRED, type TestCard, testCard } from './test-cards.ts';

/*
 * The local Stripe's memory: customers, PaymentMethods, SetupIntents, PaymentIntents (with manual capture), charges
 * and refunds, and the rules Stripe applies to them. Requests arrive here already checked against the spec; what is
 * left is what the spec cannot say (does the customer exist, may this PaymentIntent be captured, does the card
 * decline). A refusal is thrown as a StripeApiError carrying the status and body Stripe would answer.
 */

/** The object stored under `id`, or the 404 Stripe answers for an unknown id (`what` as Stripe names it). */
function stored<T>(map: Map<string, T>, id: string, what: string, param: string): T {
  const found = map.get(id);
  if (!found) throw missing(what, id, param);
  return found;
}

export class StripeState {
  readonly customers = new Map<string, CustomerObj>();
  readonly paymentMethods = new Map<string, PaymentMethodObj>();
  readonly setupIntents = new Map<string, SetupIntentObj>();
  readonly paymentIntents = new Map<string, PaymentIntentObj>();
  readonly charges = new Map<string, ChargeObj>();
  readonly refunds = new Map<string, RefundObj>();
  /** Which test card each PaymentMethod was made from: it decides how charges on it go. */
  private readonly cardOf = new Map<string, TestCard>();

  // --- customers -------------------------------------------------------------------------------------------------

  createCustomer(p: Params): CustomerObj {
    const c = fixture<CustomerObj>('customer', {
      id: stripeId('cus', 14),
      email: (p.email as string | undefined) ?? null,
      name: (p.name as string | undefined) ?? null,
      phone: (p.phone as string | undefined) ?? null,
      description: (p.description as string | undefined) ?? null,
      metadata: metadataFrom(p.metadata),
      currency: null,
    });
    this.customers.set(c.id, c);
    return c;
  }

  customer(id: string, param = 'customer'): CustomerObj {
    return stored(this.customers, id, 'customer', param);
  }

  // --- payment methods -------------------------------------------------------------------------------------------

  /** A stored PaymentMethod, or a fresh one made from a test card name as Stripe does. */
  paymentMethod(ref: string, param = 'payment_method'): PaymentMethodObj {
    const stored = this.paymentMethods.get(ref);
    if (stored) return stored;
    const card = testCard(ref);
    if (!card) throw missing('PaymentMethod', ref, param);
    const pm = fixture<PaymentMethodObj>('payment_method', {
      id: stripeId('pm'),
      customer: null,
      metadata: {},
      billing_details: { address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null }, email: null, name: null, phone: null },
      card: {
        ...(fixture<Obj>('payment_method', {}).card as Obj),
        brand: card.brand,
        last4: card.last4,
        funding: card.funding,
        exp_month: 12,
        exp_year: new Date().getUTCFullYear() + 3,
        fingerprint: stripeId('fp', 16).slice(3),
        networks: { available: [card.brand], preferred: null },
      },
    });
    this.paymentMethods.set(pm.id, pm);
    this.cardOf.set(pm.id, card);
    return pm;
  }

  private usablePaymentMethod(ref: string, customerId: string | null): PaymentMethodObj {
    const pm = this.paymentMethod(ref);
    if (pm.customer && !customerId) {
      throw invalid(
        `The provided PaymentMethod ${pm.id} is attached to a Customer; pass that Customer's id as \`customer\` to use it.`,
        { param: 'customer' },
      );
    }
    if (pm.customer && customerId && pm.customer !== customerId) {
      throw invalid(`The provided PaymentMethod ${pm.id} belongs to a different Customer.`, { param: 'payment_method' });
    }
    return pm;
  }

  // --- setup intents ---------------------------------------------------------------------------------------------

  createSetupIntent(p: Params): SetupIntentObj {
    const customer = typeof p.customer === 'string' ? this.customer(p.customer).id : null;
    const pm = typeof p.payment_method === 'string' ? this.usablePaymentMethod(p.payment_method, customer) : null;
    const id = stripeId('seti');
    const si = fixture<SetupIntentObj>('setup_intent', {
      id,
      client_secret: `${id}_secret_${stripeId('x', 32).slice(2)}`,
      customer,
      description: (p.description as string | undefined) ?? null,
      metadata: metadataFrom(p.metadata),
      payment_method: pm?.id ?? null,
      payment_method_types: (p.payment_method_types as string[] | undefined) ?? ['card'],
      automatic_payment_methods: (p.automatic_payment_methods as Obj | undefined) ?? null,
      usage: (p.usage as string | undefined) ?? 'off_session',
      status: pm ? 'requires_confirmation' : 'requires_payment_method',
    });
    this.setupIntents.set(id, si);
    if (p.confirm === true) return this.confirmSetupIntent(id, {});
    return si;
  }

  setupIntent(id: string): SetupIntentObj {
    return stored(this.setupIntents, id, 'setupintent', 'intent');
  }

  confirmSetupIntent(id: string, p: Params): SetupIntentObj {
    const si = this.setupIntent(id);
    if (!['requires_payment_method', 'requires_confirmation', 'requires_action'].includes(si.status)) {
      throw invalid(`You cannot confirm this SetupIntent because it has a status of ${si.status}.`, {
        code: 'setup_intent_unexpected_state',
        setup_intent: si,
      });
    }
    const ref = (p.payment_method as string | undefined) ?? si.payment_method;
    if (!ref) {
      throw invalid("You cannot confirm this SetupIntent because it's missing a payment method.", {
        code: 'setup_intent_unexpected_state',
        param: 'payment_method',
      });
    }
    const pm = this.usablePaymentMethod(ref, si.customer);
    const card = this.cardOf.get(pm.id);
    if (card?.onSetup === 'declined' && card.onCharge) {
      const error = cardError(card.onCharge, pm);
      Object.assign(si, { status: 'requires_payment_method', payment_method: null, last_setup_error: error });
      throw new StripeApiError(402, { ...error, setup_intent: structuredClone(si) });
    }
    if (card?.onSetup === 'requires_action') {
      Object.assign(si, { status: 'requires_action', payment_method: pm.id, next_action: { type: 'use_stripe_sdk', use_stripe_sdk: {} } });
      return si;
    }
    return this.succeedSetup(si, pm);
  }

  /** What Stripe.js does when the attendee completes 3D Secure on a SetupIntent waiting in requires_action. */
  authenticateSetupIntent(id: string): SetupIntentObj {
    const si = this.setupIntent(id);
    if (si.status !== 'requires_action' || !si.payment_method) throw new Error(`SetupIntent ${id} is ${si.status}, not requires_action`);
    return this.succeedSetup(si, this.paymentMethod(si.payment_method));
  }

  private succeedSetup(si: SetupIntentObj, pm: PaymentMethodObj): SetupIntentObj {
    if (si.customer) pm.customer = si.customer;
    Object.assign(si, { status: 'succeeded', payment_method: pm.id, last_setup_error: null, next_action: null });
    return si;
  }

  // --- payment intents -------------------------------------------------------------------------------------------

  createPaymentIntent(p: Params): PaymentIntentObj {
    const currency = currencyOf(p.currency);
    const amount = p.amount as number;
    checkAmount(amount, currency, 'amount');
    if (p.off_session !== undefined && p.confirm !== true) {
      throw invalid('off_session can only be used when confirm=true.', { param: 'off_session' });
    }
    const customer = typeof p.customer === 'string' ? this.customer(p.customer).id : null;
    const pm = typeof p.payment_method === 'string' ? this.usablePaymentMethod(p.payment_method, customer) : null;
    const id = stripeId('pi');
    const pi = fixture<PaymentIntentObj>('payment_intent', {
      id,
      client_secret: `${id}_secret_${stripeId('x', 25).slice(2)}`,
      amount,
      amount_capturable: 0,
      amount_received: 0,
      canceled_at: null,
      cancellation_reason: null,
      capture_method: (p.capture_method as string | undefined) ?? 'automatic',
      confirmation_method: (p.confirmation_method as string | undefined) ?? 'automatic',
      currency,
      customer,
      description: (p.description as string | undefined) ?? null,
      metadata: metadataFrom(p.metadata),
      payment_method: pm?.id ?? null,
      payment_method_types: (p.payment_method_types as string[] | undefined) ?? ['card'],
      automatic_payment_methods: (p.automatic_payment_methods as Obj | undefined) ?? null,
      receipt_email: (p.receipt_email as string | undefined) ?? null,
      setup_future_usage: (p.setup_future_usage as string | undefined) ?? null,
      statement_descriptor: (p.statement_descriptor as string | undefined) ?? null,
      statement_descriptor_suffix: (p.statement_descriptor_suffix as string | undefined) ?? null,
      status: pm ? 'requires_confirmation' : 'requires_payment_method',
    });
    this.paymentIntents.set(id, pi);
    if (p.confirm === true) return this.confirmPaymentIntent(pi, p.off_session !== undefined && p.off_session !== false);
    return pi;
  }

  paymentIntent(id: string): PaymentIntentObj {
    return stored(this.paymentIntents, id, 'payment_intent', 'intent');
  }

  private confirmPaymentIntent(pi: PaymentIntentObj, offSession: boolean): PaymentIntentObj {
    if (!pi.payment_method) {
      throw invalid("You cannot confirm this PaymentIntent because it's missing a payment method.", {
        code: 'payment_intent_unexpected_state',
        param: 'payment_method',
        payment_intent: structuredClone(pi),
      });
    }
    const pm = this.paymentMethod(pi.payment_method);
    const card = this.cardOf.get(pm.id);
    if (card?.alwaysAuthenticate && !offSession) {
      Object.assign(pi, { status: 'requires_action', next_action: { type: 'use_stripe_sdk', use_stripe_sdk: {} } });
      return pi;
    }
    const decline = card?.onCharge ?? (card?.alwaysAuthenticate ? AUTHENTICATION_REQUIRED : null);
    const charge = newCharge(pi, pm, decline);
    this.charges.set(charge.id, charge);
    pi.latest_charge = charge.id;
    if (decline) {
      const error = { ...cardError(decline, pm), charge: charge.id };
      // A failed confirmation leaves the PaymentIntent waiting for another payment method.
      Object.assign(pi, { status: 'requires_payment_method', payment_method: null, last_payment_error: error });
      throw new StripeApiError(402, { ...error, payment_intent: structuredClone(pi) });
    }
    if (pi.capture_method === 'manual') {
      Object.assign(pi, { status: 'requires_capture', amount_capturable: pi.amount, last_payment_error: null });
    } else {
      Object.assign(pi, { status: 'succeeded', amount_received: pi.amount, last_payment_error: null });
      Object.assign(charge, { captured: true, amount_captured: pi.amount });
    }
    return pi;
  }

  capturePaymentIntent(id: string, p: Params): PaymentIntentObj {
    const pi = this.paymentIntent(id);
    if (pi.status !== 'requires_capture') {
      throw invalid(
        `This PaymentIntent could not be captured because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`,
        { code: 'payment_intent_unexpected_state', payment_intent: structuredClone(pi) },
      );
    }
    const amount = (p.amount_to_capture as number | undefined) ?? pi.amount_capturable;
    if (amount > pi.amount_capturable) {
      throw invalid(`The amount to capture (${amount}) is greater than the amount capturable (${pi.amount_capturable}).`, {
        code: 'amount_too_large',
        param: 'amount_to_capture',
      });
    }
    checkAmount(amount, pi.currency, 'amount_to_capture');
    const charge = pi.latest_charge ? this.charges.get(pi.latest_charge) : undefined;
    if (charge) Object.assign(charge, { captured: true, amount_captured: amount });
    // A partial capture releases the rest of the hold: Stripe captures once.
    Object.assign(pi, { status: 'succeeded', amount_received: amount, amount_capturable: 0, metadata: metadataFrom(p.metadata, pi.metadata) });
    return pi;
  }

  cancelPaymentIntent(id: string, p: Params): PaymentIntentObj {
    const pi = this.paymentIntent(id);
    if (!CANCELABLE.includes(pi.status)) {
      throw invalid(
        `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be canceled: ${CANCELABLE.join(', ')}.`,
        { code: 'payment_intent_unexpected_state', payment_intent: structuredClone(pi) },
      );
    }
    Object.assign(pi, {
      status: 'canceled',
      amount_capturable: 0,
      canceled_at: nowSeconds(),
      cancellation_reason: (p.cancellation_reason as string | undefined) ?? null,
    });
    return pi;
  }

  /** What Stripe does when a hold passes its capture window (7 days for most online card payments). */
  expireAuthorization(id: string): PaymentIntentObj {
    const pi = this.paymentIntent(id);
    if (pi.status !== 'requires_capture') throw new Error(`PaymentIntent ${id} is ${pi.status}, not requires_capture`);
    return Object.assign(pi, { status: 'canceled', amount_capturable: 0, canceled_at: nowSeconds(), cancellation_reason: 'automatic' });
  }

  // --- refunds (charges are made in charges.ts) -----------------------------------------------------------------

  createRefund(p: Params): RefundObj {
    let charge: ChargeObj | undefined;
    let pi: PaymentIntentObj | undefined;
    if (typeof p.payment_intent === 'string') {
      pi = this.paymentIntent(p.payment_intent);
      if (pi.status !== 'succeeded' || !pi.latest_charge) {
        throw invalid(`This PaymentIntent (${pi.id}) does not have a successful charge to refund.`, { param: 'payment_intent' });
      }
      charge = this.charges.get(pi.latest_charge);
    } else if (typeof p.charge === 'string') {
      charge = this.charges.get(p.charge);
      if (!charge) throw missing('charge', p.charge, 'charge');
    } else {
      throw invalid('One of the following params should be provided for this request: payment_intent or charge.', { code: 'parameter_missing' });
    }
    if (!charge) throw invalid('There is no charge to refund.', { param: 'payment_intent' });
    const remaining = charge.amount_captured - charge.amount_refunded;
    if (remaining <= 0) throw invalid(`Charge ${charge.id} has already been refunded.`, { code: 'charge_already_refunded' });
    const amount = (p.amount as number | undefined) ?? remaining;
    if (amount < 1) throw invalid('Invalid positive integer', { param: 'amount' });
    if (amount > remaining) {
      throw invalid(`Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining})`, { code: 'amount_too_large', param: 'amount' });
    }
    const refund = fixture<RefundObj>('refund', {
      id: stripeId('re'),
      amount,
      charge: charge.id,
      currency: charge.currency as string,
      metadata: metadataFrom(p.metadata),
      payment_intent: (charge.payment_intent as string | null) ?? null,
      reason: (p.reason as string | undefined) ?? null,
      status: 'succeeded',
    });
    this.refunds.set(refund.id, refund);
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded === charge.amount_captured;
    charge.refunds.data.unshift(refund);
    return refund;
  }

  refund(id: string): RefundObj {
    return stored(this.refunds, id, 'refund', 'refund');
  }

  /** Replaces the ids named in `expand` (top-level fields only) by the objects they name, as Stripe does. */
  expand(obj: Obj, fields: unknown): Obj {
    if (!Array.isArray(fields) || fields.length === 0) return obj;
    const out: Obj = { ...obj };
    for (const field of fields as string[]) {
      if (field.includes('.')) throw invalid(`The local Stripe expands top-level fields only, not ${field}.`, { param: 'expand' });
      const value = out[field];
      if (value === undefined) throw invalid(`This property cannot be expanded (${field}).`, { param: 'expand' });
      if (typeof value !== 'string') continue;
      out[field] = this.lookup(value) ?? value;
    }
    return out;
  }

  private lookup(id: string): Obj | undefined {
    const prefix = id.slice(0, id.indexOf('_'));
    const table: Record<string, Map<string, Obj>> = {
      cus: this.customers,
      pm: this.paymentMethods,
      seti: this.setupIntents,
      pi: this.paymentIntents,
      ch: this.charges,
      re: this.refunds,
    };
    return table[prefix]?.get(id);
  }
}
