import { formatMoney, minorDigits, newId, Tip } from '@tapline/shared';
import type { Db } from '../db/open.ts';
import { HttpError } from '../http/http-error.ts';
import { parseBody } from '../http/parse-body.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { recordTip } from '../services/tab-facts.ts';
import { loadEventPricing, priceStoredBand } from '../services/tab-pricing.ts';
import { lockTabPayment, tipClosedReason } from './tab-page-data.ts';

/** The percentages the page offers, in basis points. */
export const TIP_PERCENTS = [1000, 1500, 2000] as const;

/**
 * The tip the page's form asks for: `choice` is none, a percentage (10, 15, 20) or custom with `amount` in major units
 * ("4.50" or "4,50"). A filled-in amount with no choice is a custom tip (the radio is easy to miss on a phone).
 */
export function tipFromForm(form: Record<string, unknown>, currency: string): Tip['value'] {
  const choice = typeof form.choice === 'string' ? form.choice : '';
  const amountText = typeof form.amount === 'string' ? form.amount.trim() : '';
  if (choice === 'none') return { type: 'amount', currency, amount: 0 };
  const percent = TIP_PERCENTS.find((bp) => String(bp / 100) === choice);
  if (percent !== undefined) return { type: 'percent', basisPoints: percent };
  if (choice === 'custom' || (choice === '' && amountText !== '')) {
    const digits = minorDigits(currency);
    const m = new RegExp(`^(\\d{1,7})(?:[.,](\\d{1,${Math.max(digits, 1)}}))?$`).exec(amountText);
    if (!m || (digits === 0 && m[2] !== undefined)) {
      throw new HttpError(400, 'invalid_body', `amount: enter the tip as an amount such as ${formatMoney(450 * 10 ** Math.max(0, digits - 2), currency)}, digits only.`);
    }
    const minor = Number(m[1]) * 10 ** digits + Number((m[2] ?? '').padEnd(digits, '0') || 0);
    return { type: 'amount', currency, amount: minor };
  }
  throw new HttpError(400, 'invalid_body', 'choice: pick no tip, 10 %, 15 %, 20 % or a custom amount.');
}

/**
 * Records the attendee's tip as a new Tip fact (recordedBy null: the attendee made it) with its tab's recompute, in
 * one transaction that also holds the tab's payment lock: refused once the tab is captured, settled or being captured,
 * and refused above the tab's orders total (a slip of the thumb, not a tip).
 */
export async function setAttendeeTip(
  db: Db,
  queue: Pick<JobQueue, 'enqueueTabsRecompute' | 'enqueueRecalculateEvent'>,
  target: { eventId: string; bandUid: string; currency: string },
  value: unknown,
): Promise<Tip> {
  const tip = parseBody(Tip, {
    id: newId(),
    eventId: target.eventId,
    recordedAt: new Date().toISOString(),
    recordedBy: null,
    kind: 'tip',
    bandUid: target.bandUid,
    value,
  });
  if (tip.value.type === 'amount' && tip.value.currency !== target.currency) {
    throw new HttpError(400, 'invalid_body', `value.currency: this tab is in ${target.currency}, not ${tip.value.currency}.`);
  }
  const { fact } = await recordTip(db, queue, tip, async (tx) => {
    await lockTabPayment(tx, target.eventId, target.bandUid);
    const closed = await tipClosedReason(tx, target.eventId, target.bandUid);
    if (closed) throw new HttpError(409, 'conflict', closed);
    if (tip.value.type === 'amount' && tip.value.amount > 0) {
      const event = (await loadEventPricing(tx, target.eventId))!;
      const ordersTotal = await priceStoredBand(tx, event, target.bandUid).then(
        (p) => p.ordersTotal,
        () => undefined,
      );
      if (ordersTotal !== undefined && tip.value.amount > Math.max(ordersTotal, 0)) {
        throw new HttpError(
          400,
          'invalid_body',
          `amount: a tip of ${formatMoney(tip.value.amount, target.currency)} is more than the ${formatMoney(Math.max(ordersTotal, 0), target.currency)} of orders on this tab.`,
        );
      }
    }
  });
  return fact;
}
