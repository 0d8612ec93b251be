import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every depth, so equal content gives equal text whoever serialised it. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v as Record<string, unknown>).sort()) sorted[k] = (v as Record<string, unknown>)[k];
      return sorted;
    }
    return v;
  });
}

/** What every hop compares to tell a resent fact (same id, same content) from a conflict (same id, other content). */
export function fingerprint(value: unknown): string {
  return fingerprintOfCanonical(canonicalJson(value));
}

/** `fingerprint` of a value whose canonicalJson the caller already holds. */
export function fingerprintOfCanonical(canonical: string): string {
  return createHash('sha256').update(canonical).digest('base64url');
}
