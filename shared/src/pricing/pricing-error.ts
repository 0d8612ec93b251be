/** Why a tab could not be priced; `code` is for programs, `message` is a sentence for people. */
export type PricingErrorCode =
  | 'conflicting_fact' // two facts share an id but not their content
  | 'currency_mismatch' // a fact or promotion is in another currency than the tab
  | 'duplicate_config'; // two promotions share an id, or two tax rules a category

export class PricingError extends Error {
  constructor(
    readonly code: PricingErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PricingError';
  }
}
