import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import { describe, test } from 'node:test';
import pino from 'pino';
import { type FailedJob, startProcessor } from '../src/jobs/processor.ts';
import { DEMO_EVENT_ID, demoBandUid } from '../src/seed/demo-constants.ts';
import type { RunningCloud } from '../src/start.ts';
import { api, VENUE_KEY } from './helpers/cloud.ts';
import { databaseSkipReason } from './helpers/database.ts';
import { push, sale } from './helpers/facts.ts';
import { collect, nextEvent, readTab, tabWhere } from './helpers/jobs.ts';
import { type Api, useSeededCloud } from './helpers/seeded-cloud.ts';

const skip = await databaseSkipReason();

interface Letter {
  id: string;
  queue: string;
  failedJobId: string | null;
  data: unknown;
  lastError: string | null;
  errorCode: string | null;
  permanent: boolean | null;
  retryCount: number | null;
  failedAt: string;
}

describe('dead letters: failed jobs after their retries, listed and retried by head office', { skip, timeout: 120_000 }, () => {
  let cloud: RunningCloud;
  let admin: Api;
  const log = pino({ level: 'silent' });

  const letters = async (queue?: string): Promise<Letter[]> => {
    const res = await admin.get(`/v1/admin/dead-letters${queue ? `?queue=${encodeURIComponent(queue)}` : ''}`);
    assert.equal(res.status, 200);
    return res.body.deadLetters;
  };

  useSeededCloud((s) => ({ cloud, admin } = s));

  test('a job that always fails is tried 1 + retryLimit times, lands in the list, and runs again when retried', async () => {
    const queue = 'test.always-fails';
    await cloud.queue.defineQueue(queue, { retryLimit: 2, retryDelay: 1, expireInSeconds: 30 });
    let failing = true;
    const attempts: number[] = [];
    const succeeded = new EventEmitter();
    const failures: FailedJob[] = [];
    const deadLettered = new Promise<FailedJob>((resolve) => {
      void startProcessor<{ n: number }>(
        cloud.queue,
        {
          queue,
          async run([job]) {
            attempts.push(job!.data.n);
            if (failing) throw new Error('The test service answered 503.');
            succeeded.emit('done', job!.data);
          },
        },
        {
          log,
          pollingIntervalSeconds: 0.5,
          onFailed: (f) => {
            failures.push(f);
            if (f.deadLettered) resolve(f);
          },
        },
      );
    });
    await cloud.queue.send(cloud.database.db, queue, { n: 42 });
    const failed = await deadLettered;
    assert.deepEqual(attempts, [42, 42, 42]);
    assert.deepEqual(failures.map((f) => f.deadLettered), [false, false, true]);

    const [letter] = await letters(queue);
    assert.ok(letter, 'the failed job is listed');
    assert.equal(letter.queue, queue);
    assert.equal(letter.failedJobId, failed.jobId);
    assert.deepEqual(letter.data, { n: 42 });
    assert.equal(letter.lastError, 'The test service answered 503.');
    assert.equal(letter.retryCount, 2);
    assert.equal(letter.permanent, false);
    assert.ok(Date.parse(letter.failedAt) > Date.now() - 60_000);
    assert.ok((await letters()).some((l) => l.id === letter.id), 'listed without a queue filter too');

    failing = false;
    const done = once(succeeded, 'done');
    const retry = await admin.post(`/v1/admin/dead-letters/${letter.id}/retry`, {});
    assert.equal(retry.status, 202);
    assert.equal(retry.body.queue, queue);
    assert.deepEqual(await done, [{ n: 42 }]);
    assert.equal(attempts.length, 4);
    assert.deepEqual(await letters(queue), [], 'a retried letter leaves the list');
    const again = await admin.post(`/v1/admin/dead-letters/${letter.id}/retry`, {});
    assert.equal(again.status, 404);
    assert.equal((await admin.post('/v1/admin/dead-letters/not-a-uuid/retry', {})).status, 404);
    assert.equal((await api(cloud.url).get('/v1/admin/dead-letters')).status, 401);
  });

  test('a job that outlives its timeout is stopped and counted as a failure', async () => {
    const queue = 'test.too-slow';
    await cloud.queue.defineQueue(queue, { retryLimit: 0, retryDelay: 1, expireInSeconds: 1 });
    const deadLettered = new Promise<FailedJob>((resolve) => {
      void startProcessor<object>(
        cloud.queue,
        {
          queue,
          // Waits for the abort the timeout sends, as a job paging through data would.
          run: (_jobs, signal) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
        },
        { log, pollingIntervalSeconds: 0.5, onFailed: (f) => f.deadLettered && resolve(f) },
      );
    });
    await cloud.queue.send(cloud.database.db, queue, {});
    const failed = await deadLettered;
    assert.match(failed.error, /ran longer than its 1 s timeout/);
    const [letter] = await letters(queue);
    assert.equal(letter?.failedJobId, failed.jobId);
  });

  test('a tab that cannot be priced is a permanent failure: dead-lettered at once, its neighbours still priced', async () => {
    const hub = api(cloud.url, VENUE_KEY);
    // The event is in EUR; a sale in USD cannot be added to its tab, however often it is tried.
    const dollars = sale({ band: 7, currency: 'USD' });
    const euros = sale({ band: 8 });
    const failedJobs = collect(cloud, 'jobs:failed');
    const neighbour = tabWhere(cloud, DEMO_EVENT_ID, demoBandUid(8), (t) => t.sales === 1);
    const stored = await hub.post('/v1/sync/push', push([dollars, euros]));
    assert.deepEqual(stored.body.results.map((r: { status: string }) => r.status), ['stored', 'stored']);
    const [first] = await failedJobs.waitFor(([f]) => f.queue === 'tabs.recompute');
    assert.equal(first.deadLettered, true, 'no retries for a permanent error');
    assert.equal((await neighbour).total, euros.total);
    assert.equal(await readTab(cloud, DEMO_EVENT_ID, demoBandUid(7)), undefined);

    const [letter] = await letters('tabs.recompute');
    assert.ok(letter);
    assert.equal(letter.errorCode, 'currency_mismatch');
    assert.equal(letter.permanent, true);
    assert.equal(letter.retryCount, 0);
    assert.match(letter.lastError!, new RegExp(`Band ${demoBandUid(7)} of event ${DEMO_EVENT_ID}: The sale ${dollars.id} is in USD but the tab is in EUR`));
    assert.deepEqual(letter.data, { eventId: DEMO_EVENT_ID, bandUids: [demoBandUid(7), demoBandUid(8)].sort() });

    // Retried before the cause is fixed, it runs again and comes back as a new letter.
    const rerun = failedJobs.waitFor(([f]) => f.queue === 'tabs.recompute' && f.jobId !== first.jobId);
    const recomputedAgain = nextEvent(cloud, 'tabs:recomputed', (job) => job.bandUids.includes(demoBandUid(8)));
    const retry = await admin.post(`/v1/admin/dead-letters/${letter.id}/retry`, {});
    assert.equal(retry.status, 202);
    const [second] = await rerun;
    assert.equal(second.jobId, retry.body.jobId);
    await recomputedAgain;
    const now = await letters('tabs.recompute');
    assert.equal(now.length, 1);
    assert.notEqual(now[0]!.id, letter.id);
    assert.equal(now[0]!.failedJobId, retry.body.jobId);
    failedJobs.stop();
  });
});
