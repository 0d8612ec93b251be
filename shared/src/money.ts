import { z } from 'zod';
import { MAX_MINOR } from './money-units.ts';

/**
 * Money for the runtimes: the arithmetic, the one rounding rule and formatting (one implementation, in
 * money-units.ts, which the screens import without zod) plus the zod schemas that check money on the wire.
 */
export * from './money-units.ts';

export const Currency = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR');
export type Currency = z.infer<typeof Currency>;

export const MinorUnits = z.number().int().min(-MAX_MINOR).max(MAX_MINOR);
export const NonNegativeMinor = MinorUnits.min(0);
