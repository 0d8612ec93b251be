import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import { type Database, openDatabase } from './db/open.ts';
import { createApp } from './http/app.ts';
import { startExportsWorker } from './jobs/exports-build.ts';
import type { FailedJob } from './jobs/processor.ts';
import { type JobQueue, type QueueName, type QueueSettings, type TabsRecomputeJob, startJobQueue } from './jobs/queue.ts';
import { startRecalculateWorker } from './jobs/tabs-recalculate-event.ts';
import { startTabsWorker } from './jobs/tabs-recompute.ts';
import { createLogger } from './log.ts';
import { DEMO_ADMIN_TOKEN, seedDemo } from './seed/demo.ts';

export interface StartCloudOptions {
  /** 0 picks a free port. Default 4100. */
  port?: number;
  host?: string;
  /** postgres://… ; without it PGlite on `dataDir`. */
  databaseUrl?: string;
  /** PGlite folder (unless `databaseUrl` is given) and home of `exports/`. Default `.tapline/cloud`. */
  dataDir?: string;
  /** Default DEMO_ADMIN_TOKEN, with a warning in the log. */
  adminToken?: string;
  /** Seed the demo venue with this key. */
  seedDemo?: { venueKey: string; bands?: number };
  /** How often idle job workers poll (seconds, ≥ 0.5). Default 2. */
  jobPollingIntervalSeconds?: number;
  /** Per-queue retries and timeouts over the defaults (jobs/queue.ts). */
  jobSettings?: Partial<Record<QueueName, Partial<QueueSettings>>>;
  log?: Logger;
}

export interface CloudEvents {
  /** A recompute committed these bands' tabs. */
  'tabs:recomputed': [TabsRecomputeJob];
  /** A recalculation enqueued the recompute of these bands. */
  'tabs:recalculated': [TabsRecomputeJob];
  'exports:finished': [{ exportId: string; status: 'ready' | 'failed' }];
  /** A job failed: retried later, or moved to the dead letters. */
  'jobs:failed': [FailedJob];
}

export interface RunningCloud {
  url: string;
  port: number;
  database: Database;
  queue: JobQueue;
  /** Where the background jobs report (see CloudEvents): tests and the console await these instead of polling. */
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

  const dataDir = options.dataDir ?? '.tapline/cloud';
  const exportsDir = path.resolve(dataDir, 'exports');
  const database = await openDatabase(options.databaseUrl ? { databaseUrl: options.databaseUrl } : { dataDir });
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
    queue = await startJobQueue(database, { log, settings: options.jobSettings });
    const worker = {
      log,
      pollingIntervalSeconds: options.jobPollingIntervalSeconds ?? 2,
      onFailed: (failed: FailedJob) => events.emit('jobs:failed', failed),
    };
    await startTabsWorker(queue, database.db, { ...worker, onRecomputed: (job) => events.emit('tabs:recomputed', job) });
    await startRecalculateWorker(queue, database.db, { ...worker, onRecalculated: (job) => events.emit('tabs:recalculated', job) });
    await startExportsWorker(queue, database.db, {
      ...worker,
      exportsDir,
      onFinished: (result) => events.emit('exports:finished', result),
    });
    const app = createApp({ database, queue, adminToken, exportsDir, log });
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
