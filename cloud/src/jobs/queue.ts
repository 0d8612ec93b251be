import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { Database, Queryable } from '../db/open.ts';
import { queryRows, sqlFromText } from '../db/raw-sql.ts';
import { pgliteBossDb } from './pglite-adapter.ts';

export const QUEUES = {
  tabsRecompute: 'tabs.recompute',
  tabsRecalculateEvent: 'tabs.recalculate-event',
  exportsBuild: 'exports.build',
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
  enqueueTabsRecompute(tx: Queryable, job: TabsRecomputeJob): Promise<void>;
  enqueueRecalculateEvent(tx: Queryable, job: TabsRecalculateEventJob): Promise<void>;
  enqueueExport(tx: Queryable, job: ExportBuildJob): Promise<void>;
  stop(): Promise<void>;
}

export interface StartJobQueueOptions {
  log: Logger;
  /** Per-queue overrides of DEFAULT_QUEUE_SETTINGS (tests shorten the waits). */
  settings?: Partial<Record<QueueName, Partial<QueueSettings>>>;
}

/** pg-boss's `db` option bound to a drizzle transaction (or database), so a pg-boss call joins the caller's transaction. */
export function bossDbFor(q: Queryable): PgBoss.Db {
  return {
    async executeSql(text: string, values?: unknown[]) {
      return { rows: await queryRows(q, sqlFromText(text, values ?? [])) };
    },
  };
}

export async function startJobQueue(database: Database, options: StartJobQueueOptions): Promise<JobQueue> {
  const common = { schema: BOSS_SCHEMA, schedule: false } as const;
  const boss =
    database.kind === 'postgres'
      ? new PgBoss({ ...common, connectionString: database.databaseUrl!, max: 4 })
      : new PgBoss({ ...common, db: pgliteBossDb(database.pglite!) });
  boss.on('error', (err: Error) => options.log.error({ err }, 'pg-boss error'));
  await boss.start();

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
  for (const queue of Object.values(QUEUES)) {
    await defineQueue(queue, { ...DEFAULT_QUEUE_SETTINGS[queue], ...options.settings?.[queue] });
  }

  const send = async (tx: Queryable, queue: string, data: object) => {
    const id = await boss.send(queue, data, { db: bossDbFor(tx) });
    if (!id) throw new Error(`pg-boss did not accept a ${queue} job`);
    return id;
  };
  let stopped = false;
  return {
    boss,
    settingsOf: (queue) => settings.get(queue),
    defineQueue,
    send,
    async enqueueTabsRecompute(tx, job) {
      await send(tx, QUEUES.tabsRecompute, job);
    },
    async enqueueRecalculateEvent(tx, job) {
      await send(tx, QUEUES.tabsRecalculateEvent, job);
    },
    async enqueueExport(tx, job) {
      await send(tx, QUEUES.exportsBuild, job);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await boss.stop({ graceful: true, timeout: 10_000, close: true });
    },
  };
}
