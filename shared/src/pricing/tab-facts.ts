import { z } from 'zod';
import { BandUid } from '../band-uid.ts';
import { Id, UuidV7 } from '../ids.ts';
import { Currency, NonNegativeMinor } from '../money.ts';
import { BasisPoints, Instant, Reason } from './schema-parts.ts';

/**
 * Facts made in the cloud (head office, or the attendee's tab page) about orders the terminals made. Like a void,
 * each is a new immutable fact that references what it corrects; nothing already recorded is edited. The terminals'
 * `OrderFact` wire schema is untouched: these never travel down to a venue.
 *
 * `recordedAt` is the cloud's clock, the one clock that stamps these facts, so it may order them (unlike a terminal's
 * `createdAt`); ties are broken by `id`.
 */
const CloudFactBase = {
  id: UuidV7,
  eventId: Id,
  recordedAt: Instant,
  /** The head-office user who made it; null when the attendee did (a tip on the tab page). */
  recordedBy: Id.nullable(),
};

/** Money given back on one order. It is not capped by the order's price: the console checks that before recording. */
export const Refund = z.object({
  ...CloudFactBase,
  kind: z.literal('refund'),
  refundsOrderId: UuidV7,
  currency: Currency,
  amount: NonNegativeMinor.min(1),
  reason: Reason,
});
export type Refund = z.infer<typeof Refund>;

/**
 * The tip on a band's tab. A tab has one tip: the latest tip fact (by `recordedAt`, then `id`) replaces the earlier
 * ones, so "adjust the tip" is a new fact and `{ type: 'amount', amount: 0 }` removes it.
 */
export const Tip = z.object({
  ...CloudFactBase,
  kind: z.literal('tip'),
  bandUid: BandUid,
  value: z.discriminatedUnion('type', [
    z.object({ type: z.literal('amount'), currency: Currency, amount: NonNegativeMinor }),
    /** A share of the tab's orders total (after discounts, with tax), rounded by the one rule. */
    z.object({ type: z.literal('percent'), basisPoints: BasisPoints }),
  ]),
});
export type Tip = z.infer<typeof Tip>;

/**
 * "Product P was sold at `fromUnitPrice`, it should have been `toUnitPrice`": one fact that reprices every matching
 * line of every sale of the event, past and still to arrive (each band's tab is recomputed from it).
 *
 * A line matches by the unit price the terminal recorded, never by a previous fix, so fixes do not chain: to correct
 * a fix, record a newer fix from the same recorded price. When several fixes match a line, the latest (by
 * `recordedAt`, then `id`) wins. `orderIds` narrows a fix to named sales; terminal clocks lie, so there is no time
 * window.
 */
export const PriceFix = z
  .object({
    ...CloudFactBase,
    kind: z.literal('price_fix'),
    productId: Id,
    currency: Currency,
    fromUnitPrice: NonNegativeMinor,
    toUnitPrice: NonNegativeMinor,
    orderIds: z.array(UuidV7).min(1).max(10_000).optional(),
    reason: Reason,
  })
  .refine((f) => f.fromUnitPrice !== f.toUnitPrice, {
    message: 'a price fix must change the price',
    path: ['toUnitPrice'],
  });
export type PriceFix = z.infer<typeof PriceFix>;

export const TabFact = z.discriminatedUnion('kind', [Refund, Tip, PriceFix]);
export type TabFact = z.infer<typeof TabFact>;
