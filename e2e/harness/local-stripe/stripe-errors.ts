/** Stripe's error bodies, and the two refusals the local Stripe throws most: a bad parameter and an unknown id. */

export interface StripeErrorBody {
  type: 'invalid_request_error' | 'card_error' | 'api_error' | 'idempotency_error' | 'authentication_error';
  message: string;
  code?: string;
  param?: string;
  decline_code?: string;
  [key: string]: unknown;
}

export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: StripeErrorBody,
  ) {
    super(error.message);
  }
}

export const invalid = (message: string, extra: Partial<StripeErrorBody> = {}, status = 400) =>
  new StripeApiError(status, { type: 'invalid_request_error', message, ...extra });

export const missing = (what: string, id: string, param: string) =>
  invalid(`No such ${what}: '${id}'`, { code: 'resource_missing', param, doc_url: 'https://stripe.com/docs/error-codes/resource-missing' }, 404);
