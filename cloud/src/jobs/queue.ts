import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { Database, Queryable } from '../db/open.ts';
import { queryRows, sqlFromText } from '../db/raw-sql.ts';
import { pgliteBossDb } from './pglite-adapter.ts';

export const QUEUES = {
  tabsRecompute: 'tabs.recompute',
} as const;

export interface TabsRecomputeJob {
  eventId: string;
  bandUids: string[];
}

export interface JobQueue {
  boss: PgBoss;
  /**
   * Enqueues through `tx` so the job commits or rolls back with the rows it is about (pg-boss `send` with `{ db }`).
   */
  enqueueTabsRecompute(tx: Queryable, job: TabsRecomputeJob): Promise<void>;
  stop(): Promise<void>;
}

export interface StartJobQueueOptions {
  /** How often idle workers look for jobs. pg-boss's minimum is 0.5 s. */
  pollingIntervalSeconds?: number;
  log: Logger;
}

/** pg-boss's `db` option bound to a drizzle transaction (or database), so `send` joins the caller's transaction. */
function bossDbFor(q: Queryable): PgBoss.Db {
  return {
    async executeSql(text: string, values?: unknown[]) {
      return { rows: await queryRows(q, sqlFromText(text, values ?? [])) };
    },
  };
}

export async function startJobQueue(database: Database, options: StartJobQueueOptions): Promise<JobQueue> {
  const common = { schema: 'pgboss', schedule: false } as const;
  const boss =
    database.kind === 'postgres'
      ? new PgBoss({ ...common, connectionString: database.databaseUrl!, max: 4 })
      : new PgBoss({ ...common, db: pgliteBossDb(database.pglite!) });
  boss.on('error', (err: Error) => options.log.error({ err }, 'pg-boss error'));
  await boss.start();
  for (const name of Object.values(QUEUES)) {
    if (!(await boss.getQueue(name))) await boss.createQueue(name, { name, retryLimit: 5, retryBackoff: true });
  }
  let stopped = false;
  return {
    boss,
    async enqueueTabsRecompute(tx, job) {
      const id = await boss.send(QUEUES.tabsRecompute, job, { db: bossDbFor(tx) });
      if (!id) throw new Error(`pg-boss did not accept a ${QUEUES.tabsRecompute} job`);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await boss.stop({ graceful: true, timeout: 10_000, close: true });
    },
  };
}
