export { LOCAL_STRIPE_OPERATIONS, LocalStripe, startLocalStripe } from './server.ts';
export type { Fault, FaultAction, LocalStripeOptions, RecordedRequest } from './server.ts';
export { StripeApiError, StripeState } from './state.ts';
export { TEST_CARDS, testCard } from './test-cards.ts';
export type { TestCard, CardDecline } from './test-cards.ts';
export { checkRequest, decodeForm } from './validator.ts';
export { CONTRACTS_DIR, CONTRACT_FILES, contractsAvailable } from './contracts.ts';
