import { z } from 'zod';
import { BandUid } from '../band-uid.ts';
import { ConfigEntity, DeskAttendee } from '../domain.ts';
import { Id } from '../ids.ts';
import { text } from '../text.ts';
import { ErrorBody } from './errors.ts';
import { ItemResult } from './batch.ts';
import { ProtocolVersion } from './version.ts';

/**
 * Terminal ↔ hub, over Socket.IO on the venue LAN.
 *
 *   terminal → hub  `orders:push`   OrdersPush, acked with OrdersPushAck after the hub's durable commit
 *   hub → terminal  `config`        ConfigMessage: a full snapshot on connect, then changes as they arrive
 *   hub → terminal  `hub:status`    HubStatus: what the terminal shows about the link to the cloud
 *   hub → terminal  `tabs`          TabsMessage: venue-wide band tabs, a full snapshot on connect, then the bands
 *                                   that changed; tailored per terminal (its own `committedSeq`), so never io.emit
 *   terminal → hub  `attendees:search`  AttendeesSearch, acked with AttendeesSearchAck: a registration desk finds
 *                                   attendees at the hub (terminals never hold attendees: PII and volume)
 *
 * Pairing is plain HTTP on the same port: POST /v1/pair with PairRequest gives PairResponse.
 */
export const TerminalEvents = {
  ordersPush: 'orders:push',
  config: 'config',
  hubStatus: 'hub:status',
  tabs: 'tabs',
  attendeesSearch: 'attendees:search',
  /** hub → terminal, then the hub disconnects it: ErrorBody with code `revoked` (head office revoked the terminal). */
  revoked: 'terminal:revoked',
} as const;

export const MAX_PUSH_BATCH = 500;

/** Socket.IO handshake `auth`. */
export const TerminalAuth = z.object({
  v: ProtocolVersion,
  terminalId: Id,
  token: z.string().min(16).max(256),
});
export type TerminalAuth = z.infer<typeof TerminalAuth>;

export const OrdersPush = z.object({
  v: ProtocolVersion,
  /** Validated one by one by the hub (`parseFacts`), so the envelope accepts anything here. */
  orders: z.array(z.unknown()).min(1).max(MAX_PUSH_BATCH),
});
export type OrdersPush = z.infer<typeof OrdersPush>;

export const OrdersPushAck = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), v: ProtocolVersion, results: z.array(ItemResult) }),
  z.object({ ok: z.literal(false), v: ProtocolVersion, error: ErrorBody }),
]);
export type OrdersPushAck = z.infer<typeof OrdersPushAck>;

export const ConfigMessage = z.object({
  v: ProtocolVersion,
  /** true: replace the whole cache with `entities`; false: upsert them. */
  full: z.boolean(),
  cursor: z.number().int().nonnegative(),
  entities: z.array(ConfigEntity),
});
export type ConfigMessage = z.infer<typeof ConfigMessage>;

/** A band's tab at the hub: its sales from every terminal, less the voided ones, in minor units. */
export const BandTab = z.object({
  bandUid: BandUid,
  total: z.number().int(),
});
export type BandTab = z.infer<typeof BandTab>;

/**
 * Additive to protocol version 1: an older terminal ignores the event. A terminal's venue tab for a band is
 * `total` here plus its own facts with a `seq` above `committedSeq` (see desktop/src/runtime/venue-tabs.ts).
 */
export const TabsMessage = z.object({
  v: ProtocolVersion,
  /** true: these are all the bands with a non-zero tab, replace what you hold; false: upsert these bands. */
  full: z.boolean(),
  /**
   * For the receiving terminal, the highest `seq` of its own facts the hub had committed when it computed these
   * totals (0 if none). A terminal sends in seq order and waits for each ack, so the hub holds a prefix of its facts:
   * every fact at or below this seq that the hub accepted is in the totals, and nothing above it is.
   */
  committedSeq: z.number().int().nonnegative(),
  tabs: z.array(BandTab),
});
export type TabsMessage = z.infer<typeof TabsMessage>;

export const UplinkState = z.enum(['online', 'offline', 'unknown']);
export type UplinkState = z.infer<typeof UplinkState>;

export const HubStatus = z.object({
  v: ProtocolVersion,
  hubId: Id,
  uplink: UplinkState,
  lastUploadAt: z.iso.datetime({ offset: true }).nullable(),
  /** Orders at the hub not yet acknowledged by the cloud. */
  pendingUpload: z.number().int().nonnegative(),
  serverTime: z.iso.datetime({ offset: true }),
});
export type HubStatus = z.infer<typeof HubStatus>;

export const PairRequest = z.object({
  v: ProtocolVersion,
  code: z.string().regex(/^\d{6}$/, 'six digits'),
  name: z.string().trim().min(1).max(60),
});
export type PairRequest = z.infer<typeof PairRequest>;

export const PairResponse = z.object({
  v: ProtocolVersion,
  hubId: Id,
  terminalId: Id,
  token: z.string(),
});
export type PairResponse = z.infer<typeof PairResponse>;

/** The most results one search returns, whatever the desk asks. */
export const MAX_SEARCH_RESULTS = 50;

/** An attendee found at the hub, with the bands the hub knows are theirs (blocked ones too: a lost band shows). */
export const DeskSearchResult = DeskAttendee.extend({
  bands: z.array(z.object({ uid: BandUid, status: z.enum(['active', 'blocked']) })),
});
export type DeskSearchResult = z.infer<typeof DeskSearchResult>;

/**
 * Additive to protocol version 1. `query` is a name (every word a prefix of one of the attendee's name words, case and
 * accents ignored), an e-mail (prefix), a phone number (its digits, national or international), or an exact
 * confirmation code. `eventId` narrows to one event.
 */
export const AttendeesSearch = z.object({
  v: ProtocolVersion,
  query: text(200),
  limit: z.number().int().min(1).max(MAX_SEARCH_RESULTS).default(20),
  eventId: Id.optional(),
});
export type AttendeesSearch = z.infer<typeof AttendeesSearch>;

export const AttendeesSearchAck = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), v: ProtocolVersion, results: z.array(DeskSearchResult).max(MAX_SEARCH_RESULTS) }),
  z.object({ ok: z.literal(false), v: ProtocolVersion, error: ErrorBody }),
]);
export type AttendeesSearchAck = z.infer<typeof AttendeesSearchAck>;
