import { EventEmitter } from 'node:events';
import { describeZodError, newId, normalizeBandUid, type Staff, type Station } from '@tapline/shared';
import type { Logger } from 'pino';
import { TerminalError, type Terminal } from '../runtime/index.ts';
import {
  CallArgs,
  type BandBounce,
  type BandLookup,
  type BandTap,
  type CallName,
  type CallResults,
  type FoundHubView,
  type KioskState,
  type ReaderView,
  type RecentOrderView,
  type SaleOutcome,
  type StationView,
} from './api.ts';
import { DeskCalls } from './desk-calls.ts';
import { KioskError } from './kiosk-error.ts';
import { linesSummary, stationMenu } from './menu.ts';
import { PinCheck } from './pin-check.ts';
import { TapBook } from './tap-book.ts';

/** The NFC side as the service needs it (desktop/src/nfc/band-reader.ts, or a stand-in when NFC is off). */
export interface TapSource {
  state(): ReaderView;
  on(event: 'state', listener: (s: ReaderView) => void): unknown;
  on(event: 'tap', listener: (t: Omit<BandTap, 'manual'>) => void): unknown;
  /** The same band back on a reader within the bounce window: read, but not a tap. */
  on(event: 'bounce', listener: (b: BandBounce) => void): unknown;
}

/** Hubs found on the LAN (desktop/src/discovery/hub-finder.ts). */
export interface HubSource {
  hubs(): FoundHubView[];
  on(event: 'change', listener: (hubs: FoundHubView[]) => void): unknown;
}

export interface KioskServiceEvents {
  state: [KioskState];
  tap: [BandTap];
  hubs: [FoundHubView[]];
  bounce: [BandBounce];
}

type Handlers = { [M in CallName]: (args: ReturnType<(typeof CallArgs)[M]['parse']>) => Promise<CallResults[M]> | CallResults[M] };

/**
 * Everything the bartender's screens can ask of the kiosk, whatever carries the call (Electron IPC or loopback
 * HTTP). It owns the session (who is logged in), the taps and what they paid for; the terminal runtime owns orders.
 */
export class KioskService extends EventEmitter<KioskServiceEvents> {
  private staff: Staff | null = null;
  private readonly pins = new PinCheck();
  private readonly taps = new TapBook();
  private readonly desk: DeskCalls;
  private stateQueued = false;

  constructor(
    private readonly terminal: Terminal,
    private readonly reader: TapSource,
    private readonly finder: HubSource | null,
    private readonly log: Logger,
  ) {
    super();
    this.desk = new DeskCalls(terminal, this.taps, log);
    terminal.on('status', (st) => {
      // Switched off by head office: whoever was logged in logs in again once it is back.
      if (st.revoked && this.staff) {
        this.log.warn({ staffId: this.staff.id }, 'logged out: head office revoked this terminal');
        this.staff = null;
      }
      this.queueState();
    });
    terminal.on('config', () => {
      // A staff member removed or changed by head office is logged out at once.
      if (this.staff && !this.eventStaff().some((s) => s.id === this.staff!.id && s.pinHash === this.staff!.pinHash)) this.staff = null;
      this.queueState();
    });
    reader.on('state', () => this.queueState());
    reader.on('tap', (t) => this.acceptTap({ ...t, manual: false }));
    reader.on('bounce', (b) => this.emit('bounce', b));
    finder?.on('change', (hubs) => this.emit('hubs', hubs));
  }

  /** The one entry point of every transport: validates the arguments, runs the call, maps failures to KioskError. */
  async call(method: string, rawArgs: unknown): Promise<unknown> {
    if (!Object.hasOwn(CallArgs, method)) throw new KioskError('unknown_call', `The kiosk has no call "${method}".`);
    const name = method as CallName;
    const parsed = CallArgs[name].safeParse(rawArgs ?? {});
    if (!parsed.success) throw new KioskError('invalid_input', describeZodError(parsed.error));
    try {
      return await (this.handlers[name] as (a: unknown) => unknown)(parsed.data);
    } catch (err) {
      if (err instanceof KioskError) throw err;
      if (err instanceof TerminalError) throw new KioskError(err.code === 'not_configured' ? 'not_ready' : err.code === 'unknown_supervisor' ? 'not_supervisor' : err.code, err.message);
      this.log.error({ err, method }, 'kiosk call failed');
      throw new KioskError('internal', 'Something went wrong in the kiosk. The order was not taken; try again.');
    }
  }

  state(): KioskState {
    const st = this.terminal.status();
    const catalog = this.terminal.catalog();
    const event = catalog.event;
    const station = this.currentStation();
    const setup: KioskState['setup'] = !st.paired ? 'unpaired' : !event ? 'configuring' : !station ? 'no_station' : 'ready';
    return {
      setup,
      terminalName: st.terminalName,
      hub: { url: st.hubUrl, connected: st.hubConnected, lastAckAt: st.lastAckAt },
      cloud: st.hubConnected
        ? { uplink: st.uplink, pendingUpload: st.hubPendingUpload, lastUploadAt: st.hubLastUploadAt }
        : { uplink: 'unknown', pendingUpload: null, lastUploadAt: null },
      pending: st.pending,
      reader: this.reader.state(),
      event: event && {
        id: event.id,
        name: event.name,
        currency: event.currency,
        offlineBandAllowance: event.offlineBandAllowance,
        offlineTerminalTotal: event.offlineTerminalTotal,
        noCardAllowance: event.noCardAllowance,
      },
      station: station && { id: station.id, name: station.name, mode: station.mode },
      staff: this.staff && { id: this.staff.id, name: this.staff.name, role: this.staff.role },
      offline: {
        active: st.paired && !st.hubConnected,
        terminalSpent: this.terminal.offlineTakings(),
        terminalCap: event?.offlineTerminalTotal ?? 0,
      },
      revoked: st.revoked && { terminalId: st.terminalId, message: st.revoked.message, since: st.revoked.since },
    };
  }

  private readonly handlers: Handlers = {
    state: () => this.state(),
    hubs: () => this.finder?.hubs() ?? [],
    pair: async ({ hubUrl, code, name }) => {
      const result = await this.terminal.pair(hubUrl, code, name);
      this.terminal.start();
      this.staff = null;
      this.queueState();
      return { terminalId: result.terminalId, hubUrl: result.hubUrl };
    },
    stations: () => {
      const { event, stations, products } = this.terminal.catalog();
      if (!event) throw new KioskError('not_ready', "The hub's configuration has not arrived yet.");
      return stations
        .filter((s) => s.eventId === event.id)
        .map((s): StationView => ({
          id: s.id,
          name: s.name,
          mode: s.mode,
          products: s.productIds.filter((id) => products.some((p) => p.id === id && p.active)).length,
        }))
        .sort((a, b) => (a.mode === b.mode ? a.name.localeCompare(b.name) : a.mode === 'bar' ? -1 : 1));
    },
    chooseStation: async ({ stationId, supervisorPin }) => {
      if (this.currentStation()) await this.supervisor(supervisorPin, 'Changing the station needs a supervisor PIN.');
      const station = this.terminal.catalog().stations.find((s) => s.id === stationId);
      if (!station) throw new KioskError('unknown_station', 'That station is not in the configuration from the hub.');
      this.terminal.setStation(stationId);
      this.staff = null;
      return this.stateNow();
    },
    login: async ({ pin }) => {
      const station = this.requireStation();
      const who = await this.pins.identify(pin, this.eventStaff());
      if (!who) throw new KioskError('wrong_pin', 'That PIN is not right. Try again.');
      // Bartenders sell, registration staff register, supervisors may do both.
      if (who.role !== 'supervisor' && (who.role === 'registration') !== (station.mode === 'registration')) {
        throw new KioskError(
          'wrong_station_role',
          station.mode === 'registration'
            ? `${who.name} is a bartender: this kiosk is a registration desk. Log in at a bar.`
            : `${who.name} is registration staff: this kiosk sells at ${station.name}. Log in at a registration desk.`,
        );
      }
      this.staff = who;
      this.log.info({ staffId: who.id, name: who.name }, 'staff logged in');
      return this.stateNow();
    },
    logout: () => {
      this.staff = null;
      return this.stateNow();
    },
    menu: () => {
      const station = this.requireReady();
      const { event, products } = this.terminal.catalog();
      return stationMenu(station, products, event!.currency);
    },
    sell: ({ tapId, lines }) => {
      const station = this.requireReady();
      const staff = this.requireStaff();
      return this.taps.spend(tapId, (tap): SaleOutcome => {
        const band = this.terminal.catalog().band(tap.uid);
        const firstName = band?.firstName ?? null;
        const result = this.terminal.sell({ stationId: station.id, staffId: staff.id, bandUid: tap.uid, lines });
        if (!result.approved) {
          this.log.info({ bandUid: tap.uid, reason: result.reason }, 'sale declined');
          return { approved: false, reason: result.reason, message: result.message, firstName, bandUid: tap.uid };
        }
        const o = result.order;
        return { approved: true, orderId: o.id, seq: o.seq, total: o.total, tabTotal: result.tabTotal, firstName, bandUid: tap.uid, offline: o.offline };
      });
    },
    lookup: ({ tapId }): BandLookup => {
      const tap = this.taps.get(tapId);
      const band = this.terminal.catalog().band(tap.uid);
      return {
        bandUid: tap.uid,
        known: band !== undefined,
        firstName: band?.firstName ?? null,
        status: band?.status ?? null,
        tabTotal: this.terminal.tabTotal(tap.uid),
      };
    },
    recent: ({ limit }) => {
      this.requireStaff();
      const orders = this.terminal.recentOrders((limit ?? 30) + 50);
      const voided = new Set(orders.flatMap((o) => (o.fact.kind === 'void' ? [o.fact.voidsOrderId] : [])));
      const catalog = this.terminal.catalog();
      return orders.slice(0, limit ?? 30).map((o): RecentOrderView => {
        const fact = o.fact;
        return {
          id: o.id,
          seq: o.seq,
          kind: o.kind,
          createdAt: o.createdAt,
          total: o.total,
          bandUid: o.bandUid,
          firstName: catalog.band(o.bandUid)?.firstName ?? null,
          status: o.status,
          offline: o.offline,
          voided: voided.has(o.id),
          summary: fact.kind === 'sale' ? linesSummary(fact.lines) : `Void of #${orders.find((x) => x.id === fact.voidsOrderId)?.seq ?? '?'}: ${fact.reason}`,
        };
      });
    },
    voidOrder: async ({ orderId, supervisorPin, reason }) => {
      this.requireReady();
      const staff = this.requireStaff();
      const supervisor = await this.supervisor(supervisorPin, 'A void needs a supervisor PIN.');
      const result = this.terminal.voidOrder({ orderId, reason, supervisorId: supervisor.id, staffId: staff.id });
      this.log.info({ orderId, supervisorId: supervisor.id }, 'order voided');
      return { tabTotal: result.tabTotal, voidSeq: result.order.seq };
    },
    manualTap: async ({ supervisorPin, bandNumber }) => {
      this.requireStation();
      const supervisor = await this.supervisor(supervisorPin, 'Entering a band number needs a supervisor PIN.');
      const uid = normalizeBandUid(bandNumber);
      if (!uid) throw new KioskError('invalid_input', `"${bandNumber}" is not a band number: it is the 8 or 14 characters printed on the band.`);
      const tap: BandTap = { id: newId(), uid, reader: `manual (${supervisor.name})`, at: new Date().toISOString(), manual: true };
      this.acceptTap(tap);
      return tap;
    },
    deskSearch: (args) => {
      this.requireDesk();
      return this.desk.search(args);
    },
    deskAttendee: (args) => {
      this.requireDesk();
      return this.desk.attendee(args);
    },
    deskSignUp: (args) => this.desk.signUp(args, this.requireDesk()),
    deskPair: (args) => this.desk.pair(args, this.requireDesk()),
    deskBand: (args) => {
      this.requireDesk();
      return this.desk.band(args);
    },
    deskBlock: (args) => this.desk.block(args, this.requireDesk()),
  };

  private acceptTap(tap: BandTap): void {
    this.taps.add(tap);
    this.emit('tap', tap);
  }

  private currentStation() {
    const stationId = this.terminal.status().stationId;
    const catalog = this.terminal.catalog();
    const station = stationId ? catalog.stations.find((s) => s.id === stationId) : undefined;
    return station && catalog.event && station.eventId === catalog.event.id ? station : null;
  }

  private eventStaff(): Staff[] {
    const event = this.terminal.catalog().event;
    return event ? this.terminal.staffMembers().filter((s) => s.eventId === event.id) : [];
  }

  /** A bar's calls: the kiosk is set up at a bar. */
  private requireReady() {
    const station = this.requireStation();
    if (station.mode !== 'bar') throw new KioskError('not_at_bar', `${station.name} is a registration desk: it does not sell.`);
    return station;
  }

  private requireStation() {
    if (!this.terminal.isPaired()) throw new KioskError('not_paired', 'Pair this kiosk with the hub first.');
    const revoked = this.terminal.revokedStanding();
    if (revoked) throw new KioskError('revoked', `${revoked.message} Call your supervisor.`);
    const station = this.currentStation();
    if (!station) throw new KioskError('not_ready', 'Choose the station this kiosk sells at first.');
    return station;
  }

  /** A desk's calls: the kiosk is set up at a registration desk and someone is logged in. */
  private requireDesk(): { staff: Staff; station: Station } {
    const station = this.requireStation();
    if (station.mode !== 'registration') throw new KioskError('not_at_desk', `${station.name} is a bar: registration runs at a registration desk.`);
    return { staff: this.requireStaff(), station };
  }

  private requireStaff(): Staff {
    if (!this.staff) throw new KioskError('not_logged_in', 'Log in with your PIN first.');
    return this.staff;
  }

  private async supervisor(pin: string | undefined, why: string): Promise<Staff> {
    if (!pin) throw new KioskError('not_supervisor', why);
    const who = await this.pins.identify(pin, this.eventStaff().filter((s) => s.role === 'supervisor'));
    if (!who) throw new KioskError('not_supervisor', 'That is not a supervisor PIN.');
    return who;
  }

  private stateNow(): KioskState {
    const s = this.state();
    this.emit('state', s);
    return s;
  }

  /** Acks can arrive hundreds a second: the screens get one state per event-loop turn at most. */
  private queueState(): void {
    if (this.stateQueued) return;
    this.stateQueued = true;
    setImmediate(() => {
      this.stateQueued = false;
      if (this.listenerCount('state') > 0) this.emit('state', this.state());
    });
  }
}
