/*
 * Backoff after failed sign-in attempts (password or second factor), per account: the first few are free, then each
 * further failure locks the account for twice as long as the one before, up to a cap. A successful sign-in clears it.
 * A lock only delays: an owner is never shut out for good by someone guessing at their address.
 */

export const FREE_ATTEMPTS = 4;
export const FIRST_LOCK_SECONDS = 30;
export const MAX_LOCK_SECONDS = 15 * 60;

/** How long to lock after the `failures`-th consecutive failure (0 = no lock). */
export function lockSecondsAfter(failures: number): number {
  if (failures <= FREE_ATTEMPTS) return 0;
  const doublings = Math.min(failures - FREE_ATTEMPTS - 1, 20);
  return Math.min(FIRST_LOCK_SECONDS * 2 ** doublings, MAX_LOCK_SECONDS);
}

/** Seconds left on a lock, 0 when none. */
export function lockRemainingSeconds(lockedUntil: string | null, now: Date): number {
  if (!lockedUntil) return 0;
  return Math.max(0, Math.ceil((new Date(lockedUntil).getTime() - now.getTime()) / 1000));
}
