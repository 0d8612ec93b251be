import { z } from 'zod';
import { Id } from '../ids.ts';
import { applyBasisPoints, divideRounded } from '../money.ts';
import { BasisPoints, Label } from './schema-parts.ts';

/**
 * The tax of one product category. `exclusive`: the tax is added on top of the price. `inclusive`: the price already
 * holds the tax, which is extracted from it (the line's total stays its net).
 */
export const TaxRule = z.object({
  eventId: Id,
  category: Label,
  basisPoints: BasisPoints,
  mode: z.enum(['inclusive', 'exclusive']),
});
export type TaxRule = z.infer<typeof TaxRule>;

export interface LineTax {
  tax: number;
  total: number;
}

/** Tax on one line's net (after discounts), rounded once per line by the one rule. No rule, no tax. */
export function taxLine(net: number, rule: TaxRule | undefined): LineTax {
  if (!rule) return { tax: 0, total: net };
  if (rule.mode === 'exclusive') {
    const tax = applyBasisPoints(net, rule.basisPoints);
    return { tax, total: net + tax };
  }
  // net = base + base × r  ⇒  tax = net × r / (1 + r), with r in basis points.
  return { tax: divideRounded(BigInt(net) * BigInt(rule.basisPoints), 10_000n + BigInt(rule.basisPoints)), total: net };
}
