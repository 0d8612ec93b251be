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
  event: { id: string; name: string; currency: string; offlineBandAllowance: number; offlineTerminalTotal: number } | null;
  station: { id: string; name: string } | null;
  staff: { id: string; name: string; role: 'bartender' | 'supervisor' | 'registration' } | null;
  /** Selling without the hub: what this terminal has taken offline, against the event's cap. */
  offline: { active: boolean; terminalSpent: number; terminalCap: number };
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
}

export interface KioskEvents {
  state: KioskState;
  tap: BandTap;
  hubs: FoundHubView[];
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
