import type { DeskAttendee, RegistrationFact, Signup, Wristband } from '@tapline/shared';
import type { ConfigCache } from './config-cache.ts';
import type { BandLookup } from './order-store.ts';

type BandFact = Extract<RegistrationFact, { kind: 'pairing' | 'block' }>;

/**
 * What this terminal knows of bands right now: the hub's configuration, corrected by this terminal's own pairings and
 * blocks the hub has not answered yet. A band paired here is approved here at once and a band blocked here is declined
 * here at once, hub or no hub. Once the hub has answered a fact, the configuration it sends says the truth (the hub
 * emits the changed bands before the ack on the same socket), so the fact stops counting here.
 *
 * Attendees: terminals are never sent attendees (PII, volume); this one knows those its desk found at the hub or
 * signed up itself, which is what pairing needs.
 */
export class BandView implements BandLookup {
  /** Own unanswered pairing/block facts by band, in seq order. */
  private readonly pendingByBand = new Map<string, BandFact[]>();
  private readonly pendingIds = new Map<string, BandFact>();
  private readonly attendees = new Map<string, DeskAttendee>();

  constructor(
    private readonly cache: ConfigCache,
    pending: readonly RegistrationFact[],
    signups: readonly Signup[],
  ) {
    for (const s of signups) this.remember(attendeeOfSignup(s));
    for (const f of pending) this.recordOwn(f);
  }

  /** A fact this terminal just made durably. */
  recordOwn(fact: RegistrationFact): void {
    if (fact.kind === 'signup') {
      this.remember(attendeeOfSignup(fact));
      return;
    }
    const list = this.pendingByBand.get(fact.bandUid) ?? [];
    list.push(fact);
    this.pendingByBand.set(fact.bandUid, list);
    this.pendingIds.set(fact.id, fact);
  }

  /** The hub answered these facts (stored, duplicate, or refused for good): they no longer override the configuration. */
  settled(ids: Iterable<string>): void {
    for (const id of ids) {
      const fact = this.pendingIds.get(id);
      if (!fact) continue;
      this.pendingIds.delete(id);
      const rest = (this.pendingByBand.get(fact.bandUid) ?? []).filter((f) => f.id !== id);
      if (rest.length) this.pendingByBand.set(fact.bandUid, rest);
      else this.pendingByBand.delete(fact.bandUid);
    }
  }

  /** Keeps what a search or a signup said of an attendee (newest wins). */
  remember(attendee: DeskAttendee): void {
    this.attendees.set(attendee.id, attendee);
  }

  attendee(id: string): DeskAttendee | undefined {
    return this.attendees.get(id);
  }

  /** Whether this terminal knows the attendee at all: found, signed up here, or on a band it was sent. */
  knowsAttendee(id: string): boolean {
    return this.attendees.has(id) || this.cache.bandsOf(id).length > 0 || this.pendingPairedTo(id).length > 0;
  }

  band(uid: string): Wristband | undefined {
    let band = this.cache.get('band', uid);
    for (const f of this.pendingByBand.get(uid) ?? []) band = this.applyOwn(band, f);
    return band;
  }

  bandsOfAttendee(attendeeId: string): string[] {
    const uids = new Set([...this.cache.bandsOf(attendeeId), ...this.pendingPairedTo(attendeeId)]);
    return [...uids].filter((uid) => this.band(uid)?.attendeeId === attendeeId).sort();
  }

  /** Own unanswered facts, for the desk's "unsent" count. */
  pendingCount(): number {
    return this.pendingIds.size;
  }

  private pendingPairedTo(attendeeId: string): string[] {
    const out: string[] = [];
    for (const f of this.pendingIds.values()) if (f.kind === 'pairing' && f.attendeeId === attendeeId) out.push(f.bandUid);
    return out;
  }

  private applyOwn(band: Wristband | undefined, f: BandFact): Wristband {
    const base: Wristband = band ?? {
      uid: f.bandUid,
      eventId: f.eventId,
      attendeeId: null,
      firstName: null,
      status: 'active',
      hasCard: false,
      tabLimit: null,
    };
    if (f.kind === 'block') return { ...base, status: 'blocked' };
    // Blocked is for ever: the hub does not apply a pairing of a blocked band either.
    if (base.status === 'blocked') return base;
    const who = this.describe(f.attendeeId, base);
    const tabLimit = band ? band.tabLimit : f.replacesBandUid ? (this.band(f.replacesBandUid)?.tabLimit ?? null) : null;
    return { ...base, attendeeId: f.attendeeId, firstName: who.firstName, hasCard: who.hasCard, tabLimit };
  }

  /** The attendee's first name and card as best known: a search or signup, else another of their bands. */
  private describe(attendeeId: string, band: Wristband): { firstName: string | null; hasCard: boolean } {
    const a = this.attendees.get(attendeeId);
    if (a) return { firstName: a.firstName, hasCard: a.cardStatus === 'ready' };
    if (band.attendeeId === attendeeId) return { firstName: band.firstName, hasCard: band.hasCard };
    for (const uid of this.cache.bandsOf(attendeeId)) {
      const other = this.cache.get('band', uid);
      if (other) return { firstName: other.firstName, hasCard: other.hasCard };
    }
    return { firstName: null, hasCard: false };
  }
}

export function attendeeOfSignup(s: Signup): DeskAttendee {
  return {
    id: s.attendee.id,
    eventId: s.eventId,
    firstName: s.attendee.firstName,
    lastName: s.attendee.lastName,
    email: s.attendee.email,
    phone: s.attendee.phone,
    smsConsent: s.attendee.smsConsent,
    cardStatus: 'none',
    cardLast4: null,
    confirmationCode: null,
    cardUrl: null,
  };
}
