import { EventEmitter } from 'node:events';
import { newId, normalizeBandUid } from '@tapline/shared';
import type { Card, NFC, NfcLogger, Reader } from 'nfc-pcsc';
import type { Logger } from 'pino';
import { createLogger } from '../runtime/log.ts';
import { pcscdReachable, pcscdSocketPath } from './pcscd-socket.ts';
import { UidBounceGate } from './uid-bounce.ts';

export interface ReaderState {
  status: 'starting' | 'no_service' | 'no_reader' | 'ready';
  readers: string[];
  /** A sentence for the bartender. */
  message: string;
  cardPresent: boolean;
}

export interface BandTap {
  id: string;
  /** Normalised: bare uppercase hex. */
  uid: string;
  reader: string;
  at: string;
}

/** A band read again on the same reader within the bounce window: not a tap, but the screen may say so. */
export interface BandBounce {
  uid: string;
  reader: string;
  at: string;
}

export interface BandReaderOptions {
  logger?: Logger;
  /** How often to look for pcscd again while it is down. */
  retryMs?: number;
  /** The same band back on the same reader within this long after leaving is a flap, not a new tap. */
  bounceMs?: number;
  socketPath?: string;
  /** The clock of the bounce window (tests move it by hand). */
  now?: () => number;
}

/** pcscd lists its readers within milliseconds of a new context; no reader after this long means none is plugged. */
const LISTING_GRACE_MS = 1000;

type Service = 'starting' | 'listing' | 'up' | 'down' | 'no_library';

const MESSAGES = {
  starting: 'Looking for the NFC reader.',
  down: 'The smart-card service (pcscd) is not running, so wristbands cannot be read. Retrying.',
  no_library: 'NFC support could not be loaded on this kiosk. Reinstall the kiosk software.',
  no_reader: 'No NFC reader connected. Plug in the USB reader.',
  ready: 'Ready for a wristband.',
} as const;

let library: Promise<typeof import('nfc-pcsc')> | null = null;

/**
 * Wristband taps from every PC/SC reader on this machine, through nfc-pcsc and pcscd. It never throws at its user:
 * pcscd missing or dying turns into `no_service` and a retry every `retryMs`, until close().
 */
export class BandReader extends EventEmitter<{ state: [ReaderState]; tap: [BandTap]; bounce: [BandBounce] }> {
  private readonly log: Logger;
  private readonly retryMs: number;
  private readonly socketPath: string;
  private readonly now: () => number;
  private readonly bounceMs: number;
  private readonly gate: UidBounceGate;
  private service: Service = 'starting';
  private nfc: NFC | null = null;
  private readonly readers = new Map<string, { present: boolean }>();
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  private closed = false;
  private publishQueued = false;
  private lastPublished = '';

  constructor(opts: BandReaderOptions = {}) {
    super();
    this.log = (opts.logger ?? createLogger('nfc')).child({ part: 'nfc' });
    this.retryMs = opts.retryMs ?? 2000;
    this.socketPath = opts.socketPath ?? pcscdSocketPath();
    this.now = opts.now ?? Date.now;
    this.bounceMs = opts.bounceMs ?? 800;
    this.gate = new UidBounceGate(this.bounceMs);
  }

  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    void this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.clearTimer();
    this.teardown();
  }

  state(): ReaderState {
    const readers = [...this.readers.keys()].sort();
    const cardPresent = [...this.readers.values()].some((r) => r.present);
    switch (this.service) {
      case 'starting':
      case 'listing':
        return { status: 'starting', readers, message: MESSAGES.starting, cardPresent };
      case 'down':
        return { status: 'no_service', readers: [], message: MESSAGES.down, cardPresent: false };
      case 'no_library':
        return { status: 'no_service', readers: [], message: MESSAGES.no_library, cardPresent: false };
      case 'up':
        return readers.length === 0
          ? { status: 'no_reader', readers, message: MESSAGES.no_reader, cardPresent: false }
          : { status: 'ready', readers, message: MESSAGES.ready, cardPresent };
    }
  }

  private async connect(): Promise<void> {
    this.timer = null;
    let lib: typeof import('nfc-pcsc');
    try {
      lib = await (library ??= import('nfc-pcsc'));
    } catch (err) {
      // A missing native addon or libpcsclite: retrying cannot fix it, the kiosk must be reinstalled.
      this.log.error({ err }, 'nfc-pcsc could not be loaded; wristbands cannot be read on this kiosk');
      this.service = 'no_library';
      this.publish();
      return;
    }
    // new NFC() spins forever inside SCardEstablishContext while pcscd is absent, freezing the event loop; only
    // build one once pcscd answers. The gap between this check and the constructor is the remaining (tiny) risk.
    const reachable = await pcscdReachable(this.socketPath);
    if (this.closed) return;
    if (!reachable) return this.serviceDown('pcscd does not answer on its socket', null);

    let nfc: NFC;
    try {
      nfc = new lib.NFC(this.nfcLogger());
    } catch (err) {
      return this.serviceDown('could not open a PC/SC context', err);
    }
    this.nfc = nfc;
    this.service = 'listing';
    nfc.on('reader', (device) => this.attach(nfc, device));
    // The reader-listing thread has stopped for good (pcscd died or was restarted): start over with a new context.
    nfc.on('error', (err) => {
      if (this.nfc !== nfc) return;
      this.teardown();
      this.serviceDown('lost the smart-card service', err);
    });
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.nfc === nfc && this.service === 'listing') {
        this.service = 'up';
        this.publish();
      }
    }, LISTING_GRACE_MS);
    this.log.info({ socket: this.socketPath }, 'connected to pcscd');
    this.publish();
  }

  private attach(nfc: NFC, device: Reader): void {
    const name = device.name;
    const entry = { present: false };
    const live = () => this.nfc === nfc && this.readers.get(name) === entry;
    this.readers.set(name, entry);
    if (this.service === 'listing') {
      this.service = 'up';
      this.clearTimer();
    }
    this.log.info({ reader: name }, 'NFC reader connected');

    device.reader.on('status', (s) => {
      if (!live()) return;
      entry.present = (s.state & device.reader.SCARD_STATE_PRESENT) !== 0;
      this.publish();
    });
    device.on('card', (card) => {
      if (live()) this.onCard(name, card);
    });
    device.on('card.off', (card) => {
      const uid = card.uid ? normalizeBandUid(card.uid) : null;
      if (live() && uid) this.gate.departed(name, uid, this.now());
    });
    // nfc-pcsc reports unreadable cards (GET DATA failed, card pulled mid-read) and a dying reader thread here; an
    // 'error' without a listener would crash the process, so every reader keeps this one even after teardown.
    device.on('error', (err) => {
      if (!live()) return;
      if (entry.present) this.log.warn({ err, reader: name }, 'a card on the reader could not be read; no tap');
      else this.log.warn({ err, reader: name }, 'the NFC reader reported an error');
    });
    device.on('end', () => {
      if (!live()) return;
      this.readers.delete(name);
      this.log.info({ reader: name }, 'NFC reader disconnected');
      this.publish();
    });
    this.publish();
  }

  private onCard(reader: string, card: Card): void {
    const uid = card.uid ? normalizeBandUid(card.uid) : null;
    if (!uid) {
      this.log.warn({ reader, rawUid: card.uid ?? null, standard: card.standard }, 'a card gave no wristband UID; no tap');
      return;
    }
    if (!this.gate.arrived(reader, uid, this.now())) {
      // Logged where a default log shows it, and told to the screens: a band re-tapped this soon charges nothing, so a
      // screen waiting for a tap says to lift it away and tap again rather than look stuck.
      this.log.info({ reader, uid, windowMs: this.bounceMs }, 'the same band came back within the bounce window; not a new tap');
      this.emit('bounce', { uid, reader, at: new Date().toISOString() });
      return;
    }
    const tap: BandTap = { id: newId(), uid, reader, at: new Date().toISOString() };
    this.log.info({ reader, uid, tap: tap.id }, 'band tapped');
    this.emit('tap', tap);
  }

  private serviceDown(why: string, err: unknown): void {
    if (this.service !== 'down') this.log.warn({ ...(err ? { err } : {}), socket: this.socketPath }, `NFC unavailable: ${why}; retrying every ${this.retryMs} ms`);
    this.service = 'down';
    this.readers.clear();
    this.publish();
    if (!this.closed && !this.timer) this.timer = setTimeout(() => void this.connect(), this.retryMs);
  }

  private teardown(): void {
    const nfc = this.nfc;
    this.nfc = null;
    this.readers.clear();
    if (!nfc) return;
    // NFC.close() stops only the listing thread; each reader's own status thread (and its libuv handle, which keeps
    // the process alive) must be closed too.
    for (const r of Object.values(nfc.readers)) {
      try {
        r.close();
      } catch (err) {
        this.log.debug({ err, reader: r.name }, 'closing a reader failed');
      }
    }
    try {
      nfc.close();
    } catch (err) {
      this.log.debug({ err }, 'closing the PC/SC context failed');
    }
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** One 'state' event per change, after the burst of library events that made it (a dying pcscd ends every reader). */
  private publish(): void {
    if (this.publishQueued) return;
    this.publishQueued = true;
    setImmediate(() => {
      this.publishQueued = false;
      if (this.closed) return;
      const s = this.state();
      const key = JSON.stringify(s);
      if (key === this.lastPublished) return;
      this.lastPublished = key;
      this.emit('state', s);
    });
  }

  private nfcLogger(): NfcLogger {
    const trace = (...args: unknown[]) => this.log.trace({ nfc: args }, 'nfc-pcsc');
    return {
      log: trace,
      debug: trace,
      info: trace,
      warn: trace,
      // nfc-pcsc drops a failed connect to a fresh card after logging it here, so this is the only place to see it.
      error: (...args: unknown[]) => {
        const [first] = args;
        if (first instanceof Error && first.name === 'ConnectError') this.log.warn({ err: first }, 'could not connect to a card on the reader; no tap');
        else this.log.debug({ nfc: args.map(String) }, 'nfc-pcsc error');
      },
    };
  }
}
