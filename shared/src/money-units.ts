/**
 * Money is an integer count of the currency's minor unit (cents, pence) plus an ISO 4217 code.
 * Floats never hold money; the only place a fraction is rounded is `divideRounded` below.
 *
 * No imports on purpose: the kiosk's and the console's screens import this file (`@tapline/shared/money-units`), and
 * anything it pulled in would ship in their bundles. The zod schemas for money live in `money.ts`, which re-exports
 * all of this for the runtimes.
 */
export const MAX_MINOR = 1_000_000_000_00; // one billion major units: far past any tab, well inside 2^53

export interface Money {
  amount: number;
  /** An ISO 4217 code such as EUR (checked by the `Currency` schema in money.ts). */
  currency: string;
}

export function assertMinor(amount: number): number {
  if (!Number.isSafeInteger(amount) || Math.abs(amount) > MAX_MINOR) {
    throw new RangeError(`not an amount in minor units: ${amount}`);
  }
  return amount;
}

export function addMinor(...amounts: number[]): number {
  let sum = 0;
  for (const a of amounts) sum += assertMinor(a);
  return assertMinor(sum);
}

export function multiplyMinor(unit: number, quantity: number): number {
  if (!Number.isSafeInteger(quantity)) throw new RangeError(`quantity must be an integer: ${quantity}`);
  return assertMinor(assertMinor(unit) * quantity);
}

/**
 * The project's one rounding rule: numerator / denominator rounded half away from zero
 * (0.5 cent becomes 1 cent, -0.5 becomes -1), computed in BigInt so no float ever sees money.
 */
export function divideRounded(numerator: bigint | number, denominator: bigint | number): number {
  const n = BigInt(numerator);
  const d = BigInt(denominator);
  if (d === 0n) throw new RangeError('division by zero');
  const negative = n < 0n !== d < 0n;
  const an = n < 0n ? -n : n;
  const ad = d < 0n ? -d : d;
  let q = an / ad;
  if ((an % ad) * 2n >= ad) q += 1n;
  return assertMinor(Number(negative ? -q : q));
}

/** `amount` × basis points / 10,000 (1,250 bp = 12.5 %), rounded by the one rule. */
export function applyBasisPoints(amount: number, basisPoints: number): number {
  return divideRounded(BigInt(assertMinor(amount)) * BigInt(basisPoints), 10_000n);
}

const digitsCache = new Map<string, number>();
export function minorDigits(currency: string): number {
  let d = digitsCache.get(currency);
  if (d === undefined) {
    d = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    digitsCache.set(currency, d);
  }
  return d;
}

export function formatMoney(amount: number, currency: string, locale = 'en'): string {
  const digits = minorDigits(currency);
  return new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: digits }).format(
    assertMinor(amount) / 10 ** digits,
  );
}
