import pino from 'pino';
import { type RunningCloud, type StartCloudOptions, startCloud } from '../../src/start.ts';
import type { TabsRecomputeJob } from '../../src/jobs/queue.ts';
import type { TestDatabase } from './database.ts';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const VENUE_KEY = 'test-venue-key-0123456789';

/**
 * A cloud on a free port, seeded with the demo venue (10 bands), polling jobs fast, logging nothing. The payment
 * sweeper is off unless a test turns it on (`payments: { sweepIntervalSeconds }`): running, it holds every demo card
 * at start and every minute after, calling the payment provider and writing tab_payments and pg-boss jobs behind the
 * back of tests that count those or set them by hand.
 */
export function startTestCloud(db: TestDatabase, extra: Partial<StartCloudOptions> = {}): Promise<RunningCloud> {
  return startCloud({
    port: 0,
    host: '127.0.0.1',
    ...db.options,
    adminToken: ADMIN_TOKEN,
    seedDemo: { venueKey: VENUE_KEY, bands: 10 },
    jobPollingIntervalSeconds: 0.5,
    payments: { sweepIntervalSeconds: 0 },
    log: pino({ level: process.env.TAPLINE_LOG_LEVEL ?? 'silent' }),
    ...extra,
  });
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
}

export function api(baseUrl: string, token?: string) {
  const headers = (extra: Record<string, string> = {}) => ({
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...extra,
  });
  const read = async (res: Response): Promise<ApiResponse> => ({ status: res.status, body: await res.json() });
  return {
    get: async (path: string) => read(await fetch(baseUrl + path, { headers: headers() })),
    post: async (path: string, body: unknown) =>
      read(await fetch(baseUrl + path, { method: 'POST', headers: headers({ 'content-type': 'application/json' }), body: JSON.stringify(body) })),
    put: async (path: string, body: unknown) =>
      read(await fetch(baseUrl + path, { method: 'PUT', headers: headers({ 'content-type': 'application/json' }), body: JSON.stringify(body) })),
    postRaw: async (path: string, text: string) =>
      read(await fetch(baseUrl + path, { method: 'POST', headers: headers({ 'content-type': 'application/json' }), body: text })),
  };
}

/** Resolves when a recompute covering `bandUid` of `eventId` has committed. Call before the push that causes it. */
export function tabRecomputed(cloud: RunningCloud, eventId: string, bandUid: string): Promise<TabsRecomputeJob> {
  return new Promise((resolve) => {
    const onJob = (job: TabsRecomputeJob) => {
      if (job.eventId === eventId && job.bandUids.includes(bandUid)) {
        cloud.events.off('tabs:recomputed', onJob);
        resolve(job);
      }
    };
    cloud.events.on('tabs:recomputed', onJob);
  });
}
