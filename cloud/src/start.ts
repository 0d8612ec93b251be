import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import { type Database, openDatabase } from './db/open.ts';
import { createApp } from './http/app.ts';
import { type JobQueue, type TabsRecomputeJob, startJobQueue } from './jobs/queue.ts';
import { startTabsWorker } from './jobs/tabs-recompute.ts';
import { createLogger } from './log.ts';
import { DEMO_ADMIN_TOKEN, seedDemo } from './seed/demo.ts';

export interface StartCloudOptions {
  /** 0 picks a free port. Default 4100. */
  port?: number;
  host?: string;
  /** postgres://… ; without it PGlite on `dataDir`. */
  databaseUrl?: string;
  /** PGlite folder. Default `.tapline/cloud`. */
  dataDir?: string;
  /** Default DEMO_ADMIN_TOKEN, with a warning in the log. */
  adminToken?: string;
  /** Seed the demo venue with this key. */
  seedDemo?: { venueKey: string; bands?: number };
  /** How often idle job workers poll (seconds, ≥ 0.5). Default 2. */
  jobPollingIntervalSeconds?: number;
  log?: Logger;
}

export interface CloudEvents {
  'tabs:recomputed': [TabsRecomputeJob];
}

export interface RunningCloud {
  url: string;
  port: number;
  database: Database;
  queue: JobQueue;
  /** Emits 'tabs:recomputed' after each recompute commits. */
  events: EventEmitter<CloudEvents>;
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export async function startCloud(options: StartCloudOptions = {}): Promise<RunningCloud> {
  const log = options.log ?? createLogger();
  const host = options.host ?? '0.0.0.0';
  let adminToken = options.adminToken;
  if (!adminToken) {
    adminToken = DEMO_ADMIN_TOKEN;
    log.warn({ adminToken }, 'TAPLINE_ADMIN_TOKEN is not set: using the demo admin token (set your own outside a demo)');
  }

  const database = await openDatabase(
    options.databaseUrl ? { databaseUrl: options.databaseUrl } : { dataDir: options.dataDir ?? '.tapline/cloud' },
  );
  let queue: JobQueue | undefined;
  let server: Server | undefined;
  const events = new EventEmitter<CloudEvents>();
  const close = async () => {
    if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
    server?.closeAllConnections();
    await queue?.stop();
    await database.close();
  };
  try {
    if (options.seedDemo) {
      const seeded = await seedDemo(database.db, options.seedDemo);
      log.info(seeded, 'demo seed applied');
    }
    queue = await startJobQueue(database, { log });
    await startTabsWorker(queue.boss, database.db, {
      log,
      pollingIntervalSeconds: options.jobPollingIntervalSeconds ?? 2,
      onRecomputed: (job) => events.emit('tabs:recomputed', job),
    });
    const app = createApp({ database, queue, adminToken, log });
    server = createServer(app);
    // Idle keep-alive sockets must not hold `close()` open.
    server.keepAliveTimeout = 5000;
    await listen(server, options.port ?? 4100, host);
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const url = `http://${shownHost}:${port}`;
  log.info({ url, db: database.kind }, 'cloud listening');
  let closing: Promise<void> | undefined;
  return { url, port, database, queue, events, close: () => (closing ??= close()) };
}
