import type { TaxRule } from './taxes.ts';

/** A promotion's share of a line's (or a tab's) discount, minor units. */
export interface PromotionDiscount {
  promotionId: string;
  amount: number;
}

/** Every amount below is in integer minor units of the tab's currency. */
export interface PricedLine {
  index: number;
  productId: string;
  name: string;
  category: string | null;
  quantity: number;
  /** What the terminal recorded. */
  recordedUnitPrice: number;
  /** After the price fix named by `priceFixId`, if one applies. */
  unitPrice: number;
  priceFixId: string | null;
  /** unitPrice × quantity. */
  gross: number;
  /** In the order the promotions were applied. */
  discounts: PromotionDiscount[];
  discount: number;
  /** gross − discount: what the line sells for (tax included when its tax is inclusive). */
  net: number;
  taxBasisPoints: number | null;
  taxMode: TaxRule['mode'] | null;
  tax: number;
  /** net, plus the tax when it is exclusive. */
  total: number;
}

export interface PricedOrder {
  orderId: string;
  terminalId: string;
  seq: number;
  createdAt: string;
  lines: PricedLine[];
  gross: number;
  discount: number;
  net: number;
  tax: number;
  total: number;
  /** Refunds applied to this order (they are taken off the tab's total, not off this order's lines). */
  refunded: number;
  refundIds: string[];
}

export interface UnappliedRefund {
  refundId: string;
  orderId: string;
  /** `unknown_order`: the sale is not (yet) among the tab's facts. `order_voided`: a void already cancels it. */
  reason: 'unknown_order' | 'order_voided';
}

export interface PricedTab {
  currency: string;
  /** The sales that count, by recorded time then id. */
  orders: PricedOrder[];
  voidedOrderIds: string[];
  /** Σ gross of the orders. */
  subtotal: number;
  discounts: number;
  discountsByPromotion: PromotionDiscount[];
  /** subtotal − discounts. */
  net: number;
  /** Tax already inside `net` (inclusive rules). */
  taxIncluded: number;
  /** Tax added on top of `net` (exclusive rules). */
  taxAdded: number;
  tax: number;
  /** net + taxAdded: Σ of the orders' totals. */
  ordersTotal: number;
  tipId: string | null;
  tip: number;
  refunds: number;
  /** ordersTotal + tip − refunds: what the attendee owes. Below zero only when refunds exceed the rest. */
  total: number;
  unappliedRefunds: UnappliedRefund[];
  /** Voids whose sale is not among the tab's facts (it may still be on its way). */
  unmatchedVoidIds: string[];
  /** Products sold on the tab that the catalogue handed in does not know: no category promotion or tax applied. */
  unknownProductIds: string[];
}
