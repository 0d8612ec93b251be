import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startCloud, type RunningCloud } from '../../cloud/src/start.ts';

/** A cloud in this process on a free port, on a fresh PGlite, seeded with the demo (its organisation and people). */
export async function startConsoleCloud(): Promise<{ cloud: RunningCloud; stop: () => Promise<void> }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tapline-console-'));
  const cloud = await startCloud({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    adminToken: 'console-e2e-admin-token',
    seedDemo: { venueKey: 'console-e2e-venue-key', bands: 20 },
    jobPollingIntervalSeconds: 0.5,
    payments: { sweepIntervalSeconds: 0 },
    log: pino({ level: process.env.TAPLINE_LOG_LEVEL ?? 'silent' }),
  });
  return {
    cloud,
    stop: async () => {
      await cloud.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
