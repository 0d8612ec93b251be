import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.ts';
import { ServiceProcess } from './service-process.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const entries = {
  cloud: path.join(root, 'cloud/src/main.ts'),
  hub: path.join(root, 'hub/src/cli.ts'),
  terminal: path.join(root, 'desktop/src/sim/sim-terminal.ts'),
  kiosk: path.join(root, 'desktop/src/kiosk-web/main.ts'),
};

export interface CloudOptions {
  dir: string;
  port?: number;
  venueKey: string;
  adminToken: string;
  bands?: number;
  databaseUrl?: string;
}

export function cloudProcess(o: CloudOptions): ServiceProcess {
  mkdirSync(o.dir, { recursive: true });
  return new ServiceProcess({
    name: 'cloud',
    entry: entries.cloud,
    logFile: path.join(o.dir, 'cloud.log'),
    // PGlite's folder: one process at a time. A PostgreSQL database may rightly be shared by several clouds.
    ...(o.databaseUrl ? {} : { dataPath: path.join(o.dir, 'pgdata') }),
    env: {
      PORT: String(o.port ?? 0),
      HOST: '127.0.0.1',
      TAPLINE_DATA_DIR: path.join(o.dir, 'pgdata'),
      TAPLINE_SEED_DEMO: '1',
      TAPLINE_VENUE_KEY: o.venueKey,
      TAPLINE_ADMIN_TOKEN: o.adminToken,
      TAPLINE_DEMO_BANDS: String(o.bands ?? 200),
      ...(o.databaseUrl ? { DATABASE_URL: o.databaseUrl } : {}),
    },
  });
}

export interface HubOptions {
  dir: string;
  /** Fixed so terminals find the hub again after a restart. */
  port: number;
  cloudUrl: string;
  venueKey: string;
  name?: string;
  /** 0.0.0.0 to serve the LAN; loopback by default. */
  host?: string;
  extraArgs?: string[];
}

export function hubProcess(o: HubOptions): ServiceProcess {
  mkdirSync(o.dir, { recursive: true });
  return new ServiceProcess({
    name: 'hub',
    entry: entries.hub,
    logFile: path.join(o.dir, 'hub.log'),
    dataPath: o.dir,
    args: [
      'start',
      '--host', o.host ?? '127.0.0.1',
      '--port', String(o.port),
      '--data-dir', o.dir,
      '--cloud-url', o.cloudUrl,
      '--venue-key', o.venueKey,
      '--name', o.name ?? 'Main hub',
      ...(o.extraArgs ?? []),
    ],
  });
}

export interface TerminalOptions {
  dir: string;
  name: string;
  hubUrl: string;
  code: string;
  station?: string;
  orders: number | 'forever';
  rate?: number;
  seed?: number;
  exitWhenDrained?: boolean;
}

export function terminalProcess(o: TerminalOptions): ServiceProcess {
  mkdirSync(o.dir, { recursive: true });
  return new ServiceProcess({
    name: o.name,
    entry: entries.terminal,
    logFile: path.join(o.dir, `${o.name}.log`),
    dataPath: path.join(o.dir, `${o.name}.db`),
    args: [
      '--db', path.join(o.dir, `${o.name}.db`),
      '--hub', o.hubUrl,
      '--code', o.code,
      '--name', o.name,
      '--station', o.station ?? 'bar-main',
      '--orders', String(o.orders),
      '--rate', String(o.rate ?? 20),
      '--seed', String(o.seed ?? 1),
      ...(o.exitWhenDrained ? ['--exit-when-drained'] : []),
    ],
  });
}

export interface KioskOptions {
  dir: string;
  name?: string;
  /** Default true: the kiosk reads the virtual reader through pcscd. */
  nfc?: boolean;
  /** Default true: the kiosk looks for hubs on mDNS. */
  mdns?: boolean;
  /** Default false: open the kiosk in system Chromium (when there is a display); tests open the page themselves. */
  browser?: boolean;
}

/** The browser kiosk's Node process without its Chromium window: the tests open the page in their own browser. */
export function kioskProcess(o: KioskOptions): ServiceProcess {
  mkdirSync(o.dir, { recursive: true });
  const name = o.name ?? 'kiosk';
  return new ServiceProcess({
    name,
    entry: entries.kiosk,
    logFile: path.join(o.dir, `${name}.log`),
    dataPath: o.dir,
    args: ['--data-dir', o.dir, ...(o.browser ? [] : ['--no-browser']), ...(o.nfc === false ? ['--no-nfc'] : []), ...(o.mdns === false ? ['--no-mdns'] : [])],
  });
}

export { freePort };
