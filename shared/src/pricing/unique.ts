import { canonicalJson } from '../canonical.ts';
import { PricingError } from './pricing-error.ts';

/**
 * Delivery is at-least-once, so a fact may be handed in twice: it counts once. The same id with other content is a
 * conflict that upstream should have kept out; pricing refuses it rather than pick one copy.
 */
export function uniqueById<T extends { id: string }>(facts: Iterable<T>, what: string): T[] {
  // Canonical text only for an id seen twice: a tab reprices every fact of the band, and ids rarely repeat.
  const seen = new Map<string, T>();
  for (const fact of facts) {
    const earlier = seen.get(fact.id);
    if (!earlier) seen.set(fact.id, fact);
    else if (earlier !== fact && canonicalJson(earlier) !== canonicalJson(fact)) {
      throw new PricingError(
        'conflicting_fact',
        `Two ${what} facts share the id ${fact.id} but not their content, so the tab cannot be priced until one is set aside.`,
      );
    }
  }
  return [...seen.values()];
}

/** Configuration keys must be unique: two promotions with one id, or two tax rules for one category, are refused. */
export function uniqueConfig<T>(items: Iterable<T>, key: (item: T) => string, what: string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) {
    const k = key(item);
    if (seen.has(k)) throw new PricingError('duplicate_config', `Two entries share the ${what} ${k}; keep one so the tab has one price.`);
    seen.set(k, item);
  }
  return [...seen.values()];
}
