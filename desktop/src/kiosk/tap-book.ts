import type { BandTap, SaleOutcome } from './api.ts';
import { KioskError } from './kiosk-error.ts';

const KEEP = 200;
/** A tap older than this cannot start a sale: the band has long left the bar. */
export const TAP_TTL_MS = 60_000;

/** What a tap was used for: a sale at a bar, or a pairing at a desk. One tap is never both. */
export type TapPurpose = 'sale' | 'pairing';

interface Entry {
  tap: BandTap;
  receivedAt: number;
  used: { purpose: TapPurpose; outcome: unknown } | null;
}

/**
 * Every tap the kiosk has seen recently, and what it paid for. A tap pays for at most one sale: the same call
 * repeated (a double touch, a renderer retry) gets the first answer back instead of a second order.
 */
export class TapBook {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  add(tap: BandTap): void {
    this.entries.set(tap.id, { tap, receivedAt: this.now(), used: null });
    while (this.entries.size > KEEP) this.entries.delete(this.entries.keys().next().value!);
  }

  get(tapId: string): BandTap {
    return this.entry(tapId).tap;
  }

  /** Runs `sell` once per tap; later calls with the same tap replay its outcome. */
  spend(tapId: string, sell: (tap: BandTap) => SaleOutcome): SaleOutcome {
    return this.use(tapId, 'sale', sell);
  }

  /** Runs `act` once per tap for one purpose; a repeat replays its outcome, another purpose is refused. */
  use<T>(tapId: string, purpose: TapPurpose, act: (tap: BandTap) => T): T {
    const e = this.entry(tapId);
    if (e.used) {
      if (e.used.purpose === purpose) return e.used.outcome as T;
      throw new KioskError('tap_used', 'That tap was already used. Tap the wristband again.');
    }
    if (this.now() - e.receivedAt > TAP_TTL_MS) {
      throw new KioskError('tap_expired', 'That tap was more than a minute ago. Tap the wristband again.');
    }
    const outcome = act(e.tap);
    e.used = { purpose, outcome };
    return outcome;
  }

  private entry(tapId: string): Entry {
    const e = this.entries.get(tapId);
    if (!e) throw new KioskError('unknown_tap', 'That tap is not known to this kiosk. Tap the wristband again.');
    return e;
  }
}
