import { z } from 'zod';
import { BandUid } from './band-uid.ts';
import { Instant, Phone, Sale, Void } from './domain.ts';
import { Id, UuidV7 } from './ids.ts';
import { text } from './text.ts';

/**
 * Registration at the venue: who an attendee is, which band is theirs, which bands are blocked.
 *
 * Down (cloud → hub → terminals), as configuration: `DeskAttendee` (in domain.ts), the attendee as a desk needs them.
 *
 * Up (terminal → hub → cloud), as facts on the same outbox, queue and ingest as sales, so they get the same
 * durability, per-terminal order and idempotency on the fact id: `signup` (a walk-up), `pairing` (a band to an
 * attendee, optionally replacing a lost band) and `block` (a lost or stolen band). The hub applies each one the moment
 * it commits it and tells every terminal; the cloud applies them to its attendees and bands, resolving clashes from
 * desks that were offline by one rule (see `pairingOrder`).
 */

const RegistrationBase = {
  id: UuidV7,
  terminalId: Id,
  /** The same per-terminal sequence as the terminal's sales: one outbox, one order. */
  seq: z.number().int().positive(),
  eventId: Id,
  stationId: Id,
  staffId: Id.nullable(),
  /** The terminal's clock: recorded, and the first key of the clash rule, never trusted for anything else. */
  createdAt: Instant,
  /** Made while the terminal could not reach the hub. */
  offline: z.boolean(),
};

/** A walk-up signed up at the desk. The attendee id is a UUIDv7 made at the desk, so it is unique without the cloud. */
export const Signup = z.object({
  ...RegistrationBase,
  kind: z.literal('signup'),
  attendee: z.object({
    id: UuidV7,
    firstName: text(60),
    lastName: text(60, 0).nullable(),
    email: z.email().max(254).nullable(),
    phone: Phone.nullable(),
    smsConsent: z.boolean(),
  }),
});
export type Signup = z.infer<typeof Signup>;

/** A band given to an attendee. `replacesBandUid`: the attendee's lost band, which must already be blocked. */
export const Pairing = z.object({
  ...RegistrationBase,
  kind: z.literal('pairing'),
  bandUid: BandUid,
  attendeeId: Id,
  replacesBandUid: BandUid.nullable(),
});
export type Pairing = z.infer<typeof Pairing>;

/** A lost or stolen band: every terminal declines it from now on. */
export const Block = z.object({
  ...RegistrationBase,
  kind: z.literal('block'),
  bandUid: BandUid,
  reason: text(200),
});
export type Block = z.infer<typeof Block>;

export const RegistrationFact = z.discriminatedUnion('kind', [Signup, Pairing, Block]);
export type RegistrationFact = z.infer<typeof RegistrationFact>;

/**
 * The one rule for clashes between pairings made at desks that could not see each other (one band paired to two
 * attendees, or one attendee given two bands): the earliest pairing wins, by the terminal's clock, then by fact id.
 * Both keys travel with the fact, so every cloud worker, in any arrival order, picks the same winner; the losers are
 * kept and listed for head office.
 */
export function pairingOrder(a: Pick<Pairing, 'createdAt' | 'id'>, b: Pick<Pairing, 'createdAt' | 'id'>): number {
  const t = Date.parse(a.createdAt) - Date.parse(b.createdAt);
  if (t !== 0) return t;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Everything a terminal sends up its outbox: sales and voids (the tab's facts) and registration facts. */
export const VenueFact = z.discriminatedUnion('kind', [Sale, Void, Signup, Pairing, Block]);
export type VenueFact = z.infer<typeof VenueFact>;

export function isRegistrationFact(f: VenueFact): f is RegistrationFact {
  return f.kind === 'signup' || f.kind === 'pairing' || f.kind === 'block';
}
