import { fixture, stripeId } from './fixtures.ts';
import type { StripeErrorBody } from './stripe-errors.ts';
import type { ChargeObj, Obj, PaymentIntentObj, PaymentMethodObj } from './stripe-objects.ts';
import type { CardDecline } from './test-cards.ts';

/** The charge a confirmation makes: paid, or failed with the decline's codes (Stripe keeps failed charges too). */
export function newCharge(pi: PaymentIntentObj, pm: PaymentMethodObj, decline: CardDecline | null): ChargeObj {
  const id = stripeId('ch');
  const base = fixture<ChargeObj>('charge', {});
  const charge = fixture<ChargeObj>('charge', {
    id,
    amount: pi.amount,
    amount_captured: 0,
    amount_refunded: 0,
    balance_transaction: null,
    captured: false,
    currency: pi.currency,
    customer: pi.customer,
    description: null,
    failure_code: decline?.code ?? null,
    failure_message: decline?.message ?? null,
    metadata: { ...pi.metadata },
    outcome: decline
      ? { network_status: 'declined_by_network', reason: decline.declineCode, risk_level: 'normal', seller_message: 'The bank did not return any further details with this decline.', type: 'issuer_declined' }
      : { network_status: 'approved_by_network', reason: null, risk_level: 'normal', seller_message: 'Payment complete.', type: 'authorized' },
    paid: !decline,
    payment_intent: pi.id,
    payment_method: pm.id,
    payment_method_details: {
      card: { ...((base.payment_method_details as Obj).card as Obj), brand: pm.card.brand, last4: pm.card.last4, network: pm.card.brand },
      type: 'card',
    },
    receipt_url: null,
    refunded: false,
    refunds: { object: 'list', data: [], has_more: false, url: `/v1/charges/${id}/refunds` },
    status: decline ? 'failed' : 'succeeded',
  });
  return charge;
}

/** The card_error body Stripe answers for a declined card. */
export function cardError(decline: CardDecline, pm: PaymentMethodObj): StripeErrorBody {
  return {
    type: 'card_error',
    code: decline.code,
    decline_code: decline.declineCode,
    message: decline.message,
    doc_url: `https://stripe.com/docs/error-codes/${decline.code.replace(/_/g, '-')}`,
    payment_method: structuredClone(pm),
  };
}
