import { z } from 'zod';
import { canonicalJson, fingerprintOfCanonical } from '../canonical.ts';
import { VenueFact } from '../registration.ts';
import { describeZodError, ErrorBody } from './errors.ts';

/** The outcome of one item of a batch, the same at the hub and at the cloud. */
export const ItemStatus = z.enum(['stored', 'duplicate', 'conflict', 'invalid']);
export type ItemStatus = z.infer<typeof ItemStatus>;

export const ItemResult = z.object({
  /** The item's id, or its position (`#3`) when the id itself was unreadable. */
  id: z.string(),
  status: ItemStatus,
  error: ErrorBody.optional(),
});
export type ItemResult = z.infer<typeof ItemResult>;

/** Statuses after which the sender may drop the item: the receiver has it, or has kept it for review. */
export function isSettled(status: ItemStatus): boolean {
  return status !== 'invalid';
}

export interface ParsedFact {
  fact: VenueFact;
  fingerprint: string;
  /** canonicalJson(fact), which the fingerprint was taken of: a receiver stores it rather than serialise the fact again. */
  canonical?: string;
}

/**
 * Validates each item of a batch on its own, so one bad item never costs the good ones beside it.
 * Returns the good items with their fingerprints and a ready-made result for each bad one.
 */
export function parseFacts(items: readonly unknown[]): { valid: ParsedFact[]; invalid: ItemResult[] } {
  const valid: ParsedFact[] = [];
  const invalid: ItemResult[] = [];
  items.forEach((item, index) => {
    const parsed = VenueFact.safeParse(item);
    if (parsed.success) {
      const canonical = canonicalJson(parsed.data);
      valid.push({ fact: parsed.data, fingerprint: fingerprintOfCanonical(canonical), canonical });
    } else {
      const rawId = (item as { id?: unknown } | null)?.id;
      invalid.push({
        id: typeof rawId === 'string' && rawId.length <= 64 ? rawId : `#${index}`,
        status: 'invalid',
        error: { code: 'invalid_item', message: describeZodError(parsed.error) },
      });
    }
  });
  return { valid, invalid };
}
