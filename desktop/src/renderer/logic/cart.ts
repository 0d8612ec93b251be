import { addMinor, multiplyMinor } from '@tapline/shared/money-units';
import type { CallArgsOf } from '../../kiosk/api.ts';

/** The order being built on the sell screen; prices are copied from the menu so the total is stable while it shows. */
export interface CartLine {
  productId: string;
  name: string;
  price: number;
  quantity: number;
}

export type Cart = readonly CartLine[];

/** The API's cap on one line's quantity. */
export const MAX_QUANTITY = 999;

export function addToCart(cart: Cart, product: { id: string; name: string; price: number }, quantity = 1): Cart {
  const existing = cart.find((l) => l.productId === product.id);
  if (!existing) return [...cart, { productId: product.id, name: product.name, price: product.price, quantity: Math.min(quantity, MAX_QUANTITY) }];
  return setQuantity(cart, product.id, existing.quantity + quantity);
}

/** A quantity of zero or less removes the line. */
export function setQuantity(cart: Cart, productId: string, quantity: number): Cart {
  if (quantity <= 0) return removeLine(cart, productId);
  const q = Math.min(Math.floor(quantity), MAX_QUANTITY);
  return cart.map((l) => (l.productId === productId ? { ...l, quantity: q } : l));
}

export function removeLine(cart: Cart, productId: string): Cart {
  return cart.filter((l) => l.productId !== productId);
}

export function lineTotal(line: CartLine): number {
  return multiplyMinor(line.price, line.quantity);
}

export function cartTotal(cart: Cart): number {
  return addMinor(...cart.map(lineTotal));
}

export function itemCount(cart: Cart): number {
  return cart.reduce((n, l) => n + l.quantity, 0);
}

export function quantityOf(cart: Cart, productId: string): number {
  return cart.find((l) => l.productId === productId)?.quantity ?? 0;
}

export function sellLines(cart: Cart): CallArgsOf<'sell'>['lines'] {
  return cart.map((l) => ({ productId: l.productId, quantity: l.quantity }));
}

/** Drops lines whose product left the menu and takes the menu's current names and prices. */
export function reconcileWithMenu(cart: Cart, products: ReadonlyMap<string, { name: string; price: number }>): Cart {
  const next: CartLine[] = [];
  for (const line of cart) {
    const p = products.get(line.productId);
    if (p) next.push({ ...line, name: p.name, price: p.price });
  }
  return next;
}
