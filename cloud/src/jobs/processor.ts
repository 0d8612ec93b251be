import { PricingError } from '@tapline/shared';
import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import { BOSS_SCHEMA, type JobQueue } from './queue.ts';

/** A failure that no retry can fix (bad data, a missing row): the job goes to its dead-letter queue at once. */
export class PermanentJobError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PermanentJobError';
  }
}

export function isPermanent(err: unknown): boolean {
  return err instanceof PermanentJobError || err instanceof PricingError;
}

export type Job<T> = PgBoss.JobWithMetadata<T>;

export interface JobFailure {
  jobId: string;
  error: unknown;
}

/** What a failed job leaves as its output; pg-boss copies it onto the dead-letter job, where the list reads it. */
export interface FailureOutput {
  message: string;
  code: string | null;
  queue: string;
  jobId: string;
  retryCount: number;
  permanent: boolean;
}

export interface FailedJob {
  queue: string;
  jobId: string;
  error: string;
  /** false: retried later; true: given up on and moved to the dead-letter queue. */
  deadLettered: boolean;
}

export interface Processor<T> {
  queue: string;
  /** Jobs taken at a time; `run` gets them together (default 1). */
  batchSize?: number;
  /**
   * Works a batch. Resolves with the jobs that failed and why; the others complete. A throw fails the whole batch.
   * `signal` aborts when the batch passes its timeout (the queue's expireInSeconds): stop early, nothing is kept.
   */
  run(jobs: Job<T>[], signal: AbortSignal): Promise<JobFailure[] | void>;
  /** Called when a job is given up on, before it moves to the dead-letter queue (e.g. to mark what it was building). */
  onGivenUp?(job: Job<T>, error: unknown): Promise<void>;
}

export interface ProcessorOptions {
  log: Logger;
  /** pg-boss polls for jobs this often when idle (minimum 0.5 s). */
  pollingIntervalSeconds: number;
  onFailed?: (failed: FailedJob) => void;
}

function describe(err: unknown): { message: string; code: string | null } {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { message: err.message, code: typeof code === 'string' ? code : null };
  }
  return { message: String(err), code: null };
}

/**
 * Runs a processor on its queue: per-job outcomes inside a batch, a timeout per batch, retries with backoff (the
 * queue's settings), and permanent errors sent straight to the dead-letter queue instead of being retried.
 */
export async function startProcessor<T>(queue: JobQueue, processor: Processor<T>, options: ProcessorOptions): Promise<string> {
  const { boss } = queue;
  const settings = queue.settingsOf(processor.queue);
  if (!settings) throw new Error(`queue ${processor.queue} is not defined; call defineQueue first`);
  const { log } = options;

  const fail = async (job: Job<T>, error: unknown) => {
    const permanent = isPermanent(error);
    const deadLettered = permanent || job.retryCount >= job.retryLimit;
    const { message, code } = describe(error);
    if (deadLettered && processor.onGivenUp) {
      await processor.onGivenUp(job, error).catch((err: unknown) => log.error({ err, queue: processor.queue, jobId: job.id }, 'onGivenUp failed'));
    }
    if (permanent && job.retryCount < job.retryLimit) {
      // pg-boss retries while retry_count < retry_limit; spending the tries sends this one to the dead letters now.
      await boss.getDb().executeSql(
        `UPDATE ${BOSS_SCHEMA}.job SET retry_limit = retry_count WHERE name = $1 AND id = $2 AND state = 'active'`,
        [processor.queue, job.id],
      );
    }
    const output: FailureOutput = { message, code, queue: processor.queue, jobId: job.id, retryCount: job.retryCount, permanent };
    await boss.fail(processor.queue, job.id, output);
    log[deadLettered ? 'error' : 'warn'](
      { queue: processor.queue, jobId: job.id, retryCount: job.retryCount, code, permanent, err: error },
      deadLettered ? 'job moved to the dead letters' : 'job failed; it will be retried',
    );
    options.onFailed?.({ queue: processor.queue, jobId: job.id, error: message, deadLettered });
  };

  return boss.work<T>(
    processor.queue,
    { batchSize: processor.batchSize ?? 1, includeMetadata: true, pollingIntervalSeconds: options.pollingIntervalSeconds },
    (jobs) => queue.track(work(jobs)),
  );

  async function work(jobs: Job<T>[]): Promise<void> {
    const controller = new AbortController();
    // Half a second under pg-boss's own timer, so the failure recorded is ours, per job, with its reason.
    const limitMs = Math.max(500, Math.min(...jobs.map((j) => j.expireInSeconds)) * 1000 - 500);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), limitMs);
    });
    // A shutdown that has waited its grace period stops the run like its own timeout does (the jobs are retried).
    let onShutdown = () => {};
    const shutDown = new Promise<'shutdown'>((resolve) => {
      onShutdown = () => resolve('shutdown');
      if (queue.shutdown.aborted) onShutdown();
    });
    queue.shutdown.addEventListener('abort', onShutdown);
    // Tracked on its own: a run that outlives its timeout still holds connections the shutdown must wait for.
    const running = queue.track(processor.run(jobs, controller.signal));
    let failures: JobFailure[];
    try {
      const outcome = await Promise.race([running, timedOut, shutDown]);
      if (outcome === 'timeout' || outcome === 'shutdown') {
        controller.abort();
        running.catch(() => undefined);
        const error = new Error(
          outcome === 'timeout'
            ? `The job ran longer than its ${Math.round(limitMs / 1000)} s timeout and was stopped.`
            : 'The cloud shut down while the job ran; it was stopped and will be retried.',
        );
        failures = jobs.map((j) => ({ jobId: j.id, error }));
      } else failures = outcome ?? [];
    } catch (error) {
      failures = jobs.map((j) => ({ jobId: j.id, error }));
    } finally {
      clearTimeout(timer);
      queue.shutdown.removeEventListener('abort', onShutdown);
    }
    const byId = new Map(jobs.map((j) => [j.id, j]));
    for (const f of failures) {
      const job = byId.get(f.jobId);
      if (job) await fail(job, f.error);
    }
    // pg-boss then completes the jobs still active: the failed ones are no longer active, so they stay failed.
  }
}
