import { assertMinor, MAX_MINOR, minorDigits } from './money.ts';

/*
 * How much the cloud holds on a tab's card. Each hold the cloud places is an authorisation the attendee sees in their
 * banking app, so a tab that outgrows its hold should get room for a good while more, not for one more round.
 *
 * A fixed headroom on top of the tab (the event's hold) renews about once per headroom's worth of drinks: on a big
 * tab that is every other order. Headroom that grows with the tab, max(event's hold, half the tab), makes each new
 * hold at least 1.5 × the total that outgrew the last one, so renewals grow with log₁.₅ of the tab instead of its
 * size. Half, not more: where half sets the headroom, right after a renewal a third of the hold is money the attendee
 * has not spent but cannot use (on a debit card it is their own money, frozen until capture), and a bigger hold is
 * likelier to be declined. bench/hold-renewals.ts compares shares on the chaos run's and a festival's order mix: from a
 * quarter to a half saves about a third of the holds for a tenth more of the hold left unspent; from a half to all of
 * the tab saves a third again but leaves twice as much unspent.
 */

/** The share of the tab total added as headroom when it is more than the event's hold: 5,000 bp = 50 %. */
export const HOLD_GROWTH_BASIS_POINTS = 5_000;

/** Below this no hold is placed: card networks refuse tiny authorisations (Stripe's minimum is 0.50 in most currencies). */
export const MIN_HOLD = 100;

export interface HoldInput {
  /** What the tab owes now, in minor units. */
  total: number;
  /** The event's hold: head office's hold amount, or the offline allowance per band. The least headroom there is. */
  eventHold: number;
  currency: string;
  /** The band's tab limit, if it has one: a tab that cannot grow past it needs no headroom beyond it. */
  tabLimit?: number | null;
  /** Only to compare policies (the bench): the product always uses HOLD_GROWTH_BASIS_POINTS. */
  growthBasisPoints?: number;
}

/** `amount` rounded up to a whole major unit of `currency` (1,234 → 1,300 in EUR; unchanged in JPY). */
export function ceilToMajor(amount: number, currency: string): number {
  const unit = 10n ** BigInt(minorDigits(currency));
  const a = BigInt(assertMinor(amount));
  return Number(((a + unit - 1n) / unit) * unit);
}

/** The headroom above a tab of `total`: the event's hold, or a share of the tab (in whole major units) if more. */
export function holdHeadroom(i: HoldInput): number {
  const bp = BigInt(i.growthBasisPoints ?? HOLD_GROWTH_BASIS_POINTS);
  const share = Number((BigInt(assertMinor(Math.max(0, i.total))) * bp + 9_999n) / 10_000n);
  return Math.max(assertMinor(i.eventHold), ceilToMajor(share, i.currency));
}

/**
 * The amount to hold on a tab that owes `total`: the event's hold before the first sale, then the total plus its
 * headroom. With a tab limit, never more than the limit plus the event's hold (or the total plus the event's hold,
 * should offline sales have taken the tab past its limit). Never less than the total, nor than the old fixed rule
 * (total + event's hold), nor MIN_HOLD.
 */
export function holdFor(i: HoldInput): number {
  const total = Math.max(0, assertMinor(i.total));
  if (total === 0) return Math.max(MIN_HOLD, i.eventHold);
  let hold = total + holdHeadroom(i);
  if (i.tabLimit != null) hold = Math.min(hold, Math.max(i.tabLimit, total) + i.eventHold);
  return Math.max(MIN_HOLD, Math.min(MAX_MINOR, hold));
}
