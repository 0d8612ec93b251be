/*
 * A tab's card, from hold to capture, and back for a refund after it; one Stripe call at a time:
 *
 *   tab-payments-attempts.ts  the attempt protocol (a row committed before each Stripe call), the tab's payment row
 *   tab-payments-owed.ts      what the tab owes (priced from its facts) and what its card has paid
 *   tab-payments-holds.ts     holds placed, renewed and released before and during the event
 *   tab-payments-capture.ts   the capture after the event
 *   tab-payments-refunds.ts   head office's refunds against a capture in flight or done
 */
export { REPLAY_WINDOW_HOURS, tabRef, type TabKey, type TabPaymentDeps } from './tab-payments-attempts.ts';
export { authorizeHold, authorizeTab, type HoldOutcome, releaseSupersededHolds } from './tab-payments-holds.ts';
export { captureTab, type CaptureOutcome } from './tab-payments-capture.ts';
export { admitRefund, CHARGING_NOW } from './tab-payments-refunds.ts';
