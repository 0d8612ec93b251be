import { setMaxListeners } from 'node:events';
import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { Database, Queryable } from '../db/open.ts';
import { createPool } from '../db/pg-pool.ts';
import { queryRows, sqlFromText } from '../db/raw-sql.ts';
import { coalesceKey, deferJob, mergeIntoWaitingRecompute, type TabsRecomputeTiming } from './enqueue-tabs.ts';
import { InFlight } from './in-flight.ts';
import { pgliteBossDb } from './pglite-adapter.ts';

export const QUEUES = {
  tabsRecompute: 'tabs.recompute',
  tabsRecalculateEvent: 'tabs.recalculate-event',
  exportsBuild: 'exports.build',
  smsReceipt: 'sms.receipt',
  smsMessage: 'sms.message',
  smsBulk: 'sms.bulk',
  paymentsSweep: 'payments.sweep',
  paymentsAuthorize: 'payments.authorize',
  paymentsCapture: 'payments.capture',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** pg-boss's schema: the dead-letter list reads its tables. */
export const BOSS_SCHEMA = 'pgboss';

export interface QueueSettings {
  /** Tries after the first one. */
  retryLimit: number;
  /** Seconds before the first retry; each later one waits about twice as long, with jitter (pg-boss backoff). */
  retryDelay: number;
  /** The job's timeout: a try still running after this is failed, and retried while tries are left. */
  expireInSeconds: number;
}

export const DEFAULT_QUEUE_SETTINGS: Record<QueueName, QueueSettings> = {
  [QUEUES.tabsRecompute]: { retryLimit: 8, retryDelay: 2, expireInSeconds: 120 },
  [QUEUES.tabsRecalculateEvent]: { retryLimit: 5, retryDelay: 5, expireInSeconds: 300 },
  [QUEUES.exportsBuild]: { retryLimit: 3, retryDelay: 30, expireInSeconds: 1800 },
  [QUEUES.smsReceipt]: { retryLimit: 8, retryDelay: 2, expireInSeconds: 120 },
  // A batch of up to 50 messages in waves of 8, each wave bounded by the Twilio timeout (15 s by default). A batch
  // that overruns is retried, which is safe: each message's lease keeps a retry off a send still in flight.
  [QUEUES.smsMessage]: { retryLimit: 10, retryDelay: 5, expireInSeconds: 120 },
  [QUEUES.smsBulk]: { retryLimit: 5, retryDelay: 10, expireInSeconds: 1800 },
  [QUEUES.paymentsSweep]: { retryLimit: 2, retryDelay: 5, expireInSeconds: 300 },
  // An authorisation may also release an older hold; a capture may authorise, capture and release: up to three
  // Stripe calls of at most 20 s each.
  [QUEUES.paymentsAuthorize]: { retryLimit: 8, retryDelay: 10, expireInSeconds: 120 },
  [QUEUES.paymentsCapture]: { retryLimit: 8, retryDelay: 10, expireInSeconds: 180 },
};

/** Each processor's own dead-letter queue: jobs land there once their tries are spent or their error is permanent. */
export function deadLetterQueueOf(queue: string): string {
  return `${queue}.dead-letter`;
}

export interface TabsRecomputeJob {
  eventId: string;
  bandUids: string[];
}

/** Recompute many tabs of an event: the bands a price fix can touch, or all of them after a configuration change. */
export interface TabsRecalculateEventJob {
  eventId: string;
  scope: { kind: 'price_fix'; priceFixId: string } | { kind: 'all'; reason: string };
}

export interface ExportBuildJob {
  exportId: string;
}

/** The sales of one ingest batch whose consenting attendees get an SMS receipt. */
export interface SmsReceiptJob {
  eventId: string;
  orderIds: string[];
}

/** One row of sms_messages to send (or settle). */
export interface SmsMessageJob {
  messageId: string;
}

export interface SmsBulkJob {
  bulkId: string;
}

/** What to do with one tab's card. */
export interface TabPaymentJob {
  eventId: string;
  bandUid: string;
}

export interface JobQueue {
  boss: PgBoss;
  settingsOf(queue: string): QueueSettings | undefined;
  /** Creates the queue and its dead-letter queue, or brings an existing one to `settings`. */
  defineQueue(queue: string, settings: QueueSettings): Promise<void>;
  /**
   * Enqueues through `tx` so the job commits or rolls back with the rows it is about (pg-boss `send` with `{ db }`).
   * Returns the job id.
   */
  send(tx: Queryable, queue: string, data: object): Promise<string>;
  /**
   * Without `timing`, one job. With it (ingest), the bands join a push recompute of the event no worker has taken yet,
   * or a new one is sent that waits `timing.deferSeconds` for the pushes behind it (jobs/enqueue-tabs.ts): a backlog
   * drained in many pushes costs a few recomputes, not one per push. With it and no bands, nothing is sent: a waiting
   * job is only made due (`deferSeconds` 0).
   */
  enqueueTabsRecompute(tx: Queryable, job: TabsRecomputeJob, timing?: TabsRecomputeTiming): Promise<void>;
  enqueueRecalculateEvent(tx: Queryable, job: TabsRecalculateEventJob): Promise<void>;
  enqueueExport(tx: Queryable, job: ExportBuildJob): Promise<void>;
  enqueueSmsReceipts(tx: Queryable, job: SmsReceiptJob): Promise<void>;
  /** Many jobs in one statement through `tx` (pg-boss `insert`); an `id` already in the queue is skipped. */
  sendMany(tx: Queryable, jobs: PgBoss.JobInsert[]): Promise<void>;
  /** Work of a job (a handler, a run that outlived its timeout) that `stop()` waits for before closing connections. */
  track<T>(work: Promise<T>): Promise<T>;
  /** Aborts when `stop()` has waited its grace period: a job still running should give up (it is retried later). */
  readonly shutdown: AbortSignal;
  /**
   * Stops taking jobs, lets running ones finish (or aborts them after a grace period), waits for every query pg-boss
   * has in flight, then closes pg-boss's connections: after it resolves nothing of the queue touches the database.
   */
  stop(): Promise<void>;
}

export interface StartJobQueueOptions {
  log: Logger;
  /** Per-queue overrides of DEFAULT_QUEUE_SETTINGS (tests shorten the waits). */
  settings?: Partial<Record<QueueName, Partial<QueueSettings>>>;
  /**
   * How often pg-boss looks for jobs whose worker died (their timeout passed) to retry them. Default 120 s (pg-boss's);
   * the kill tests shorten it.
   */
  maintenanceIntervalSeconds?: number;
  /** How long `stop()` lets running jobs finish before aborting them. Default 10 s. */
  stopGraceSeconds?: number;
}

/** How long `stop()` waits for aborted jobs to let go before closing anyway (a job that ignores its signal). */
const STOP_LIMIT_MS = 30_000;

/** pg-boss's `db` option bound to a drizzle transaction (or database), so a pg-boss call joins the caller's transaction. */
export function bossDbFor(q: Queryable): PgBoss.Db {
  return {
    async executeSql(text: string, values?: unknown[]) {
      return { rows: await queryRows(q, sqlFromText(text, values ?? [])) };
    },
  };
}

export async function startJobQueue(database: Database, options: StartJobQueueOptions): Promise<JobQueue> {
  const common = {
    schema: BOSS_SCHEMA,
    schedule: false,
    ...(options.maintenanceIntervalSeconds ? { maintenanceIntervalSeconds: options.maintenanceIntervalSeconds } : {}),
  } as const;
  // pg-boss gets its connection through its `db` option in both cases, so every query it makes is counted (stop()
  // waits for them) and, on PostgreSQL, its pool is one whose close waits for the sockets (db/pg-pool.ts).
  const pool =
    database.kind === 'postgres'
      ? createPool({ connectionString: database.databaseUrl!, max: 4, application_name: 'pgboss' }, (err) =>
          options.log.warn({ err }, 'a pg-boss connection to PostgreSQL was lost; the next query opens another'),
        )
      : undefined;
  const inner: PgBoss.Db = pool ? { executeSql: (text, values) => pool.pool.query(text, values) } : pgliteBossDb(database.pglite!);
  const queries = new InFlight();
  const handlers = new InFlight();
  const boss = new PgBoss({ ...common, db: { executeSql: (text, values) => queries.track(inner.executeSql(text, values)) } });
  boss.on('error', (err: Error) => options.log.error({ err }, 'pg-boss error'));
  const shutdown = new AbortController();
  // Every batch in flight listens for the shutdown: more than the default ten is normal, not a leak.
  setMaxListeners(0, shutdown.signal);
  try {
    await boss.start();
  } catch (err) {
    await pool?.close().catch(() => undefined);
    throw err;
  }

  const settings = new Map<string, QueueSettings>();
  const defineQueue = async (queue: string, s: QueueSettings) => {
    const deadLetter = deadLetterQueueOf(queue);
    if (!(await boss.getQueue(deadLetter))) await boss.createQueue(deadLetter, { name: deadLetter });
    const queueOptions = { name: queue, ...s, retryBackoff: true, deadLetter };
    // Settings live in pgboss.queue and are copied onto each job when it is sent: an upgrade must update them.
    if (await boss.getQueue(queue)) await boss.updateQueue(queue, queueOptions);
    else await boss.createQueue(queue, queueOptions);
    settings.set(queue, s);
  };
  try {
    for (const queue of Object.values(QUEUES)) {
      await defineQueue(queue, { ...DEFAULT_QUEUE_SETTINGS[queue], ...options.settings?.[queue] });
    }
  } catch (err) {
    await boss.stop({ graceful: false, close: false }).catch(() => undefined);
    await pool?.close().catch(() => undefined);
    throw err;
  }

  const send = async (tx: Queryable, queue: string, data: object) => {
    const id = await boss.send(queue, data, { db: bossDbFor(tx) });
    if (!id) throw new Error(`pg-boss did not accept a ${queue} job`);
    return id;
  };
  let stopping: Promise<void> | undefined;
  return {
    boss,
    settingsOf: (queue) => settings.get(queue),
    defineQueue,
    send,
    async enqueueTabsRecompute(tx, job, timing) {
      if (!timing) {
        await send(tx, QUEUES.tabsRecompute, job);
        return;
      }
      // No bands: only a waiting job to make due (a push whose facts were all stored before).
      if ((await mergeIntoWaitingRecompute(tx, BOSS_SCHEMA, QUEUES.tabsRecompute, job, timing)) || job.bandUids.length === 0) return;
      const id = await boss.send(QUEUES.tabsRecompute, job, { db: bossDbFor(tx), singletonKey: coalesceKey(job.eventId) });
      if (!id) throw new Error(`pg-boss did not accept a ${QUEUES.tabsRecompute} job`);
      if (timing.deferSeconds > 0) await deferJob(tx, BOSS_SCHEMA, QUEUES.tabsRecompute, id, timing.deferSeconds);
    },
    async enqueueRecalculateEvent(tx, job) {
      await send(tx, QUEUES.tabsRecalculateEvent, job);
    },
    async enqueueExport(tx, job) {
      await send(tx, QUEUES.exportsBuild, job);
    },
    async enqueueSmsReceipts(tx, job) {
      await send(tx, QUEUES.smsReceipt, job);
    },
    async sendMany(tx, jobs) {
      if (jobs.length) await boss.insert(jobs, { db: bossDbFor(tx) });
    },
    track: (work) => handlers.track(work),
    shutdown: shutdown.signal,
    stop: () => (stopping ??= stop()),
  };

  async function stop(): Promise<void> {
    const graceMs = (options.stopGraceSeconds ?? 10) * 1000;
    const abort = setTimeout(() => shutdown.abort(), graceMs);
    const limit = Date.now() + graceMs + STOP_LIMIT_MS;
    try {
      // pg-boss waits for the jobs it knows are running, but not for a fetch in flight, whose jobs start after.
      await boss.stop({ graceful: true, timeout: graceMs, wait: true, close: false });
      // Settled once no handler runs and no query is in flight after a turn of the event loop (a fetch that
      // returned jobs hands them to their handler, and a finished handler's completion is sent, in microtasks).
      while (Date.now() < limit) {
        const giveUp = new Promise((resolve) => setTimeout(resolve, Math.max(0, limit - Date.now())).unref());
        await Promise.race([Promise.all([handlers.idle(), queries.idle()]), giveUp]);
        await new Promise((resolve) => setImmediate(resolve));
        if (handlers.size + queries.size === 0) break;
      }
      if (handlers.size + queries.size > 0) {
        options.log.warn({ handlers: handlers.size, queries: queries.size }, 'jobs still running at shutdown; closing anyway');
      }
    } finally {
      clearTimeout(abort);
      shutdown.abort();
      await pool?.close();
    }
  }
}
