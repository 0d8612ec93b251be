import { assertMinor, minorDigits } from '@tapline/shared';

/**
 * Minor units as a plain decimal in the currency's own digits, for files people and spreadsheets read: 1100 EUR is
 * "11.00", -50 EUR is "-0.50", 1100 JPY is "1100". Exact: no float ever holds the amount.
 */
export function decimalAmount(amount: number, currency: string): string {
  const digits = minorDigits(currency);
  const negative = assertMinor(amount) < 0;
  const text = BigInt(Math.abs(amount)).toString().padStart(digits + 1, '0');
  const whole = digits ? text.slice(0, -digits) : text;
  return `${negative ? '-' : ''}${whole}${digits ? `.${text.slice(-digits)}` : ''}`;
}
