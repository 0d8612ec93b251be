import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { HubFinder } from '../discovery/hub-finder.ts';
import { BandReader } from '../nfc/band-reader.ts';
import { createLogger } from '../runtime/log.ts';
import { openTerminal, type Terminal } from '../runtime/index.ts';
import { KioskService } from './kiosk-service.ts';
import { NoReader } from './no-reader.ts';

export interface KioskProcessOptions {
  /** Where the terminal's SQLite file lives. */
  dataDir: string;
  logger?: Logger;
  /** Default true: read wristbands through pcscd. */
  nfc?: boolean;
  /** Default true: look for hubs on the LAN (mDNS). */
  discovery?: boolean;
  /**
   * How long after a band leaves a reader its return is a bounce, not a new tap (default 800 ms, or
   * TAPLINE_NFC_BOUNCE_MS): readers that flap for longer need more; tests set a long one to re-tap on purpose.
   */
  bounceMs?: number;
}

export interface KioskProcess {
  service: KioskService;
  terminal: Terminal;
  close(): Promise<void>;
}

/**
 * The kiosk without its window: the terminal runtime, the NFC reader and the hub finder behind one KioskService.
 * The browser kiosk (kiosk-web) and the Electron shell both start exactly this.
 */
export function startKioskProcess(opts: KioskProcessOptions): KioskProcess {
  const log = opts.logger ?? createLogger('kiosk');
  mkdirSync(opts.dataDir, { recursive: true });
  const terminal = openTerminal({ dbPath: path.join(opts.dataDir, 'terminal.db'), logger: log });
  if (terminal.isPaired()) terminal.start();

  const reader = opts.nfc === false ? null : new BandReader({ logger: log, bounceMs: opts.bounceMs ?? bounceFromEnv() });
  const finder = opts.discovery === false ? null : new HubFinder({ logger: log });
  const service = new KioskService(terminal, reader ?? new NoReader('NFC is turned off on this kiosk. A supervisor can enter band numbers.'), finder, log);
  reader?.start();
  // Looking for hubs is for the pairing screen only: a paired kiosk stops querying the LAN every few seconds.
  if (finder && !terminal.isPaired()) {
    finder.start();
    const stopLooking = () => {
      if (!terminal.isPaired()) return;
      void finder.close();
      service.off('state', stopLooking);
    };
    service.on('state', stopLooking);
  }

  return {
    service,
    terminal,
    close: async () => {
      await finder?.close();
      await reader?.close();
      await terminal.close();
    },
  };
}

function bounceFromEnv(): number | undefined {
  const raw = process.env.TAPLINE_NFC_BOUNCE_MS;
  const ms = raw ? Number(raw) : NaN;
  return Number.isInteger(ms) && ms >= 0 ? ms : undefined;
}
