import { sql } from 'drizzle-orm';
import type { Db, Tx } from '../db/open.ts';
import { queryRows } from '../db/raw-sql.ts';
import type { FailureOutput } from './processor.ts';
import { BOSS_SCHEMA, bossDbFor, type JobQueue } from './queue.ts';

export interface DeadLetter {
  /** The dead-letter job's id: what retry takes. */
  id: string;
  /** The queue the job failed on, where a retry sends it. */
  queue: string;
  /** The failed job's own id, when its processor recorded it. */
  failedJobId: string | null;
  data: unknown;
  lastError: string | null;
  errorCode: string | null;
  permanent: boolean | null;
  retryCount: number | null;
  failedAt: string;
}

interface Row {
  id: string;
  name: string;
  data: unknown;
  output: Partial<FailureOutput> & { value?: { message?: unknown } | unknown };
  created_on: string | Date;
  source: string | null;
}

const boss = sql.raw(BOSS_SCHEMA);

/** A dead-letter job is one waiting, never worked, in a queue that another queue names as its dead letter. */
const deadLetterRows = (where: ReturnType<typeof sql>) => sql`
  select j.id, j.name, j.data, j.output, j.created_on,
         (select min(q.name) from ${boss}.queue q where q.dead_letter = j.name) as source
  from ${boss}.job j
  where j.name in (select dead_letter from ${boss}.queue where dead_letter is not null)
    and j.state = 'created' ${where}`;

function messageOf(output: Row['output']): string | null {
  if (!output || typeof output !== 'object') return null;
  if (typeof output.message === 'string') return output.message;
  // pg-boss's own failures (a timeout found by its maintenance) wrap the message in `value`.
  const value = output.value as { message?: unknown } | undefined;
  if (value && typeof value === 'object' && typeof value.message === 'string') return value.message;
  return typeof output.value === 'string' ? output.value : null;
}

function toDeadLetter(row: Row): DeadLetter | undefined {
  const output = row.output ?? {};
  const queue = typeof output.queue === 'string' ? output.queue : row.source;
  if (!queue) return undefined;
  return {
    id: row.id,
    queue,
    failedJobId: typeof output.jobId === 'string' ? output.jobId : null,
    data: row.data,
    lastError: messageOf(output),
    errorCode: typeof output.code === 'string' ? output.code : null,
    permanent: typeof output.permanent === 'boolean' ? output.permanent : null,
    retryCount: typeof output.retryCount === 'number' ? output.retryCount : null,
    failedAt: new Date(row.created_on).toISOString(),
  };
}

/** The jobs every processor gave up on, newest first. */
export async function listDeadLetters(db: Db, options: { limit: number; queue?: string }): Promise<DeadLetter[]> {
  const onQueue = options.queue ? sql`where coalesce(d.output->>'queue', d.source) = ${options.queue}` : sql``;
  const rows = await queryRows<Row>(
    db,
    sql`select * from (${deadLetterRows(sql``)}) d ${onQueue} order by d.created_on desc, d.id desc limit ${options.limit}`,
  );
  return rows.map(toDeadLetter).filter((d): d is DeadLetter => d !== undefined);
}

/**
 * Sends the dead letter's data to its queue again as a new job and removes it from the list, in one transaction.
 * Undefined when there is no such dead letter (already retried, or never one).
 */
export async function retryDeadLetter(
  db: Db,
  queue: JobQueue,
  id: string,
  /** Runs in the transaction before the job is sent: may refuse by throwing (the console's scope check), or audit. */
  within?: (tx: Tx, letter: DeadLetter) => Promise<void>,
): Promise<{ queue: string; jobId: string } | undefined> {
  return db.transaction(async (tx) => {
    const [row] = await queryRows<Row>(tx, sql`${deadLetterRows(sql`and j.id = ${id}::uuid`)} for update of j`);
    const letter = row && toDeadLetter(row);
    if (!row || !letter) return undefined;
    await within?.(tx, letter);
    const jobId = await queue.send(tx, letter.queue, (row.data ?? {}) as object);
    await queue.boss.deleteJob(row.name, row.id, { db: bossDbFor(tx) });
    return { queue: letter.queue, jobId };
  });
}
