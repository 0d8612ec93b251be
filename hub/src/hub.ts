import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { count } from 'drizzle-orm';
import { newId, PROTOCOL_VERSION, type ConfigEntity, type ConfigMessage, type HubStatus } from '@tapline/shared';
import { AttendeeStore } from './db/attendee-store.ts';
import { BandState, PullGeneration } from './db/band-state.ts';
import { allConfigEntities, configCursor, terminalStanding } from './db/config-store.ts';
import { ensureHubId } from './db/meta-store.ts';
import { openHubDb } from './db/open.ts';
import { OrderStore } from './db/order-store.ts';
import { TabStore } from './db/tab-store.ts';
import { conflicts, rejected } from './db/schema.ts';
import { authenticateTerminal, insertTerminal, listTerminals, touchTerminal } from './db/terminal-store.ts';
import { advertiseHub, type HubAdvertiser } from './discovery/advertise.ts';
import { createHubApp } from './http/app.ts';
import { createLogger } from './log.ts';
import { newTerminalToken, PairingCodes, type PairingCode } from './pairing-codes.ts';
import { GroupCommit } from './realtime/group-commit.ts';
import { TabFeed } from './realtime/tab-feed.ts';
import { TerminalSockets } from './realtime/terminal-sockets.ts';
import { Throttle } from './realtime/throttle.ts';
import type { HubStatusReport } from './status-report.ts';
import { ConfigPuller } from './uplink/config-puller.ts';
import { DrainMeter } from './uplink/drain-meter.ts';
import { Uploader } from './uplink/uploader.ts';
import { UplinkStatus } from './uplink/uplink-status.ts';

export interface StartHubOptions {
  /** Default 4300; 0 picks a free port. */
  port?: number;
  /** Default 0.0.0.0: terminals reach the hub over the LAN. */
  host?: string;
  /** Where hub.db lives. Default `.tapline/hub`. */
  dataDir?: string;
  /** Without it the hub trades offline and keeps every order in its outbox. */
  cloudUrl?: string | null;
  venueKey?: string;
  /** Shown on the status page. Default: the machine's hostname. */
  name?: string;
  /** Orders per upload request. Default 500, at most 1000. */
  batchSize?: number;
  /** Cloud request timeout. Default 15000. */
  requestTimeoutMs?: number;
  /** Config pull period. Default 3000. */
  pullIntervalMs?: number;
  /** Upload retry backoff bounds. Defaults 1000 and 30000. */
  retryMinDelayMs?: number;
  retryMaxDelayMs?: number;
  /** Advertise the hub on the LAN over mDNS so terminals find it. Default false; `hub start` turns it on. */
  advertise?: boolean;
  logger?: Logger;
}

export interface RunningHub {
  /** http://host:port, with 127.0.0.1 when listening on every interface. */
  url: string;
  port: number;
  hubId: string;
  dataDir: string;
  /** Path of the SQLite file. */
  dbFile: string;
  /** The code currently shown on the status page. */
  pairingCode(): PairingCode;
  /** A fresh code, as `POST /v1/pairing-codes` gives. */
  issuePairingCode(): PairingCode;
  status(): HubStatusReport;
  /** Pulls configuration from the cloud now; resolves when caught up or failed. */
  pullConfigNow(): Promise<void>;
  close(): Promise<void>;
}

function urlFor(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${h}:${port}`;
}

/** The hub's LAN addresses, so the venue tech knows what to type into a terminal. */
export function lanUrls(port: number): string[] {
  return Object.values(os.networkInterfaces())
    .flat()
    .filter((a) => a && a.family === 'IPv4' && !a.internal)
    .map((a) => `http://${a!.address}:${port}`);
}

function listen(server: HttpServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startHub(options: StartHubOptions = {}): Promise<RunningHub> {
  const log = options.logger ?? createLogger();
  const dataDir = path.resolve(options.dataDir ?? '.tapline/hub');
  const host = options.host ?? '0.0.0.0';
  const name = options.name ?? os.hostname();
  const cloudUrl = options.cloudUrl ? options.cloudUrl.replace(/\/+$/, '') : null;
  const startedAt = new Date();

  const hubDb = openHubDb(dataDir);
  const { db } = hubDb;
  const hubId = ensureHubId(db);
  const attendees = new AttendeeStore(hubDb.sqlite);
  const bands = new BandState(hubDb.sqlite, attendees);
  bands.afterRestart();
  const pullGeneration = new PullGeneration();
  const store = new OrderStore(hubDb.sqlite, bands, pullGeneration);
  const pairing = new PairingCodes();
  const uplink = new UplinkStatus();
  const drain = new DrainMeter();

  // Counters kept in memory (seeded from the file) so status is cheap however many orders the hub holds.
  const initial = store.counts();
  const ordersByTerminal = initial.byTerminal;
  let queueDepth = initial.outbox;
  drain.observeBacklog(queueDepth);

  const hubStatus = (): HubStatus => {
    const u = uplink.snapshot();
    return {
      v: PROTOCOL_VERSION,
      hubId,
      uplink: u.state,
      lastUploadAt: u.lastUploadAt,
      pendingUpload: queueDepth,
      serverTime: new Date().toISOString(),
    };
  };

  const configSnapshot = (): ConfigMessage => ({
    v: PROTOCOL_VERSION,
    full: true,
    cursor: configCursor(db),
    entities: allConfigEntities(db),
  });

  let sockets: TerminalSockets | null = null;
  let lastSentStatus = '';
  const statusThrottle = new Throttle(() => {
    const s = hubStatus();
    const key = `${s.uplink}|${s.pendingUpload}|${s.lastUploadAt}`;
    if (key === lastSentStatus) return;
    lastSentStatus = key;
    sockets?.broadcastStatus(s);
  }, 500);
  uplink.on('change', () => statusThrottle.trigger());
  const tabFeed = new TabFeed(new TabStore(hubDb.sqlite), (messageFor) => sockets?.sendTabs(messageFor));

  const uploader = cloudUrl
    ? new Uploader({
        store,
        hubId,
        cloudUrl,
        venueKey: options.venueKey ?? '',
        uplink,
        log: log.child({ part: 'uploader' }),
        batchSize: options.batchSize,
        requestTimeoutMs: options.requestTimeoutMs,
        minRetryDelayMs: options.retryMinDelayMs,
        maxRetryDelayMs: options.retryMaxDelayMs,
        onDrained: (n) => {
          queueDepth = Math.max(0, queueDepth - n);
          drain.record(n);
          drain.observeBacklog(queueDepth);
          statusThrottle.trigger();
        },
      })
    : null;

  const ingest = new GroupCommit(store, log.child({ part: 'ingest' }), (report) => {
    tabFeed.touch(report.touchedBands);
    // Every bar learns of a pairing or a block at once, cloud or no cloud; this runs before the pushes' acks go out,
    // so the desk that made the fact has the hub's band before it stops counting its own copy.
    if (report.changedBands.size > 0) {
      const entities: ConfigEntity[] = [];
      for (const uid of report.changedBands) {
        const data = bands.band(uid);
        if (data) entities.push({ kind: 'band', data });
      }
      if (entities.length) sockets?.broadcastConfig({ v: PROTOCOL_VERSION, full: false, cursor: configCursor(db), entities });
    }
    if (report.stored === 0) return;
    for (const [t, n] of report.storedByTerminal) ordersByTerminal.set(t, (ordersByTerminal.get(t) ?? 0) + n);
    queueDepth += report.stored;
    drain.observeBacklog(queueDepth);
    uploader?.wake();
    statusThrottle.trigger();
  });

  /** The sentence a revoked terminal is refused with, or null while it may trade. */
  const revokedBecause = (terminalId: string): string | null => {
    const s = terminalStanding(db, terminalId);
    if (s?.status !== 'revoked') return null;
    return `This terminal was revoked by head office${s.reason ? `: ${s.reason}` : '.'}`;
  };

  const standingOf = (terminalId: string): { revoked: boolean; revokedReason: string | null } => {
    const s = terminalStanding(db, terminalId);
    return s?.status === 'revoked' ? { revoked: true, revokedReason: s.reason } : { revoked: false, revokedReason: null };
  };

  const status = (): HubStatusReport => {
    const code = pairing.current();
    const terminalRows = listTerminals(db);
    const now = new Date();
    return {
      hubId,
      name,
      startedAt: startedAt.toISOString(),
      uptimeSeconds: Math.round((now.getTime() - startedAt.getTime()) / 1000),
      serverTime: now.toISOString(),
      pairingCode: code.code,
      pairingCodeExpiresAt: code.expiresAt.toISOString(),
      terminals: terminalRows.map((t) => ({
        id: t.id,
        name: t.name,
        online: sockets?.isOnline(t.id) ?? false,
        pairedAt: t.pairedAt,
        lastSeenAt: t.lastSeenAt,
        ordersReceived: ordersByTerminal.get(t.id) ?? 0,
        ...standingOf(t.id),
      })),
      ordersReceived: [...ordersByTerminal.values()].reduce((a, b) => a + b, 0),
      queueDepth,
      uplink: { ...uplink.snapshot(), cloudUrl },
      drain: { rate: Math.round(drain.rate() * 10) / 10, etaSeconds: drain.etaSeconds(queueDepth), backlog: queueDepth, peak: drain.peak },
      conflicts: db.select({ n: count() }).from(conflicts).get()?.n ?? 0,
      rejected: db.select({ n: count() }).from(rejected).get()?.n ?? 0,
      registration: { attendees: attendees.count(), ...bands.counts() },
    };
  };

  const app = createHubApp({
    pairing,
    status,
    log: log.child({ part: 'http' }),
    pairTerminal: (terminalName) => {
      const terminalId = newId();
      const token = newTerminalToken();
      insertTerminal(db, { id: terminalId, name: terminalName, token, pairedAt: new Date().toISOString() });
      return { v: PROTOCOL_VERSION, hubId, terminalId, token };
    },
  });
  const server = createServer(app);
  sockets = new TerminalSockets(server, {
    authenticate: (id, token) => authenticateTerminal(db, id, token),
    ingest,
    configSnapshot,
    hubStatus,
    tabsSnapshot: (terminalId) => tabFeed.snapshot(terminalId),
    searchAttendees: (q) => attendees.search(q.query, q.limit, q.eventId),
    revokedBecause,
    onPresence: (terminalId) => touchTerminal(db, terminalId, new Date().toISOString()),
    log: log.child({ part: 'sockets' }),
  });

  const puller = cloudUrl
    ? new ConfigPuller({
        db,
        registration: { attendees, bands },
        generation: pullGeneration,
        cloudUrl,
        venueKey: options.venueKey ?? '',
        uplink,
        log: log.child({ part: 'config' }),
        pullIntervalMs: options.pullIntervalMs,
        requestTimeoutMs: options.requestTimeoutMs,
        onChanges: (entities, cursor) => sockets?.broadcastConfig({ v: PROTOCOL_VERSION, full: false, cursor, entities }),
        // Head office's Devices screen lists every paired terminal, sold or not.
        report: {
          hubId,
          terminals: () => {
            const backlogs = store.backlogByTerminal();
            return listTerminals(db).map((t) => ({
              id: t.id,
              label: t.name,
              pairedAt: t.pairedAt,
              lastSeenAt: t.lastSeenAt,
              online: sockets?.isOnline(t.id) ?? false,
              backlog: backlogs.get(t.id) ?? 0,
            }));
          },
        },
        // Read back what was stored: a page may revoke then restore, and the seq guard decides what stands.
        onTerminals: (standings) => {
          for (const { id } of standings) {
            const why = revokedBecause(id);
            if (why === null) continue;
            const dropped = sockets?.disconnectRevoked(id, why) ?? 0;
            log.warn({ terminalId: id, dropped }, 'terminal revoked by head office');
          }
        },
      })
    : null;

  let port: number;
  try {
    port = await listen(server, options.port ?? 4300, host);
  } catch (err) {
    await sockets.close().catch(() => undefined);
    hubDb.close();
    throw err;
  }
  const url = urlFor(host, port);

  uploader?.start();
  puller?.start();
  const advertiser: HubAdvertiser | null = options.advertise
    ? advertiseHub({ port, hubId, name, host, log: log.child({ part: 'mdns' }) })
    : null;

  // The code rotates every 10 minutes; say so where the tech is looking.
  let shownCode = '';
  const announceCode = () => {
    const code = pairing.current();
    if (code.code === shownCode) return;
    shownCode = code.code;
    log.info({ pairingCode: code.code, expiresAt: code.expiresAt.toISOString(), statusPage: url }, `Pairing code ${code.code}`);
  };
  log.info(
    { hubId, url, lan: host === '0.0.0.0' ? lanUrls(port) : [url], dataDir, cloudUrl, queueDepth },
    `Tapline hub "${name}" listening; status page ${url}/`,
  );
  announceCode();
  const codeTimer = setInterval(announceCode, 15_000);
  codeTimer.unref();
  if (!cloudUrl) log.warn('no cloud URL: orders are kept in the outbox until the hub is started with --cloud-url');

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      clearInterval(codeTimer);
      statusThrottle.cancel();
      tabFeed.close();
      // Goodbye first, so terminals stop offering a hub that is going away.
      await advertiser?.close();
      await Promise.all([uploader?.stop(), puller?.stop()]);
      ingest.close();
      server.closeAllConnections();
      await sockets.close();
      hubDb.close();
      log.info('hub stopped');
    })());

  return {
    url,
    port,
    hubId,
    dataDir,
    dbFile: hubDb.file,
    pairingCode: () => pairing.current(),
    issuePairingCode: () => pairing.issue(),
    status,
    pullConfigNow: () => puller?.pullNow() ?? Promise.resolve(),
    close,
  };
}
