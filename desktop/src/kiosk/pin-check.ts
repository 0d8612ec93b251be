import { verifyPinAsync, type Staff } from '@tapline/shared';
import { KioskError } from './kiosk-error.ts';

const MAX_FAILURES = 5;
const LOCKOUT_MS = 30_000;

/**
 * Finds who a PIN belongs to among the event's staff. PINs are salted hashes, so every candidate is tried (on
 * libuv's pool, in parallel). Five wrong PINs in a row lock the pad for 30 seconds, so a four-digit PIN cannot be
 * walked through at the bar.
 */
export class PinCheck {
  private failures = 0;
  private lockedUntil = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async identify(pin: string, candidates: readonly Staff[]): Promise<Staff | null> {
    const wait = this.lockedUntil - this.now();
    if (wait > 0) {
      throw new KioskError('locked_out', `Too many wrong PINs. Try again in ${Math.ceil(wait / 1000)} seconds.`);
    }
    const checks = await Promise.all(candidates.map((s) => verifyPinAsync(pin, s.pinHash)));
    const found = candidates[checks.indexOf(true)] ?? null;
    if (found) {
      this.failures = 0;
      return found;
    }
    this.failures += 1;
    if (this.failures >= MAX_FAILURES) {
      this.failures = 0;
      this.lockedUntil = this.now() + LOCKOUT_MS;
    }
    return null;
  }
}
