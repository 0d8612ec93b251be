import {
  normalizeBandUid,
  PROTOCOL_VERSION,
  type ConfigMessage,
  type Event,
  type HubStatus,
  type Product,
  type Station,
  type TabsMessage,
  type UplinkState,
  type Wristband,
} from '@tapline/shared';
import { EventEmitter } from 'node:events';
import { BandView } from './band-view.ts';
import { ConfigCache } from './config-cache.ts';
import { DeskMemory } from './desk-memory.ts';
import { openDb, type TerminalDb } from './db/open.ts';
import { TerminalError } from './errors.ts';
import { createLogger, type Logger } from './log.ts';
import { MetaStore } from './meta-store.ts';
import {
  OrderStore,
  type AckOutcome,
  type SellInput,
  type SellResult,
  type StoredOrder,
  type VoidInput,
  type VoidResult,
} from './order-store.ts';
import { OutboxSender, type SenderOptions } from './outbox-sender.ts';
import { pair, type PairingResult } from './pairing.ts';
import { TerminalRegistrationDesk, type RegistrationDesk } from './registration-desk.ts';
import { VenueTabs } from './venue-tabs.ts';

export type SenderTuning = Pick<
  SenderOptions,
  'batchSize' | 'ackTimeoutMs' | 'retryMinMs' | 'retryMaxMs' | 'reconnectDelayMs' | 'reconnectDelayMaxMs'
>;

export interface OpenTerminalOptions {
  dbPath: string;
  logger?: Logger;
  sender?: SenderTuning;
}

/** Head office switched this terminal off (a lost or stolen kiosk): it makes no fact until the hub lets it back in. */
export interface RevokedStanding {
  /** The hub's sentence, with head office's reason when it gave one. */
  message: string;
  /** When this terminal first heard it (its own clock: for people, never for ordering). */
  since: string;
}

export interface TerminalStatus {
  paired: boolean;
  terminalId: string | null;
  hubId: string | null;
  hubUrl: string | null;
  /** The name given at pairing, shown on the hub's status page. */
  terminalName: string | null;
  stationId: string | null;
  hubConnected: boolean;
  /** Orders not yet acknowledged by the hub (the outbox). */
  pending: number;
  lastAckAt: string | null;
  /** The hub's link to the cloud, as the hub last said. */
  uplink: UplinkState;
  hubPendingUpload: number | null;
  hubLastUploadAt: string | null;
  configCursor: number | null;
  /**
   * Set when the hub refused this terminal with `revoked` (kept across restarts); cleared by the next handshake the hub
   * accepts, i.e. once head office has restored it. Its outbox stays as it is meanwhile.
   */
  revoked: RevokedStanding | null;
}

export interface Catalog {
  /** The event of this terminal's station, else the one event in the cache; null until configured. */
  event: Event | null;
  stations: Station[];
  products: Product[];
  band(uid: string): Wristband | undefined;
  /** Every band in the cache (can be tens of thousands: built on each call). */
  bands(): Wristband[];
}

export interface TerminalEvents {
  status: [TerminalStatus];
  config: [ConfigMessage];
  acked: [AckOutcome];
  /** The hub's venue-wide tabs were applied: a tab on screen may have changed. */
  tabs: [TabsMessage];
  /** What this terminal knows of these bands may have changed (its own registration fact, or the hub's config). */
  bands: [string[]];
}

/** The runtime of one kiosk: storage, order making, delivery to the hub. No UI and no Electron here. */
export class Terminal extends EventEmitter<TerminalEvents> {
  private readonly meta: MetaStore;
  private readonly cache: ConfigCache;
  private readonly orders: OrderStore;
  private readonly venueTabs: VenueTabs;
  private readonly bandView: BandView;
  private readonly deskMemory: DeskMemory;
  private revoked: RevokedStanding | null;
  /** The registration desk's calls: search at the hub, signups, pairings, blocks (see registration-desk.ts). */
  readonly registration: RegistrationDesk;
  private sender: OutboxSender | null = null;
  private terminalId: string | null;
  private hubStatus: HubStatus | null = null;
  private closed = false;

  constructor(
    private readonly db: TerminalDb,
    private readonly log: Logger,
    private readonly tuning: SenderTuning = {},
  ) {
    super();
    this.meta = new MetaStore(db);
    this.cache = new ConfigCache(db);
    this.terminalId = this.meta.get('terminalId');
    this.revoked = readStanding(this.meta.get('revoked'));
    this.venueTabs = new VenueTabs(db, this.meta);
    this.bandView = new BandView(this.cache, [], []);
    this.deskMemory = new DeskMemory(db);
    // Attendees the desk found before a restart can still be opened and paired without searching again.
    for (const found of this.deskMemory.all()) {
      const { bands: _bands, ...attendee } = found;
      this.bandView.remember(attendee);
    }
    const orders = new OrderStore(
      db,
      this.cache,
      {
        terminalId: () => this.terminalId,
        online: () => this.sender?.connected ?? false,
        tabsCommittedSeq: () => this.venueTabs.committedSeq(),
      },
      this.bandView,
    );
    // Own facts from before a restart: walk-ups stay pairable here, unanswered pairings and blocks keep counting.
    for (const s of orders.ownSignups()) this.bandView.recordOwn(s);
    for (const f of orders.pendingRegistrations()) if (f.kind !== 'signup') this.bandView.recordOwn(f);
    this.orders = orders;
    this.registration = new TerminalRegistrationDesk({
      cache: this.cache,
      orders,
      bands: this.bandView,
      memory: this.deskMemory,
      terminalId: () => this.terminalId,
      refusal: () => this.refusal(),
      eventId: () => this.catalog().event?.id ?? null,
      online: () => this.sender?.connected ?? false,
      ask: (event, payload, timeoutMs) => this.sender?.ask(event, payload, timeoutMs) ?? null,
      onFact: (fact) => {
        this.sender?.wake();
        if (fact.kind !== 'signup') this.emit('bands', [fact.bandUid]);
        this.emitStatus();
      },
    });
  }

  isPaired(): boolean {
    return this.terminalId !== null && this.meta.get('token') !== null;
  }

  /**
   * Pairs (or re-pairs) with a hub. Refused while orders wait for the hub, since they carry the old identity.
   * A started terminal reconnects with its new identity.
   */
  async pair(hubUrl: string, code: string, name: string): Promise<PairingResult> {
    const pending = this.orders.outboxCount();
    if (this.isPaired() && pending > 0) {
      throw new TerminalError('pending_orders', `${pending} orders have not reached the current hub yet; pair again once they have.`);
    }
    const previousHubId = this.isPaired() ? this.meta.get('hubId') : null;
    const result = await pair(this.meta, hubUrl, code, name);
    this.terminalId = result.terminalId;
    this.venueTabs.paired(previousHubId === result.hubId, this.orders.lastSeq());
    if (previousHubId !== result.hubId) this.deskMemory.clear();
    // A new identity: whatever head office said of the old one does not stand for it.
    this.setStanding(null);
    this.log.info({ hubUrl: result.hubUrl, hubId: result.hubId, terminalId: result.terminalId }, 'paired with the hub');
    if (this.sender) {
      await this.stopSender();
      this.start();
    }
    this.emitStatus();
    return result;
  }

  /** Connects to the hub and starts delivering the outbox (including what a previous run left in it). */
  start(): void {
    if (this.closed) throw new Error('this terminal has been closed');
    if (this.sender) return;
    const hubUrl = this.meta.get('hubUrl');
    const token = this.meta.get('token');
    if (!this.terminalId || !hubUrl || !token) throw new TerminalError('not_paired', 'Pair this terminal with a hub before starting it.');
    const sender = new OutboxSender({
      ...this.tuning,
      hubUrl,
      auth: { v: PROTOCOL_VERSION, terminalId: this.terminalId, token },
      store: this.orders,
      logger: this.log,
    });
    sender.on('connected', () => {
      // The hub accepted a handshake: head office has not revoked this terminal (or has restored it).
      this.setStanding(null);
      this.emitStatus();
    });
    sender.on('revoked', (message) => this.setStanding(message));
    sender.on('disconnected', () => this.emitStatus());
    sender.on('config', (msg) => {
      this.cache.apply(msg);
      this.log.info({ full: msg.full, cursor: msg.cursor, entities: msg.entities.length }, 'configuration received');
      this.emit('config', msg);
      const bands = msg.entities.flatMap((e) => (e.kind === 'band' ? [e.data.uid] : []));
      if (bands.length) this.emit('bands', bands);
      this.emitStatus();
    });
    sender.on('tabs', (msg) => {
      this.venueTabs.apply(msg);
      this.log.debug({ full: msg.full, committedSeq: msg.committedSeq, bands: msg.tabs.length }, 'venue tabs received');
      this.emit('tabs', msg);
    });
    sender.on('hubStatus', (st) => {
      this.hubStatus = st;
      this.emitStatus();
    });
    sender.on('acked', (outcome) => {
      this.bandView.settled([...outcome.acked, ...outcome.rejected.map((r) => r.id)]);
      this.meta.set('lastAckAt', new Date().toISOString());
      this.emit('acked', outcome);
      this.emitStatus();
    });
    this.sender = sender;
    sender.start();
  }

  /** Approves or declines a sale; an approved sale is durably stored when this returns. */
  sell(input: SellInput): SellResult {
    const refusal = this.refusal();
    if (refusal) throw refusal;
    const result = this.orders.sell(input);
    if (result.approved) {
      this.sender?.wake();
      this.emitStatus();
    }
    return result;
  }

  voidOrder(input: VoidInput): VoidResult {
    const refusal = this.refusal();
    if (refusal) throw refusal;
    const result = this.orders.voidOrder(input);
    this.sender?.wake();
    this.emitStatus();
    return result;
  }

  /** The station this kiosk sells at, remembered across restarts. */
  setStation(stationId: string): void {
    if (!this.cache.get('station', stationId)) throw new TerminalError('unknown_station', `Station "${stationId}" is not in this terminal's configuration.`);
    this.meta.set('stationId', stationId);
  }

  catalog(): Catalog {
    const stationId = this.meta.get('stationId');
    const station = stationId ? this.cache.get('station', stationId) : undefined;
    const event = (station && this.cache.get('event', station.eventId)) ?? this.cache.all('event')[0] ?? null;
    return {
      event,
      stations: this.cache.all('station'),
      products: this.cache.all('product'),
      band: (uid: string) => {
        const norm = normalizeBandUid(uid);
        return norm ? this.bandView.band(norm) : undefined;
      },
      bands: () => this.cache.all('band'),
    };
  }

  /** Staff of the cache (for PIN login in the UI); pinHash is a scrypt hash, never a PIN. */
  staff(id: string) {
    return this.cache.get('staff', id);
  }

  /** Every staff member in the cache, with PIN hashes (for PIN login and supervisor checks). */
  staffMembers() {
    return this.cache.all('staff');
  }

  /** The tab this band spends on: its attendee's over all their bands, else the band's own. */
  tabTotal(bandUid: string): number {
    const norm = normalizeBandUid(bandUid);
    return norm ? this.orders.tabOf(norm) : 0;
  }

  /** Newest first. */
  recentOrders(n = 50): StoredOrder[] {
    return this.orders.recent(n);
  }

  order(id: string): StoredOrder | undefined {
    return this.orders.get(id);
  }

  /** What this terminal has sold offline and not yet delivered, against the event's offline terminal total. */
  offlineTakings(): number {
    return this.orders.offlineTakings();
  }

  counts() {
    return this.orders.counts();
  }

  /** Head office's revocation while it stands, else null (cheap: read on every call the screens make). */
  revokedStanding(): RevokedStanding | null {
    return this.revoked;
  }

  status(): TerminalStatus {
    const cursor = this.meta.get('configCursor');
    return {
      paired: this.isPaired(),
      terminalId: this.terminalId,
      hubId: this.meta.get('hubId'),
      hubUrl: this.meta.get('hubUrl'),
      terminalName: this.meta.get('terminalName'),
      stationId: this.meta.get('stationId'),
      hubConnected: this.sender?.connected ?? false,
      pending: this.orders.outboxCount(),
      lastAckAt: this.meta.get('lastAckAt'),
      uplink: this.hubStatus?.uplink ?? 'unknown',
      hubPendingUpload: this.hubStatus?.pendingUpload ?? null,
      hubLastUploadAt: this.hubStatus?.lastUploadAt ?? null,
      configCursor: cursor === null ? null : Number(cursor),
      revoked: this.revoked,
    };
  }

  /** Resolves once the cache holds an event, i.e. the terminal can sell. */
  whenConfigured(): Promise<void> {
    if (this.cache.hasEvent()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (!this.cache.hasEvent()) return;
        this.off('config', check);
        resolve();
      };
      this.on('config', check);
    });
  }

  /** Resolves when every order made so far has been answered by the hub. */
  whenDrained(): Promise<void> {
    if (this.orders.outboxCount() === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (this.orders.outboxCount() > 0) return;
        this.off('acked', check);
        resolve();
      };
      this.on('acked', check);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.stopSender();
    this.db.$client.close();
  }

  private async stopSender(): Promise<void> {
    const s = this.sender;
    this.sender = null;
    this.hubStatus = null;
    if (s) await s.close();
  }

  /** Why this terminal may make no fact now, or null when it may. */
  private refusal(): TerminalError | null {
    if (!this.revoked) return null;
    return new TerminalError('revoked', `${this.revoked.message} It cannot sell or register until head office switches it back on.`);
  }

  private setStanding(message: string | null): void {
    if (this.closed || (message ?? null) === (this.revoked?.message ?? null)) return;
    if (message === null) {
      this.revoked = null;
      this.meta.delete('revoked');
      this.log.warn('this terminal may trade again (the hub accepted it, or it was paired anew)');
    } else {
      this.revoked = { message, since: this.revoked?.since ?? new Date().toISOString() };
      this.meta.set('revoked', JSON.stringify(this.revoked));
      this.log.error({ message, pending: this.orders.outboxCount() }, 'head office revoked this terminal; it makes no fact until restored');
    }
    this.emitStatus();
  }

  private emitStatus(): void {
    if (this.closed || this.listenerCount('status') === 0) return;
    this.emit('status', this.status());
  }
}

function readStanding(raw: string | null): RevokedStanding | null {
  if (!raw) return null;
  try {
    const s = JSON.parse(raw) as Partial<RevokedStanding>;
    if (typeof s.message === 'string' && typeof s.since === 'string') return { message: s.message, since: s.since };
  } catch {
    // unreadable: still revoked, with a plain sentence
  }
  return { message: 'This terminal was revoked by head office.', since: new Date().toISOString() };
}

export function openTerminal(opts: OpenTerminalOptions): Terminal {
  const log = opts.logger ?? createLogger('terminal');
  return new Terminal(openDb(opts.dbPath), log, opts.sender);
}
