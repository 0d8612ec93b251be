/** The resources the local Stripe keeps, typed only in the fields its rules read; the rest is Stripe's example. */

export type Params = Record<string, unknown>;
export type Obj = Record<string, unknown>;

export interface CustomerObj extends Obj {
  id: string;
}
export interface PaymentMethodObj extends Obj {
  id: string;
  customer: string | null;
  card: Obj & { brand: string; last4: string };
}
export interface SetupIntentObj extends Obj {
  id: string;
  status: string;
  customer: string | null;
  payment_method: string | null;
}
export interface PaymentIntentObj extends Obj {
  id: string;
  status: string;
  amount: number;
  amount_capturable: number;
  amount_received: number;
  currency: string;
  capture_method: string;
  customer: string | null;
  payment_method: string | null;
  latest_charge: string | null;
  metadata: Record<string, string>;
}
export interface ChargeObj extends Obj {
  id: string;
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  captured: boolean;
  refunded: boolean;
  status: string;
  refunds: { object: 'list'; data: Obj[]; has_more: boolean; url: string };
}
export interface RefundObj extends Obj {
  id: string;
}
