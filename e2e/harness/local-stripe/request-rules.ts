import { invalid } from './stripe-errors.ts';

/* The checks Stripe makes of amounts, currencies and metadata that its OpenAPI description cannot express. */

/** Stripe's smallest charge per currency (in minor units), for the currencies a venue is likely to use. */
const MINIMUM_AMOUNT: Record<string, number> = { usd: 50, eur: 50, gbp: 30, cad: 50, aud: 50, chf: 50, nzd: 50, sek: 300, nok: 300, dkk: 250 };
const MAXIMUM_AMOUNT = 99_999_999;

export const CANCELABLE = ['requires_payment_method', 'requires_capture', 'requires_confirmation', 'requires_action', 'processing'];

export function metadataFrom(value: unknown, previous: Record<string, string> = {}): Record<string, string> {
  // Stripe: an empty string for `metadata` clears it all, an empty value for one key removes that key.
  if (value === '') return {};
  if (value === undefined) return previous;
  const next: Record<string, string> = { ...previous };
  const entries = Object.entries(value as Record<string, string>);
  if (entries.length > 50) throw invalid('Invalid metadata: You can specify up to 50 keys.', { param: 'metadata' });
  for (const [k, v] of entries) {
    if (k.length > 40) throw invalid(`Invalid metadata: keys can be at most 40 characters long (got '${k}').`, { param: `metadata[${k}]` });
    if (v.length > 500) throw invalid(`Invalid metadata: values can be at most 500 characters long.`, { param: `metadata[${k}]` });
    if (v === '') delete next[k];
    else next[k] = v;
  }
  return next;
}

export function checkAmount(amount: number, currency: string, param: string): void {
  const min = MINIMUM_AMOUNT[currency] ?? 1;
  if (amount < min) {
    throw invalid(`Amount must be at least ${min} ${currency} (in the smallest currency unit).`, { code: 'amount_too_small', param });
  }
  if (amount > MAXIMUM_AMOUNT) throw invalid(`Amount must be no more than ${MAXIMUM_AMOUNT} in the smallest currency unit.`, { code: 'amount_too_large', param });
}

export function currencyOf(value: unknown): string {
  const currency = String(value).toLowerCase();
  if (!/^[a-z]{3}$/.test(currency)) throw invalid(`Invalid currency: ${String(value)}.`, { param: 'currency' });
  return currency;
}
