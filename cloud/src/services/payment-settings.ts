import type { Event } from '@tapline/shared';
import { eq } from 'drizzle-orm';
import type { Queryable } from '../db/open.ts';
import { eventPaymentSettings, events } from '../db/schema.ts';

/** How the payment sweepers behave, for every event (start options; env in main.ts). */
export interface PaymentSettings {
  /** Holds are placed this long before an event starts (TAPLINE_AUTH_LEAD_HOURS). */
  authLeadHours: number;
  /**
   * Tabs are captured this long after an event ends (TAPLINE_CAPTURE_DELAY_HOURS): time for a hub that was cut off to
   * upload its last sales, and for tips and refunds.
   */
  captureDelayHours: number;
  /** How long a card hold lasts at Stripe: 7 days from its creation for online card payments. */
  holdLifetimeHours: number;
  /** A hold this close to the end of its life is replaced by a new one. */
  renewBeforeHours: number;
  /** How often the payment sweeper runs (TAPLINE_PAYMENTS_SWEEP_SECONDS); 0 turns it off. */
  sweepIntervalSeconds: number;
  /** Events that ended longer ago than this are no longer swept. */
  captureWindowDays: number;
}

export const DEFAULT_PAYMENT_SETTINGS: PaymentSettings = {
  authLeadHours: 24,
  captureDelayHours: 6,
  holdLifetimeHours: 7 * 24,
  renewBeforeHours: 24,
  sweepIntervalSeconds: 60,
  captureWindowDays: 30,
};

/**
 * The event's hold: what is held on each card before anyone has bought anything, and the least headroom kept above
 * the tab after (the amounts: `holdFor` in shared/src/hold-policy.ts). Head office's `holdAmount` for the event when
 * set, otherwise the event's `offlineBandAllowance` (what a band may spend while its terminal cannot ask anyone,
 * i.e. the venue's exposure before the cloud hears of a sale).
 */
export async function eventHoldAmount(db: Queryable, eventId: string): Promise<{ amount: number; currency: string } | undefined> {
  const [row] = await db
    .select({ data: events.data, currency: events.currency, holdAmount: eventPaymentSettings.holdAmount })
    .from(events)
    .leftJoin(eventPaymentSettings, eq(eventPaymentSettings.eventId, events.id))
    .where(eq(events.id, eventId));
  if (!row) return undefined;
  const data = row.data as Event;
  return { amount: row.holdAmount ?? data.offlineBandAllowance, currency: row.currency };
}
