import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import { type Database, openDatabase } from './db/open.ts';
import type { Express } from 'express';
import { createApp } from './http/app.ts';
import { startExportsWorker } from './jobs/exports-build.ts';
import { type PaymentDone, type SweepResult, startPaymentWorkers } from './jobs/payments.ts';
import type { FailedJob } from './jobs/processor.ts';
import { type JobQueue, QUEUES, type QueueName, type QueueSettings, type TabsRecomputeJob, startJobQueue } from './jobs/queue.ts';
import { startSmsBulkWorker } from './jobs/sms-bulk.ts';
import { type SmsSettled, startSmsMessageWorker } from './jobs/sms-message.ts';
import { startSmsReceiptWorker } from './jobs/sms-receipt.ts';
import { startRecalculateWorker } from './jobs/tabs-recalculate-event.ts';
import { startTabsWorker } from './jobs/tabs-recompute.ts';
import { createLogger } from './log.ts';
import { type Providers, providersFromEnv } from './providers/index.ts';
import { DEMO_ADMIN_TOKEN, seedDemo } from './seed/demo.ts';
import { DEFAULT_PAYMENT_SETTINGS, type PaymentSettings } from './services/payment-settings.ts';
import { deriveLinkSecret, tabLinks } from './services/tab-links.ts';
import type { CardChange } from './services/card-setup.ts';
import { cardLinks } from './services/registration-card-links.ts';
import { publishPendingAttendees } from './services/registration-attendees.ts';
import { confirmationLinks } from './services/registration-signup-links.ts';
import { formTokens } from './web/form-token.ts';

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
  /** How often pg-boss retries the jobs of workers that died (their timeout passed). Default 120 s. */
  jobMaintenanceIntervalSeconds?: number;
  /** Card payments and SMS. Default `providersFromEnv` (the log unless TAPLINE_STRIPE_* / TAPLINE_TWILIO_* are set). */
  providers?: Providers;
  /** Where attendees open their tab (SMS links). Default the cloud's own URL. */
  publicUrl?: string;
  /** HMAC key of tab links. Default derived from the admin token. */
  linkSecret?: string;
  /** The payment sweepers' timing (services/payment-settings.ts). */
  payments?: Partial<PaymentSettings>;
  /** How long an SMS send may be in flight before another attempt checks on it; above the gateway's timeout. Default 120. */
  smsLeaseSeconds?: number;
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
  /** SMS receipts were queued for these sales (messageIds: the new ones). */
  'sms:receipts': [{ eventId: string; orderIds: string[]; messageIds: string[] }];
  /** An SMS was sent (or found sent) or given up on. */
  'sms:settled': [SmsSettled];
  'sms:bulk-fanned-out': [{ bulkId: string; recipients: number; created: number }];
  'payments:swept': [SweepResult];
  /** A payments.authorize or payments.capture job finished for a tab. */
  'payments:done': [PaymentDone];
  /** An attendee's card status changed (card page, Stripe webhook or return URL), after its commit. */
  'cards:changed': [CardChange];
}

export interface RunningCloud {
  /** The Express app as served (the console's cross-tenant test walks its routes). */
  app: Express;
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
  const database = await openDatabase(
    options.databaseUrl
      ? { databaseUrl: options.databaseUrl, onConnectionError: (err) => log.warn({ err }, 'a PostgreSQL connection was lost; the next query opens another') }
      : { dataDir },
  );
  let queue: JobQueue | undefined;
  let server: Server | undefined;
  let app: Express | undefined;
  const events = new EventEmitter<CloudEvents>();
  let sweepTimer: NodeJS.Timeout | undefined;
  const close = async () => {
    clearInterval(sweepTimer);
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
    const providers = options.providers ?? providersFromEnv(log);
    // Known once the server listens; links are only made by jobs, after that.
    let ownUrl = '';
    const links = tabLinks({ secret: options.linkSecret ?? deriveLinkSecret(adminToken), publicUrl: () => options.publicUrl ?? ownUrl });
    const linkSecret = options.linkSecret ?? deriveLinkSecret(adminToken);
    const publicUrl = () => options.publicUrl ?? ownUrl;
    const cards = cardLinks({ secret: linkSecret, publicUrl });
    const confirmations = confirmationLinks({ secret: linkSecret, publicUrl });
    const forms = formTokens({ secret: linkSecret });
    const paymentSettings: PaymentSettings = { ...DEFAULT_PAYMENT_SETTINGS, ...options.payments };
    queue = await startJobQueue(database, { log, settings: options.jobSettings, maintenanceIntervalSeconds: options.jobMaintenanceIntervalSeconds });
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
    await startSmsReceiptWorker(queue, database.db, { ...worker, links, onQueued: (r) => events.emit('sms:receipts', r) });
    await startSmsMessageWorker(queue, database.db, {
      ...worker,
      sms: providers.sms,
      leaseSeconds: options.smsLeaseSeconds ?? 120,
      onSettled: (r) => events.emit('sms:settled', r),
    });
    await startSmsBulkWorker(queue, database.db, { ...worker, onFannedOut: (r) => events.emit('sms:bulk-fanned-out', r) });
    await startPaymentWorkers(queue, database.db, {
      ...worker,
      deps: { db: database.db, queue, provider: providers.payments, links, log, settings: paymentSettings },
      onSwept: (r) => events.emit('payments:swept', r),
      onDone: (r) => events.emit('payments:done', r),
    });
    app = createApp({
      database,
      queue,
      adminToken,
      exportsDir,
      log,
      links,
      payments: providers.payments,
      cards,
      confirmations,
      forms,
      onCardChanged: (change) => events.emit('cards:changed', change),
    });
    server = createServer(app);
    // Idle keep-alive sockets must not hold `close()` open.
    server.keepAliveTimeout = 5000;
    await listen(server, options.port ?? 4100, host);
    const listening = (server.address() as AddressInfo).port;
    ownUrl = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${listening}`;
    // Attendees never sent to the venue (the seed's, or written before attendees flowed down) get their confirmation
    // code and config entity now that card links can be made; a no-op once every attendee has been published.
    const published = await publishPendingAttendees(database.db, { cards });
    if (published) log.info({ published }, 'attendees published to their venues');

    // pg-boss's cron needs its scheduler (off here, and minute-grained): a timer sends the sweep instead. The
    // singleton slot makes it one sweep per interval however many cloud processes share the database.
    const sweepEvery = paymentSettings.sweepIntervalSeconds;
    const q = queue;
    const sendSweep = () =>
      q.boss
        .send(QUEUES.paymentsSweep, {}, { singletonKey: 'sweep', singletonSeconds: Math.max(1, Math.round(sweepEvery)) })
        .catch((err: unknown) => log.error({ err }, 'could not send the payment sweep'));
    if (sweepEvery > 0) {
      await sendSweep();
      sweepTimer = setInterval(() => void sendSweep(), sweepEvery * 1000);
    } else log.warn('the payment sweeper is off (sweep interval 0): no card is held or captured');
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const url = `http://${shownHost}:${port}`;
  log.info({ url, db: database.kind }, 'cloud listening');
  let closing: Promise<void> | undefined;
  return { url, port, database, queue, events, app: app!, close: () => (closing ??= close()) };
}
