import { useEffect, useState } from 'preact/hooks';
import { BOUNCE_HINT } from '../logic/words.ts';
import { useKioskEvent } from './use-kiosk.ts';

/** How long the hint stays after the band last bounced: long enough to read, gone before it gets in the way. */
export const BOUNCE_HINT_MS = 4000;

/**
 * The hint for a band read again too soon after it left the reader (the kiosk drops it as a bounce, so nothing
 * happens): shown only while `waiting` for a tap, and gone once the wait ends or a few seconds have passed.
 */
export function useBounceHint(waiting: boolean): string | null {
  const [at, setAt] = useState<number | null>(null);
  useKioskEvent('bounce', () => {
    if (waiting) setAt(Date.now());
  });
  useEffect(() => {
    if (!waiting) setAt(null);
  }, [waiting]);
  useEffect(() => {
    if (at === null) return;
    const t = setTimeout(() => setAt(null), BOUNCE_HINT_MS);
    return () => clearTimeout(t);
  }, [at]);
  return at === null ? null : BOUNCE_HINT;
}
