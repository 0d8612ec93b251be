/*
 * The test PaymentMethods that Stripe's testing docs name, with what Stripe does with each. Stripe accepts these
 * strings wherever a PaymentMethod id goes and makes a fresh PaymentMethod from them, so the local Stripe does too.
 */

export interface CardDecline {
  /** The error's `code`: card_declined for most, a specific one for expired/cvc/processing/authentication. */
  code: string;
  declineCode: string;
  message: string;
}

export interface TestCard {
  brand: string;
  last4: string;
  funding: 'credit' | 'debit';
  /** What a SetupIntent confirmed with this card does: succeed, decline, or ask the attendee to authenticate. */
  onSetup: 'succeeded' | 'declined' | 'requires_action';
  /** A charge (PaymentIntent confirmation) declines with this, or goes through when null. */
  onCharge: CardDecline | null;
  /** Off-session charges decline with authentication_required; on-session ones wait in requires_action. */
  alwaysAuthenticate?: boolean;
}

const declined = (declineCode: string, message = 'Your card was declined.', code = 'card_declined'): CardDecline => ({
  code,
  declineCode,
  message,
});

const GENERIC = declined('generic_decline');
const INSUFFICIENT = declined('insufficient_funds', 'Your card has insufficient funds.');
const LOST = declined('lost_card');
const STOLEN = declined('stolen_card');
const FRAUD = declined('fraudulent');
const EXPIRED = declined('expired_card', 'Your card has expired.', 'expired_card');
const CVC = declined('incorrect_cvc', "Your card's security code is incorrect.", 'incorrect_cvc');
const PROCESSING = declined('processing_error', 'An error occurred while processing your card. Try again in a little bit.', 'processing_error');
const VELOCITY = declined('card_velocity_exceeded');
export const AUTHENTICATION_REQUIRED: CardDecline = declined(
  'authentication_required',
  'Your card was declined. This transaction requires authentication.',
  'authentication_required',
);

const ok = (brand: string, last4: string, funding: 'credit' | 'debit' = 'credit'): TestCard => ({
  brand,
  last4,
  funding,
  onSetup: 'succeeded',
  onCharge: null,
});
const declines = (last4: string, decline: CardDecline): TestCard => ({
  brand: 'visa',
  last4,
  funding: 'credit',
  onSetup: 'declined',
  onCharge: decline,
});

export const TEST_CARDS: Readonly<Record<string, TestCard>> = {
  pm_card_visa: ok('visa', '4242'),
  pm_card_visa_debit: ok('visa', '5556', 'debit'),
  pm_card_mastercard: ok('mastercard', '4444'),
  pm_card_mastercard_debit: ok('mastercard', '8210', 'debit'),
  pm_card_amex: ok('amex', '8431'),
  pm_card_discover: ok('discover', '1117'),
  pm_card_diners: ok('diners', '0004'),
  pm_card_jcb: ok('jcb', '0505'),
  pm_card_unionpay: ok('unionpay', '0005'),
  pm_card_chargeDeclined: declines('0002', GENERIC),
  pm_card_visa_chargeDeclined: declines('0002', GENERIC),
  pm_card_chargeDeclinedInsufficientFunds: declines('9995', INSUFFICIENT),
  pm_card_visa_chargeDeclinedInsufficientFunds: declines('9995', INSUFFICIENT),
  pm_card_chargeDeclinedLostCard: declines('9987', LOST),
  pm_card_visa_chargeDeclinedLostCard: declines('9987', LOST),
  pm_card_chargeDeclinedStolenCard: declines('9979', STOLEN),
  pm_card_visa_chargeDeclinedStolenCard: declines('9979', STOLEN),
  pm_card_chargeDeclinedFraudulent: declines('0019', FRAUD),
  pm_card_visa_chargeDeclinedFraudulent: declines('0019', FRAUD),
  pm_card_chargeDeclinedExpiredCard: declines('0069', EXPIRED),
  pm_card_visa_chargeDeclinedExpiredCard: declines('0069', EXPIRED),
  pm_card_chargeDeclinedIncorrectCvc: declines('0127', CVC),
  pm_card_visa_chargeDeclinedIncorrectCvc: declines('0127', CVC),
  pm_card_chargeDeclinedProcessingError: declines('0119', PROCESSING),
  pm_card_visa_chargeDeclinedProcessingError: declines('0119', PROCESSING),
  pm_card_visa_chargeDeclinedVelocityLimitExceeded: declines('6975', VELOCITY),
  // Saving this card works; every charge on it afterwards is declined: the realistic "declined at the sweep" card.
  pm_card_chargeCustomerFail: { brand: 'visa', last4: '0341', funding: 'credit', onSetup: 'succeeded', onCharge: GENERIC },
  pm_card_visa_chargeCustomerFail: { brand: 'visa', last4: '0341', funding: 'credit', onSetup: 'succeeded', onCharge: GENERIC },
  pm_card_authenticationRequired: {
    brand: 'visa',
    last4: '3184',
    funding: 'credit',
    onSetup: 'requires_action',
    onCharge: null,
    alwaysAuthenticate: true,
  },
  // Asks for authentication when saved; charges off-session afterwards go through.
  pm_card_authenticationRequiredOnSetup: {
    brand: 'visa',
    last4: '3155',
    funding: 'credit',
    onSetup: 'requires_action',
    onCharge: null,
  },
};

export function testCard(paymentMethod: string): TestCard | undefined {
  return Object.hasOwn(TEST_CARDS, paymentMethod) ? TEST_CARDS[paymentMethod] : undefined;
}
