import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CONTRACT_FILES } from './contracts.ts';

/*
 * Every object the local Stripe answers starts as Stripe's own example of that resource (stripe-fixtures.json), so
 * fields the local Stripe does not model still have the shape and type a real answer has.
 */

let fixtures: Record<string, Record<string, unknown>> | null = null;

export function fixture<T extends Record<string, unknown>>(resource: string, fields: Partial<T>): T {
  fixtures ??= (JSON.parse(readFileSync(CONTRACT_FILES.stripeFixtures, 'utf8')) as { resources: Record<string, Record<string, unknown>> })
    .resources;
  const base = fixtures[resource];
  if (!base) throw new Error(`stripe-fixtures.json has no ${resource}`);
  return { ...structuredClone(base), livemode: false, created: nowSeconds(), ...fields } as unknown as T;
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** An id the way Stripe spells them: a prefix, an underscore and 24 letters and digits. */
export function stripeId(prefix: string, length = 24): string {
  const bytes = randomBytes(length);
  let s = '';
  for (const b of bytes) s += ALPHABET[b % ALPHABET.length];
  return `${prefix}_${s}`;
}
