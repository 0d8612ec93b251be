import { formatMoney } from '@tapline/shared/money-units';

/** Money as the bartender reads it; the renderer never formats an amount any other way. */
export function money(amount: number, currency: string): string {
  return formatMoney(amount, currency);
}
