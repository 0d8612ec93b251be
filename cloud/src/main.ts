import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCloudEnv } from './env.ts';
import { createLogger } from './log.ts';
import { DEMO_DEFAULT_BANDS, DEMO_VENUE_KEY } from './seed/demo.ts';
import { startCloud } from './start.ts';

export { startCloud } from './start.ts';
export type { RunningCloud, StartCloudOptions } from './start.ts';

/** Reads the process environment (see the cloud's README section of ARCHITECTURE.md) and runs the cloud. */
async function main(): Promise<void> {
  const log = createLogger();
  const env = process.env;
  const port = env.PORT === undefined || env.PORT === '' ? 4100 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be 0-65535, not "${env.PORT}"`);
  const bands = env.TAPLINE_DEMO_BANDS ? Number(env.TAPLINE_DEMO_BANDS) : DEMO_DEFAULT_BANDS;
  if (!Number.isInteger(bands) || bands < 0) throw new Error(`TAPLINE_DEMO_BANDS must be a whole number, not "${env.TAPLINE_DEMO_BANDS}"`);

  const settings = parseCloudEnv(env);
  const cloud = await startCloud({
    publicUrl: settings.publicUrl,
    linkSecret: settings.linkSecret,
    payments: settings.payments,
    smsLeaseSeconds: settings.smsLeaseSeconds,
    jobMaintenanceIntervalSeconds: settings.jobMaintenanceIntervalSeconds,
    jobSettings: settings.jobSettings,
    port,
    host: env.HOST || '0.0.0.0',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.TAPLINE_DATA_DIR || '.tapline/cloud',
    adminToken: env.TAPLINE_ADMIN_TOKEN || undefined,
    seedDemo: env.TAPLINE_SEED_DEMO === '1' ? { venueKey: env.TAPLINE_VENUE_KEY || DEMO_VENUE_KEY, bands } : undefined,
    log,
  });
  process.send?.({ type: 'ready', url: cloud.url, db: cloud.database.kind });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    cloud.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // An orchestrator that dies without signalling must not leave us behind.
  process.on('disconnect', () => stop('disconnect'));
}

const entry = process.argv[1] ? path.resolve(process.argv[1]) : '';
if (entry === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
