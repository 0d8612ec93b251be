import assert from 'node:assert/strict';
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { DEMO_EVENT_ID, DEMO_VENUE_ID } from '../src/seed/demo-constants.ts';
import { seedDemo } from '../src/seed/demo.ts';
import { ADMIN_TOKEN, api, startTestCloud, tabRecomputed, VENUE_KEY } from './helpers/cloud.ts';
import { createTestDatabase, databaseSkipReason, type TestDatabase } from './helpers/database.ts';
import { push, sale, voidOf } from './helpers/facts.ts';

const skip = await databaseSkipReason();
const mainEntry = fileURLToPath(new URL('../src/main.ts', import.meta.url));

interface Forked {
  child: ChildProcess;
  url: string;
}

/** Forks the real entry point the way an orchestrator does, and waits for its `ready` message. */
async function forkCloud(target: TestDatabase): Promise<Forked> {
  const child = fork(mainEntry, [], {
    execArgv: ['--import', 'tsx'],
    env: {
      ...process.env,
      ...target.env,
      PORT: '0',
      HOST: '127.0.0.1',
      TAPLINE_ADMIN_TOKEN: ADMIN_TOKEN,
      TAPLINE_SEED_DEMO: '1',
      TAPLINE_VENUE_KEY: VENUE_KEY,
      TAPLINE_DEMO_BANDS: '10',
      TAPLINE_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const ready = new Promise<{ type: string; url: string }>((resolve, reject) => {
    child.on('message', (m: { type?: string; url?: string }) => {
      if (m.type === 'ready') resolve(m as { type: string; url: string });
    });
    child.once('exit', (code, signal) => reject(new Error(`cloud exited before ready (code ${code}, signal ${signal})`)));
  });
  const msg = await ready;
  return { child, url: msg.url };
}

describe('restart on the same data', { skip }, () => {
  const targets: TestDatabase[] = [];
  const children: ChildProcess[] = [];
  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const t of targets) await t.drop();
  });

  test('closing and starting again keeps orders, conflicts, config and tabs; the seed changes nothing', async () => {
    const target = await createTestDatabase();
    targets.push(target);
    let cloud = await startTestCloud(target);
    const hub1 = api(cloud.url, VENUE_KEY);
    const s = sale({ band: 1 });
    const v = voidOf(s);
    const kept = sale({ band: 1, lines: [{ productId: 'soft-cola', name: 'Cola', quantity: 1, unitPrice: 350 }] });
    const done = tabRecomputed(cloud, DEMO_EVENT_ID, s.bandUid);
    await hub1.post('/v1/sync/push', push([s, v, kept]));
    await done;
    const summaryBefore = (await hub1.get(`/v1/events/${DEMO_EVENT_ID}/summary`)).body;
    const configBefore = (await hub1.get('/v1/sync/pull?limit=5000')).body;
    await cloud.close();

    cloud = await startTestCloud(target);
    try {
      const hub2 = api(cloud.url, VENUE_KEY);
      assert.deepEqual((await hub2.get(`/v1/events/${DEMO_EVENT_ID}/summary`)).body, summaryBefore);
      assert.equal(summaryBefore.total, 350);
      assert.deepEqual((await hub2.get('/v1/sync/pull?limit=5000')).body, configBefore);
      const repeat = await hub2.post('/v1/sync/push', push([s, v, kept]));
      assert.deepEqual(repeat.body.results.map((r: { status: string }) => r.status), ['duplicate', 'duplicate', 'duplicate']);
      const again = await seedDemo(cloud.database.db, { venueKey: VENUE_KEY, bands: 10 });
      assert.deepEqual(again, { venueCreated: false, appended: 0, attendees: 0 });
    } finally {
      await cloud.close();
    }
  });

  test('a SIGKILLed cloud process restarts on the same data with every acknowledged order', async () => {
    const target = await createTestDatabase();
    targets.push(target);
    const first = await forkCloud(target);
    children.push(first.child);
    const hub = api(first.url, VENUE_KEY);
    const batches = [0, 1, 2].map((b) => Array.from({ length: 50 }, (_, i) => sale({ band: ((b * 50 + i) % 10) + 1 })));
    for (const batch of batches) {
      const res = await hub.post('/v1/sync/push', push(batch));
      assert.equal(res.status, 200);
      assert.ok(res.body.results.every((r: { status: string }) => r.status === 'stored'));
    }
    const changesBefore = (await hub.get('/v1/sync/pull?limit=5000')).body.changes.length;
    assert.ok(changesBefore > 0);
    const exited = once(first.child, 'exit');
    first.child.kill('SIGKILL');
    const [, signal] = await exited;
    assert.equal(signal, 'SIGKILL');

    const second = await forkCloud(target);
    children.push(second.child);
    const hub2 = api(second.url, VENUE_KEY);
    const summary = (await hub2.get(`/v1/events/${DEMO_EVENT_ID}/summary`)).body;
    assert.equal(summary.orders, 150);
    assert.equal(summary.total, 150 * 1100);
    const repeat = await hub2.post('/v1/sync/push', push(batches[2]!));
    assert.ok(repeat.body.results.every((r: { status: string }) => r.status === 'duplicate'));
    const pulled = (await hub2.get('/v1/sync/pull?limit=5000')).body;
    assert.equal(pulled.venueId, DEMO_VENUE_ID);
    assert.equal(pulled.changes.length, changesBefore, 'the restart did not seed twice');

    // SIGTERM is a clean stop: exit code 0.
    const stopped = once(second.child, 'exit');
    second.child.kill('SIGTERM');
    const [code] = await stopped;
    assert.equal(code, 0);
  });
});
