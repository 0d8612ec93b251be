import type { Product, Station } from '@tapline/shared';
import type { MenuView } from './api.ts';

/** The station's menu in its own order, grouped by category in the order categories first appear. */
export function stationMenu(station: Station, products: readonly Product[], currency: string): MenuView {
  const byId = new Map(products.map((p) => [p.id, p]));
  const categories = new Map<string, MenuView['categories'][number]>();
  for (const id of station.productIds) {
    const p = byId.get(id);
    if (!p || !p.active || p.eventId !== station.eventId) continue;
    let c = categories.get(p.category);
    if (!c) categories.set(p.category, (c = { name: p.category, products: [] }));
    c.products.push({ id: p.id, name: p.name, price: p.price });
  }
  return { currency, categories: [...categories.values()] };
}

/** "2× Lager, 1× Cola" */
export function linesSummary(lines: ReadonlyArray<{ name: string; quantity: number }>): string {
  return lines.map((l) => `${l.quantity}× ${l.name}`).join(', ');
}
