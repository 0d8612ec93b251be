import {
  AttendeesSearchAck,
  Block,
  describeZodError,
  newId,
  normalizeBandUid,
  Pairing,
  PROTOCOL_VERSION,
  Signup,
  type DeskAttendee,
  type DeskSearchResult,
  type RegistrationFact,
} from '@tapline/shared';
import type { z } from 'zod';
import type { BandView } from './band-view.ts';
import { attendeeOfSignup } from './band-view.ts';
import type { ConfigCache } from './config-cache.ts';
import type { DeskMemory } from './desk-memory.ts';
import { TerminalError } from './errors.ts';
import type { OrderStore } from './order-store.ts';

export type { DeskSearchResult };

export interface SignUpInput {
  firstName: string;
  lastName: string | null;
  email: string | null;
  /** E.164, e.g. +31612345678. */
  phone: string | null;
  smsConsent: boolean;
  staffId: string;
  stationId: string;
}

export interface PairInput {
  attendeeId: string;
  bandUid: string;
  /** The attendee's lost band, which must be blocked first. */
  replacesBandUid: string | null;
  staffId: string;
  stationId: string;
}

export interface BlockInput {
  bandUid: string;
  reason: string;
  staffId: string;
  stationId: string;
}

export interface DeskBand {
  uid: string;
  status: 'active' | 'blocked' | 'unknown';
  attendeeId: string | null;
  firstName: string | null;
  hasCard: boolean;
}

/** What the registration desk's screens call on the terminal runtime (`terminal.registration`). */
export interface RegistrationDesk {
  /**
   * Asks the hub (Socket.IO ack, 3 s timeout): name (any word prefix, case/accents-insensitive), e-mail, phone
   * (digits match), or an exact confirmation code. At most `limit` (default 20, at most 50). Rejects with a
   * TerminalError 'hub_unreachable' when the hub cannot be asked. Each result carries the attendee's bands.
   */
  search(query: string, limit?: number): Promise<DeskSearchResult[]>;
  /** Durable Signup fact (one SQLite tx with its outbox row). Returns the new attendee. */
  signUp(input: SignUpInput): DeskAttendee;
  /**
   * Durable Pairing fact. Refuses with TerminalError 'band_blocked', 'band_taken' (paired to another attendee as this
   * terminal knows), 'unknown_attendee', 'replaced_band_not_blocked'. Pairing a band to the attendee it already
   * belongs to changes nothing and makes no fact.
   */
  pair(input: PairInput): { bandUid: string; attendeeId: string };
  /** Durable Block fact (a band already blocked here makes no new fact). */
  block(input: BlockInput): void;
  /** What this terminal knows of a band right now (its configuration + its own unsent facts). */
  band(uid: string): DeskBand;
  /**
   * An attendee this desk found (kept across restarts, the most recent DESK_MEMORY_LIMIT) or signed up, with their
   * bands as this terminal knows them now; undefined for anyone else.
   */
  attendee(id: string): DeskSearchResult | undefined;
}

/** How the desk reaches the hub: one request with an ack, or null when there is no connection. */
export type HubAsk = (event: string, payload: unknown, timeoutMs: number) => Promise<unknown> | null;

export interface DeskDeps {
  cache: ConfigCache;
  orders: OrderStore;
  bands: BandView;
  /** The attendees found by searches, in the terminal's SQLite file (without it, only BandView keeps them, in RAM). */
  memory?: DeskMemory;
  terminalId: () => string | null;
  /** Why this terminal may not make facts now (head office revoked it), or null. */
  refusal?: () => TerminalError | null;
  /** The event this desk registers for (its station's), narrowing the search; null when not yet known. */
  eventId: () => string | null;
  online: () => boolean;
  ask: HubAsk;
  /** After a fact is durable: wake the sender, tell the screens. */
  onFact: (fact: RegistrationFact) => void;
}

export const SEARCH_TIMEOUT_MS = 3_000;

export class TerminalRegistrationDesk implements RegistrationDesk {
  constructor(private readonly d: DeskDeps) {}

  async search(query: string, limit = 20): Promise<DeskSearchResult[]> {
    const q = String(query ?? '').trim();
    if (!q) throw new TerminalError('invalid_input', 'Type a name, an e-mail, a phone number or a confirmation code.');
    const eventId = this.d.eventId();
    const request = { v: PROTOCOL_VERSION, query: q.slice(0, 200), limit: Math.max(1, Math.min(50, Math.floor(limit) || 20)), ...(eventId ? { eventId } : {}) };
    const pending = this.d.ask('attendees:search', request, SEARCH_TIMEOUT_MS);
    if (!pending) throw new TerminalError('hub_unreachable', 'The hub cannot be reached, so attendees cannot be searched; a walk-up can still be signed up.');
    let raw: unknown;
    try {
      raw = await pending;
    } catch {
      throw new TerminalError('hub_unreachable', 'The hub did not answer the search in time; try again.');
    }
    const ack = AttendeesSearchAck.safeParse(raw);
    if (!ack.success) throw new TerminalError('hub_unreachable', `The hub's answer was not understood: ${describeZodError(ack.error)}`);
    if (!ack.data.ok) throw new TerminalError('invalid_input', ack.data.error.message);
    this.d.memory?.remember(ack.data.results);
    for (const r of ack.data.results) {
      const { bands: _bands, ...attendee } = r;
      this.d.bands.remember(attendee);
    }
    return ack.data.results;
  }

  signUp(input: SignUpInput): DeskAttendee {
    const base = this.base(input.stationId, input.staffId);
    const fact = this.parse(Signup, {
      ...base,
      kind: 'signup',
      attendee: {
        id: newId(),
        firstName: input.firstName,
        lastName: emptyToNull(input.lastName),
        email: emptyToNull(input.email),
        phone: emptyToNull(input.phone),
        smsConsent: input.smsConsent,
      },
    });
    this.commit(fact);
    return attendeeOfSignup(fact);
  }

  pair(input: PairInput): { bandUid: string; attendeeId: string } {
    const bandUid = this.uid(input.bandUid);
    const attendeeId = String(input.attendeeId ?? '');
    const replaces = input.replacesBandUid == null || input.replacesBandUid === '' ? null : this.uid(input.replacesBandUid);
    if (!this.d.bands.knowsAttendee(attendeeId)) {
      throw new TerminalError('unknown_attendee', 'This attendee is not known here: search for them again, or sign them up.');
    }
    if (replaces === bandUid) throw new TerminalError('invalid_input', 'The new band must be another band than the lost one.');
    const band = this.d.bands.band(bandUid);
    if (band?.status === 'blocked') throw new TerminalError('band_blocked', 'This band has been blocked and can never be paired again. Take a new band.');
    if (band?.attendeeId && band.attendeeId !== attendeeId) {
      const who = band.firstName ? ` (${band.firstName})` : '';
      throw new TerminalError('band_taken', `This band already belongs to another attendee${who}. Take a new band.`);
    }
    if (replaces && this.d.bands.band(replaces)?.status !== 'blocked') {
      throw new TerminalError('replaced_band_not_blocked', 'Block the lost band first, then pair the new one.');
    }
    if (band?.attendeeId === attendeeId) return { bandUid, attendeeId };
    const fact = this.parse(Pairing, {
      ...this.base(input.stationId, input.staffId),
      kind: 'pairing',
      bandUid,
      attendeeId,
      replacesBandUid: replaces,
    });
    this.commit(fact);
    return { bandUid, attendeeId };
  }

  block(input: BlockInput): void {
    const bandUid = this.uid(input.bandUid);
    const base = this.base(input.stationId, input.staffId);
    const fact = this.parse(Block, { ...base, kind: 'block', bandUid, reason: input.reason });
    if (this.d.bands.band(bandUid)?.status === 'blocked') return;
    this.commit(fact);
  }

  band(uid: string): DeskBand {
    const norm = normalizeBandUid(String(uid ?? ''));
    const band = norm ? this.d.bands.band(norm) : undefined;
    if (!band) return { uid: norm ?? String(uid ?? ''), status: 'unknown', attendeeId: null, firstName: null, hasCard: false };
    return { uid: band.uid, status: band.status, attendeeId: band.attendeeId, firstName: band.firstName, hasCard: band.hasCard };
  }

  attendee(id: string): DeskSearchResult | undefined {
    const found = this.d.memory?.get(id);
    const known = found ?? this.d.bands.attendee(id);
    if (!known) return undefined;
    const { bands: _bands, ...attendee } = found ?? { ...known, bands: [] };
    // A band found with them stays listed unless this terminal now knows it belongs to someone else.
    const uids = new Set([...(found?.bands ?? []).map((b) => b.uid), ...this.d.bands.bandsOfAttendee(id)]);
    const bands = [...uids].flatMap((uid) => {
      const now = this.d.bands.band(uid);
      if (!now) return found?.bands.filter((b) => b.uid === uid) ?? [];
      return now.attendeeId === id ? [{ uid, status: now.status }] : [];
    });
    return { ...attendee, bands };
  }

  /** The fields every registration fact shares; the station gives the event. */
  private base(stationId: string, staffId: string) {
    const refusal = this.d.refusal?.();
    if (refusal) throw refusal;
    const terminalId = this.d.terminalId();
    if (!terminalId) throw new TerminalError('not_paired', 'This terminal is not paired with a hub yet.');
    const station = this.d.cache.get('station', String(stationId ?? ''));
    if (!station) throw new TerminalError('unknown_station', `Station "${stationId}" is not in this terminal's configuration.`);
    if (!this.d.cache.get('event', station.eventId)) {
      throw new TerminalError('not_configured', `The event of station "${station.id}" has not reached this terminal yet.`);
    }
    return {
      id: newId(),
      terminalId,
      seq: this.d.orders.nextSeqValue(),
      eventId: station.eventId,
      stationId: station.id,
      staffId: staffId || null,
      createdAt: new Date().toISOString(),
      offline: !this.d.online(),
    };
  }

  private parse<S extends z.ZodType<RegistrationFact>>(schema: S, value: unknown): z.infer<S> {
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new TerminalError('invalid_input', describeZodError(parsed.error));
    return parsed.data;
  }

  private uid(raw: string): string {
    const uid = normalizeBandUid(String(raw ?? ''));
    if (!uid) throw new TerminalError('invalid_input', `"${raw}" is not a wristband UID (4, 7 or 10 bytes of hex).`);
    return uid;
  }

  private commit(fact: RegistrationFact): void {
    this.d.orders.appendRegistration(fact);
    this.d.bands.recordOwn(fact);
    this.d.onFact(fact);
  }
}

function emptyToNull(s: string | null | undefined): string | null {
  if (s == null) return null;
  return s.trim() === '' ? null : s;
}
