import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import type { Sale } from '@tapline/shared';
import { queryRows } from '../src/db/raw-sql.ts';
import { coalesceKey, mergeIntoWaitingRecompute } from '../src/jobs/enqueue-tabs.ts';
import { BOSS_SCHEMA, QUEUES } from '../src/jobs/queue.ts';
import { DEMO_EVENT_ID, demoBandUid } from '../src/seed/demo-constants.ts';
import { TABS_DEFER_SECONDS } from '../src/services/ingest-jobs.ts';
import type { RunningCloud } from '../src/start.ts';
import { databaseSkipReason, usePostgres } from './helpers/database.ts';
import { sale } from './helpers/facts.ts';
import { nextEvent, readTab } from './helpers/jobs.ts';
import { type Api, useSeededCloud } from './helpers/seeded-cloud.ts';

const skip = await databaseSkipReason();

interface WaitingJob {
  id: string;
  bands: string[];
  state: string;
  /** Seconds from now until a worker may take it (negative once due). */
  dueIn: number;
}

describe('ingest: one tab recompute per event while a backlog drains', { skip }, () => {
  let cloud: RunningCloud;
  let hub: Api;
  useSeededCloud((s) => ({ cloud, hub } = s));

  const pushWithBacklog = async (orders: Sale[], backlog: number) => {
    const res = await hub.post('/v1/sync/push', { v: 1, hubId: 'hub-test', backlog, orders });
    assert.equal(res.status, 200);
    return res.body.results.map((r: { status: string }) => r.status);
  };
  /** The push recomputes of the demo event, oldest first. */
  const pushJobs = () =>
    queryRows<WaitingJob>(
      cloud.database.db,
      sql`select id, state::text as state, data->'bandUids' as bands,
                 extract(epoch from start_after - now())::float8 as "dueIn"
          from ${sql.raw(`${BOSS_SCHEMA}.job`)}
          where name = ${QUEUES.tabsRecompute} and singleton_key = ${coalesceKey(DEMO_EVENT_ID)}
          order by created_on, id`,
    );
  const waiting = async () => (await pushJobs()).filter((j) => j.state === 'created');
  const recomputeOf = (bands: string[]) =>
    nextEvent(cloud, 'tabs:recomputed', (job) => job.eventId === DEMO_EVENT_ID && bands.every((b) => job.bandUids.includes(b)));

  test('pushes with more behind them merge into one waiting job; the last one makes it due and it prices every band', async () => {
    const [b1, b2, b3] = [demoBandUid(1), demoBandUid(2), demoBandUid(3)];
    const recomputed = recomputeOf([b1, b2, b3]);
    assert.deepEqual(await pushWithBacklog([sale({ band: 1 }), sale({ band: 2 })], 2000), ['stored', 'stored']);
    const [first, ...more] = await waiting();
    assert.deepEqual(more, []);
    assert.deepEqual(first!.bands, [b1, b2]);
    // Deferred for the pushes behind it: no worker may take it yet.
    assert.ok(first!.dueIn > TABS_DEFER_SECONDS / 2, `due in ${first!.dueIn} s`);

    assert.deepEqual(await pushWithBacklog([sale({ band: 2 }), sale({ band: 3 })], 1000), ['stored', 'stored']);
    const [merged, ...others] = await waiting();
    assert.deepEqual(others, []);
    assert.equal(merged!.id, first!.id);
    assert.deepEqual(merged!.bands, [b1, b2, b3]);

    // The last batch of the backlog: nothing more waits, so the recompute is due now.
    assert.deepEqual(await pushWithBacklog([sale({ band: 1 })], 0), ['stored']);
    const [job] = await recomputed;
    assert.deepEqual([...job.bandUids].sort(), [b1, b2, b3]);
    assert.equal((await pushJobs()).length, 1);
    assert.equal((await readTab(cloud, DEMO_EVENT_ID, b1))?.sales, 2);
    assert.equal((await readTab(cloud, DEMO_EVENT_ID, b2))?.sales, 2);
    assert.equal((await readTab(cloud, DEMO_EVENT_ID, b3))?.sales, 1);
  });

  test('a resent last batch, all duplicates, still makes the waiting recompute due', async () => {
    const b4 = demoBandUid(4);
    const recomputed = recomputeOf([b4]);
    const s = sale({ band: 4 });
    assert.deepEqual(await pushWithBacklog([s], 500), ['stored']);
    const [job] = await waiting();
    assert.ok(job!.dueIn > TABS_DEFER_SECONDS / 2);
    assert.deepEqual(await pushWithBacklog([s], 0), ['duplicate']);
    const [after] = (await pushJobs()).filter((j) => j.id === job!.id);
    assert.ok(after!.dueIn <= 0, `due in ${after!.dueIn} s`);
    await recomputed;
  });

  test('a job a worker has taken is never merged into: the next push gets a job of its own', async () => {
    const [b5, b6] = [demoBandUid(5), demoBandUid(6)];
    assert.deepEqual(await pushWithBacklog([sale({ band: 5 })], 500), ['stored']);
    // What the tabs worker does when it takes the job (the deferral aside).
    const taken = await cloud.queue.boss.fetch(QUEUES.tabsRecompute, { ignoreStartAfter: true, batchSize: 10 });
    assert.deepEqual(
      taken.map((j) => (j.data as { bandUids: string[] }).bandUids),
      [[b5]],
    );
    const s6 = sale({ band: 6 });
    assert.deepEqual(await pushWithBacklog([s6], 500), ['stored']);
    const [fresh, ...more] = await waiting();
    assert.deepEqual(more, []);
    assert.notEqual(fresh!.id, taken[0]!.id);
    assert.deepEqual(fresh!.bands, [b6]);
    const recomputed = recomputeOf([b6]);
    assert.deepEqual(await pushWithBacklog([s6], 0), ['duplicate']);
    await recomputed;
    await cloud.queue.boss.complete(QUEUES.tabsRecompute, taken[0]!.id);
  });

  // Two connections at once exist only on PostgreSQL (PGlite is one connection), so this case runs in `npm run test:pg`.
  const postgresTest = usePostgres ? test : () => undefined;
  postgresTest('a worker fetching while a push merges skips the job until the push commits', async () => {
    const [b7, b8] = [demoBandUid(7), demoBandUid(8)];
    assert.deepEqual(await pushWithBacklog([sale({ band: 7 })], 500), ['stored']);
    const [job] = await waiting();
    const recomputed = recomputeOf([b7, b8]);
    await cloud.database.db.transaction(async (tx) => {
      assert.equal(await mergeIntoWaitingRecompute(tx, BOSS_SCHEMA, QUEUES.tabsRecompute, { eventId: DEMO_EVENT_ID, bandUids: [b8] }, { deferSeconds: 0 }), true);
      // pg-boss's own connection, as the worker's: the row this transaction holds is skipped, not taken half-merged.
      const seen = await cloud.queue.boss.fetch(QUEUES.tabsRecompute, { ignoreStartAfter: true, batchSize: 10 });
      assert.deepEqual(seen, []);
    });
    const [done] = await recomputed;
    assert.ok(done.bandUids.includes(b8));
    assert.equal((await pushJobs()).filter((j) => j.id === job!.id).length, 1);
  });
});
