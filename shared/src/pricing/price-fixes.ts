import type { Sale } from '../domain.ts';
import { instantMs } from './schema-parts.ts';
import type { PriceFix } from './tab-facts.ts';
import { compareIds } from './work-order.ts';

export interface FixedPrice {
  unitPrice: number;
  priceFixId: string | null;
}

/** Finds, for a sale line, the price fix that applies (see `PriceFix`): the latest matching one, or none. */
export class PriceFixBook {
  private readonly byProduct = new Map<string, PriceFix[]>();

  constructor(fixes: Iterable<PriceFix>) {
    for (const f of fixes) {
      const list = this.byProduct.get(f.productId) ?? [];
      list.push(f);
      this.byProduct.set(f.productId, list);
    }
    for (const list of this.byProduct.values()) {
      list.sort((a, b) => instantMs(b.recordedAt) - instantMs(a.recordedAt) || compareIds(b.id, a.id));
    }
  }

  priceOf(sale: Sale, productId: string, recordedUnitPrice: number): FixedPrice {
    const fix = this.byProduct
      .get(productId)
      ?.find(
        (f) =>
          f.eventId === sale.eventId &&
          f.fromUnitPrice === recordedUnitPrice &&
          (f.orderIds === undefined || f.orderIds.includes(sale.id)),
      );
    return fix ? { unitPrice: fix.toUnitPrice, priceFixId: fix.id } : { unitPrice: recordedUnitPrice, priceFixId: null };
  }
}
