import { z } from 'zod';
import { Id } from '../ids.ts';
import { Currency, NonNegativeMinor } from '../money.ts';
import { BasisPoints, Instant, instantMs, Label } from './schema-parts.ts';

/**
 * Promotions are event configuration made by head office; a tab is priced with the promotions of its event.
 *
 * A promotion's window holds a sale when `from ≤ createdAt < to`, `createdAt` being the time the terminal recorded.
 * Terminal clocks lie, but that recorded value is the same on every recompute, so the price is deterministic; and a
 * happy hour is only defined by time: the alternative, the time the sale reached the hub or cloud, would make a sale
 * queued offline for an hour miss its happy hour for sure.
 *
 * How they stack, in this order, on each sale line after its price fix:
 *  1. `first_drink_free` (per tab, in promotion id order), then `bogo` (per sale): whole units given away;
 *  2. `category_percent`: the best one (most basis points, then smallest id) on the line's units still paid for;
 *  3. `fixed_off` (per sale, in promotion id order): on what is left, spread over the sale's matching lines.
 * Only units with a price above zero can be given away.
 */
export const PromotionWindow = z
  .object({ from: Instant, to: Instant })
  .refine((w) => instantMs(w.from) < instantMs(w.to), { message: 'a window must end after it starts', path: ['to'] });
export type PromotionWindow = z.infer<typeof PromotionWindow>;

const PromotionBase = {
  id: Id,
  eventId: Id,
  name: Label,
};

/** `basisPoints` off every line of `category` sold inside `window` (2,000 bp = 20 % off), rounded per line. */
export const CategoryPercentPromotion = z.object({
  ...PromotionBase,
  kind: z.literal('category_percent'),
  category: Label,
  basisPoints: BasisPoints.min(1),
  window: PromotionWindow,
});

/**
 * Buy one get one free, per sale: the sale's matching units are lined up from dearest to cheapest (equal prices in
 * line order) and every second unit is free. So [7, 7, 5] gives one 7 free and the 5 is paid; [7, 5] gives the 5.
 */
export const BogoPromotion = z.object({
  ...PromotionBase,
  kind: z.literal('bogo'),
  appliesTo: z.union([z.object({ productId: Id }).strict(), z.object({ category: Label }).strict()]),
  window: PromotionWindow.optional(),
});

/**
 * One unit free per tab: the cheapest matching unit of the tab's first matching sale. "First" is by the sale's
 * recorded `createdAt`, then its id, never by arrival: the choice is the same on every recompute whatever order the
 * facts came in. A wrong terminal clock can give the free unit to a later sale than the truly first one; exactly one
 * unit is still free, so the attendee gets what was promised. A late sale recorded earlier, or a void, may move it.
 */
export const FirstDrinkFreePromotion = z.object({
  ...PromotionBase,
  kind: z.literal('first_drink_free'),
  /** Any product when absent. */
  category: Label.optional(),
  window: PromotionWindow.optional(),
});

/**
 * `amount` off every sale whose matching lines still come to at least `minimum` after the other promotions; never
 * more than those lines' net. It is spread over them in proportion to their net, so each line's tax falls with it.
 */
export const FixedOffPromotion = z.object({
  ...PromotionBase,
  kind: z.literal('fixed_off'),
  currency: Currency,
  amount: NonNegativeMinor.min(1),
  minimum: NonNegativeMinor.optional(),
  /** Every line of the sale when absent. */
  category: Label.optional(),
  window: PromotionWindow.optional(),
});

export const Promotion = z.discriminatedUnion('kind', [
  CategoryPercentPromotion,
  BogoPromotion,
  FirstDrinkFreePromotion,
  FixedOffPromotion,
]);
export type Promotion = z.infer<typeof Promotion>;
export type PromotionKind = Promotion['kind'];

export function inWindow(window: PromotionWindow | undefined, at: number): boolean {
  return !window || (instantMs(window.from) <= at && at < instantMs(window.to));
}
