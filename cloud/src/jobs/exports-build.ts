import type { Logger } from 'pino';
import type { Db } from '../db/open.ts';
import { buildExport, markExportFailed } from '../services/exports.ts';
import { PermanentJobError, type ProcessorOptions, startProcessor } from './processor.ts';
import { type ExportBuildJob, type JobQueue, QUEUES } from './queue.ts';

export interface ExportsWorkerOptions {
  log: Logger;
  pollingIntervalSeconds: number;
  /** `<dataDir>/exports`. */
  exportsDir: string;
  onFinished?: (result: { exportId: string; status: 'ready' | 'failed' }) => void;
  onFailed?: ProcessorOptions['onFailed'];
}

/** The data exporter: builds one CSV per job, paged over the data; an export given up on is marked failed. */
export function startExportsWorker(queue: JobQueue, db: Db, options: ExportsWorkerOptions): Promise<string> {
  return startProcessor<ExportBuildJob>(
    queue,
    {
      queue: QUEUES.exportsBuild,
      async run([job], signal) {
        const { exportId } = job!.data;
        const row = await buildExport(db, options.exportsDir, exportId, signal);
        if (!row) throw new PermanentJobError('unknown_export', `There is no export ${exportId} to build.`);
        options.log.info({ exportId, kind: row.kind, rows: row.rows, bytes: row.bytes }, 'export ready');
        options.onFinished?.({ exportId, status: 'ready' });
      },
      async onGivenUp(job, error) {
        const message = error instanceof Error ? error.message : String(error);
        await markExportFailed(db, job.data.exportId, `The export could not be built: ${message}`);
        options.onFinished?.({ exportId: job.data.exportId, status: 'failed' });
      },
    },
    { log: options.log, pollingIntervalSeconds: options.pollingIntervalSeconds, onFailed: options.onFailed },
  );
}
