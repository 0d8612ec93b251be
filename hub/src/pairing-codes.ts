import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

export interface PairingCode {
  code: string;
  expiresAt: Date;
}

export const PAIRING_CODE_TTL_MS = 10 * 60_000;

/**
 * Six-digit codes a venue tech types into a new terminal. The current code is reusable until it expires, then a
 * new one replaces it. `issue()` adds a fresh code without revoking the others, so two terminals being paired
 * at once (the simulator does that) never invalidate each other's code.
 */
export class PairingCodes {
  private codes: PairingCode[] = [];

  constructor(private readonly ttlMs = PAIRING_CODE_TTL_MS, private readonly now: () => number = Date.now) {}

  /** The code to show: the newest unexpired one, or a new one. */
  current(): PairingCode {
    this.prune();
    return this.codes.at(-1) ?? this.issue();
  }

  issue(): PairingCode {
    this.prune();
    let code: string;
    do code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    while (this.codes.some((c) => c.code === code));
    const entry = { code, expiresAt: new Date(this.now() + this.ttlMs) };
    this.codes.push(entry);
    return entry;
  }

  isValid(code: string): boolean {
    this.prune();
    const given = Buffer.from(code);
    return this.codes.some((c) => {
      const expected = Buffer.from(c.code);
      return expected.length === given.length && timingSafeEqual(expected, given);
    });
  }

  private prune(): void {
    const t = this.now();
    this.codes = this.codes.filter((c) => c.expiresAt.getTime() > t);
  }
}

/** A terminal's secret: 32 random bytes, base64url. The hub keeps only its sha256. */
export function newTerminalToken(): string {
  return randomBytes(32).toString('base64url');
}
