import { z } from 'zod';

/**
 * The one API between the kiosk's screens (renderer) and the kiosk process (runtime, NFC, discovery). The same calls
 * travel over Electron IPC (preload) or over loopback HTTP + server-sent events (browser kiosk); the renderer only
 * `import type`s from here, the kiosk process validates every argument with these schemas.
 */

export const PinArg = z.string().regex(/^\d{4,8}$/, 'a PIN of 4 to 8 digits');

export const CallArgs = {
  state: z.object({}),
  hubs: z.object({}),
  pair: z.object({
    hubUrl: z.string().trim().min(1).max(200),
    code: z.string().regex(/^\d{6}$/, 'the six-digit code the hub shows'),
    name: z.string().trim().min(1).max(60),
  }),
  stations: z.object({}),
  chooseStation: z.object({ stationId: z.string().min(1).max(80), supervisorPin: PinArg.optional() }),
  login: z.object({ pin: PinArg }),
  logout: z.object({}),
  menu: z.object({}),
  sell: z.object({
    tapId: z.string().min(1).max(80),
    lines: z.array(z.object({ productId: z.string().min(1).max(80), quantity: z.number().int().min(1).max(999) })).min(1).max(100),
  }),
  lookup: z.object({ tapId: z.string().min(1).max(80) }),
  recent: z.object({ limit: z.number().int().min(1).max(200).optional() }),
  voidOrder: z.object({ orderId: z.string().min(1).max(80), supervisorPin: PinArg, reason: z.string().trim().min(1).max(200) }),
  manualTap: z.object({ supervisorPin: PinArg, bandNumber: z.string().trim().min(1).max(40) }),
  // Registration desk. The sign-up fields are checked field by field against the shared schemas by the call itself,
  // so a typo comes back as a sentence under its field rather than as one refusal for the whole form.
  deskSearch: z.object({ query: z.string().trim().min(1).max(200), limit: z.number().int().min(1).max(50).optional() }),
  deskAttendee: z.object({ attendeeId: z.string().min(1).max(80) }),
  deskSignUp: z.object({
    firstName: z.string().max(200),
    lastName: z.string().max(200),
    email: z.string().max(400),
    phone: z.string().max(60),
    smsConsent: z.boolean(),
  }),
  deskPair: z.object({ tapId: z.string().min(1).max(80), attendeeId: z.string().min(1).max(80), replacesBandUid: z.string().trim().min(1).max(40).nullable() }),
  deskBand: z.object({ tapId: z.string().min(1).max(80) }),
  deskBlock: z.object({ bandUid: z.string().trim().min(1).max(40), reason: z.string().trim().min(1).max(200) }),
} as const;

export type CallName = keyof typeof CallArgs;
export type CallArgsOf<M extends CallName> = z.input<(typeof CallArgs)[M]>;

export type UplinkView = 'online' | 'offline' | 'unknown';

export interface ReaderView {
  status: 'starting' | 'no_service' | 'no_reader' | 'ready';
  readers: string[];
  message: string;
  cardPresent: boolean;
}

export interface KioskState {
  /** unpaired → pair with a hub; configuring → waiting for the hub's first configuration; no_station → pick one; ready. */
  setup: 'unpaired' | 'configuring' | 'no_station' | 'ready';
  terminalName: string | null;
  hub: { url: string | null; connected: boolean; lastAckAt: string | null };
  /** The hub's link to the cloud, as the hub last said (unknown while the hub is unreachable). */
  cloud: { uplink: UplinkView; pendingUpload: number | null; lastUploadAt: string | null };
  /** Orders this kiosk made that the hub has not acknowledged yet. */
  pending: number;
  reader: ReaderView;
  event: { id: string; name: string; currency: string; offlineBandAllowance: number; offlineTerminalTotal: number; noCardAllowance: number } | null;
  /** A bar sells; a registration desk finds and signs up attendees and pairs and blocks bands. */
  station: { id: string; name: string; mode: 'bar' | 'registration' } | null;
  staff: { id: string; name: string; role: 'bartender' | 'supervisor' | 'registration' } | null;
  /** Selling without the hub: what this terminal has taken offline, against the event's cap. */
  offline: { active: boolean; terminalSpent: number; terminalCap: number };
  /**
   * Head office switched this terminal off (a lost or stolen kiosk): it sells and registers nothing until the hub lets
   * it back in. `terminalId` is how the supervisor finds it in the console; `pending` stays in `pending`.
   */
  revoked: { terminalId: string | null; message: string; since: string } | null;
}

export interface FoundHubView {
  hubId: string;
  name: string;
  url: string;
}

export interface StationView {
  id: string;
  name: string;
  mode: 'bar' | 'registration';
  products: number;
}

export interface MenuView {
  currency: string;
  categories: Array<{ name: string; products: Array<{ id: string; name: string; price: number }> }>;
}

/**
 * A band read again on the same reader right after it left (uid-bounce.ts): not a new tap, so nothing is charged; the
 * screen waiting for a tap can say to lift the band away and tap again.
 */
export interface BandBounce {
  uid: string;
  reader: string;
  at: string;
}

export interface BandTap {
  id: string;
  uid: string;
  reader: string;
  at: string;
  /** Entered by hand with a supervisor's PIN (broken reader). */
  manual: boolean;
}

export type DeclineReasonView = 'unknown_band' | 'blocked' | 'over_limit' | 'offline_allowance' | 'offline_terminal_total';

export type SaleOutcome =
  | {
      approved: true;
      orderId: string;
      seq: number;
      total: number;
      tabTotal: number;
      firstName: string | null;
      bandUid: string;
      offline: boolean;
    }
  | { approved: false; reason: DeclineReasonView; message: string; firstName: string | null; bandUid: string };

export interface BandLookup {
  bandUid: string;
  known: boolean;
  firstName: string | null;
  status: 'active' | 'blocked' | null;
  /** The tab as this kiosk knows it. */
  tabTotal: number;
}

export interface RecentOrderView {
  id: string;
  seq: number;
  kind: 'sale' | 'void';
  createdAt: string;
  total: number;
  bandUid: string;
  firstName: string | null;
  /** pending: not yet at the hub; acked: the hub has it; rejected: the hub refused it. */
  status: 'pending' | 'acked' | 'rejected';
  offline: boolean;
  voided: boolean;
  summary: string;
}

export type CardStatusView = 'none' | 'pending' | 'ready' | 'failed';

export interface DeskBandView {
  uid: string;
  status: 'active' | 'blocked';
}

/** An attendee as the desk shows them. Contact details come masked for lists read over a shoulder, and in full. */
export interface DeskAttendeeView {
  id: string;
  firstName: string;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  /** e.g. "+31 ••• ••• 0001" */
  phoneMasked: string | null;
  /** e.g. "em•••@example.com" */
  emailMasked: string | null;
  smsConsent: boolean;
  cardStatus: CardStatusView;
  cardLast4: string | null;
  confirmationCode: string | null;
  cardUrl: string | null;
  /** The card page's address as an SVG QR code for the attendee's phone (deskAttendee only; null in search rows). */
  cardQrSvg: string | null;
  bands: DeskBandView[];
}

export type SignUpField = 'firstName' | 'lastName' | 'email' | 'phone';

export type SignUpOutcome = { ok: true; attendee: DeskAttendeeView } | { ok: false; fields: Partial<Record<SignUpField, string>> };

export type PairRefusal = 'band_blocked' | 'band_taken' | 'unknown_attendee' | 'replaced_band_not_blocked' | 'attendee_has_band';

export type PairOutcome =
  | { paired: true; bandUid: string; attendee: DeskAttendeeView; replacedBandUid: string | null }
  | { paired: false; reason: PairRefusal; message: string; bandUid: string };

/** What this kiosk knows of a tapped band right now. */
export interface DeskBandLookup {
  uid: string;
  status: 'active' | 'blocked' | 'unknown';
  attendeeId: string | null;
  firstName: string | null;
  hasCard: boolean;
}

export interface CallResults {
  state: KioskState;
  hubs: FoundHubView[];
  pair: { terminalId: string; hubUrl: string };
  stations: StationView[];
  chooseStation: KioskState;
  login: KioskState;
  logout: KioskState;
  menu: MenuView;
  sell: SaleOutcome;
  lookup: BandLookup;
  recent: RecentOrderView[];
  voidOrder: { tabTotal: number; voidSeq: number };
  manualTap: BandTap;
  deskSearch: DeskAttendeeView[];
  deskAttendee: DeskAttendeeView;
  deskSignUp: SignUpOutcome;
  deskPair: PairOutcome;
  deskBand: DeskBandLookup;
  deskBlock: { bandUid: string; alreadyBlocked: boolean; attendee: DeskAttendeeView | null };
}

export interface KioskEvents {
  state: KioskState;
  tap: BandTap;
  hubs: FoundHubView[];
  bounce: BandBounce;
}

export type KioskErrorCode =
  | 'invalid_input'
  | 'unknown_call'
  | 'not_paired'
  | 'not_ready'
  | 'not_logged_in'
  | 'wrong_pin'
  | 'locked_out'
  | 'not_supervisor'
  | 'unknown_tap'
  | 'tap_used'
  | 'tap_expired'
  | 'unknown_station'
  | 'unknown_product'
  | 'unknown_order'
  | 'already_voided'
  | 'pairing_failed'
  | 'hub_unreachable'
  | 'bad_pairing_code'
  | 'pending_orders'
  | 'not_at_desk'
  | 'not_at_bar'
  | 'wrong_station_role'
  | 'unknown_attendee'
  | 'band_blocked'
  | 'band_taken'
  | 'replaced_band_not_blocked'
  | 'revoked'
  | 'internal';

/** What a refused call answers: a code for the screens' logic and a sentence for the bartender. */
export interface KioskErrorBody {
  code: KioskErrorCode;
  message: string;
}

/** How the renderer reaches the kiosk process, whichever the transport. */
export interface KioskBridge {
  call<M extends CallName>(method: M, args: CallArgsOf<M>): Promise<CallResults[M]>;
  on<E extends keyof KioskEvents>(event: E, listener: (payload: KioskEvents[E]) => void): () => void;
}
