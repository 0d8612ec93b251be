import { z } from 'zod';

/**
 * Text that every hop can store: well-formed UTF-16 (no lone surrogates, which jsonb refuses) and no U+0000 (which
 * PostgreSQL text and jsonb both refuse). A string either side cannot store would pass the terminal and the hub, then
 * fail the cloud's statement and block the hub's upload queue; refusing it at the first hop keeps it out.
 */
export function isStorableText(s: string): boolean {
  return s.isWellFormed() && !s.includes('\u0000');
}

const storable = [isStorableText, 'text without U+0000 or unpaired surrogates'] as const;

/** Free text a person typed, trimmed; `min` 1 unless told. */
export function text(max: number, min = 1) {
  return z.string().trim().min(min).max(max).refine(...storable);
}

/** Text kept exactly as given (hashes, provider ids). */
export function rawText(max: number, min = 1) {
  return z.string().min(min).max(max).refine(...storable);
}
