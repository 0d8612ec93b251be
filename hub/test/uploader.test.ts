import v8 from 'node:v8';
import vm from 'node:vm';
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import type { RunningHub } from '../src/hub.ts';
import { eventually, FakeCloud, makeSale, pairAndConnect, removeDir, startTestHub, tempDir } from './helpers.ts';

describe('uploader', () => {
  let dir: string;
  let cloud: FakeCloud;
  let hub: RunningHub | null = null;

  beforeEach(async () => {
    dir = tempDir();
    cloud = await new FakeCloud().start();
  });
  afterEach(async () => {
    await hub?.close();
    hub = null;
    await cloud.close();
    removeDir(dir);
  });

  const allArrivedOnce = (ids: string[]) => ids.every((id) => cloud.seen.get(id) === 1);

  test('drains the outbox in bounded batches, in order, with the venue key, each order once', async () => {
    cloud.mode = 'fail'; // let a backlog build first
    hub = await startTestHub({ dataDir: dir, cloudUrl: cloud.url, venueKey: 'vk_test', batchSize: 7 });
    const { creds, terminal } = await pairAndConnect(hub);
    const sales = Array.from({ length: 40 }, (_, i) => makeSale(creds.terminalId, i + 1));
    const ack = await terminal.push(sales);
    assert.ok(ack.ok);
    assert.equal(hub.status().queueDepth, 40);
    cloud.mode = 'ok';
    const ids = sales.map((s) => s.id);
    await eventually(() => allArrivedOnce(ids) && hub!.status().queueDepth === 0, 'the backlog to drain');
    assert.ok(Math.max(...cloud.batchSizes) <= 7, `largest batch ${Math.max(...cloud.batchSizes)}`);
    assert.ok(cloud.batchSizes.length >= 6);
    assert.deepEqual([...cloud.stored.keys()], ids, 'sent in the order they arrived');
    assert.ok(cloud.authHeaders.every((h) => h === 'Bearer vk_test'));
    const status = hub.status();
    assert.equal(status.uplink.state, 'online');
    assert.ok(status.uplink.lastUploadAt);
    await terminal.nextStatus((s) => s.pendingUpload === 0 && s.uplink === 'online');
    terminal.close();
  });

  test('cloud answers 500, then recovers: everything arrives exactly once', async () => {
    cloud.mode = 'fail';
    hub = await startTestHub({ dataDir: dir, cloudUrl: cloud.url, venueKey: 'k' });
    const { creds, terminal } = await pairAndConnect(hub);
    const sales = Array.from({ length: 25 }, (_, i) => makeSale(creds.terminalId, i + 1));
    const failing = cloud.nextPush();
    assert.ok((await terminal.push(sales)).ok);
    await failing;
    await eventually(() => hub!.status().uplink.state === 'offline', 'uplink offline');
    assert.match(hub.status().uplink.lastError ?? '', /500/);
    assert.equal(hub.status().queueDepth, 25);
    cloud.mode = 'ok';
    await eventually(() => hub!.status().queueDepth === 0, 'the outbox to drain');
    assert.ok(allArrivedOnce(sales.map((s) => s.id)));
    assert.equal(cloud.stored.size, 25);
    terminal.close();
  });

  test('cloud hangs: the request times out and is retried, nothing is lost, terminals are still acked', async () => {
    cloud.mode = 'hang';
    hub = await startTestHub({ dataDir: dir, cloudUrl: cloud.url, venueKey: 'k', requestTimeoutMs: 300 });
    const { creds, terminal } = await pairAndConnect(hub);
    const first = makeSale(creds.terminalId, 1);
    assert.ok((await terminal.push([first])).ok);
    // A full garbage collection while the request hangs: the timeout must survive it (Node 20 collects a
    // `AbortSignal.timeout` held only by `AbortSignal.any`, and the request then hangs forever).
    await eventually(() => cloud.hungRequests >= 1, 'the first request to hang');
    forceGc();
    await eventually(() => cloud.hungRequests >= 2, 'a timed-out request to be retried');
    assert.match(hub.status().uplink.lastError ?? '', /did not answer within 300 ms/);
    // Ingest is unaffected while the uplink hangs.
    const more = Array.from({ length: 20 }, (_, i) => makeSale(creds.terminalId, i + 2));
    const ack = await terminal.push(more);
    assert.ok(ack.ok);
    assert.ok(ack.results.every((r) => r.status === 'stored'));
    cloud.mode = 'ok';
    const ids = [first, ...more].map((s) => s.id);
    // Arrived, not once: with a 300 ms timeout an answered upload can still time out on a busy machine and be sent
    // again, which the cloud takes as a duplicate (delivery is at least once; the cloud is idempotent on the id).
    await eventually(() => ids.every((id) => cloud.stored.has(id)) && hub!.status().queueDepth === 0, 'everything to arrive');
    terminal.close();
  });

  test('orders the cloud calls invalid move to rejected; the rest are removed from the outbox', async () => {
    cloud.mode = 'fail';
    hub = await startTestHub({ dataDir: dir, cloudUrl: cloud.url, venueKey: 'k' });
    const { creds, terminal } = await pairAndConnect(hub);
    const sales = Array.from({ length: 5 }, (_, i) => makeSale(creds.terminalId, i + 1));
    cloud.invalidIds.add(sales[2]!.id);
    assert.ok((await terminal.push(sales)).ok);
    cloud.mode = 'ok';
    await eventually(() => hub!.status().queueDepth === 0, 'the outbox to drain');
    const status = hub.status();
    assert.equal(status.rejected, 1);
    assert.equal(cloud.stored.size, 4);
    const dbFile = hub.dbFile;
    terminal.close();
    await hub.close();
    hub = null;
    const db = new Database(dbFile, { readonly: true });
    try {
      const rows = db.prepare('SELECT order_id, error FROM rejected').all() as Array<{ order_id: string; error: string }>;
      assert.deepEqual(rows.map((r) => r.order_id), [sales[2]!.id]);
      assert.equal(JSON.parse(rows[0]!.error).code, 'invalid_item');
      assert.equal((db.prepare('SELECT COUNT(*) AS n FROM cloud_outbox').get() as { n: number }).n, 0);
      assert.equal((db.prepare('SELECT COUNT(*) AS n FROM orders').get() as { n: number }).n, 5, 'the fact itself stays at the hub');
    } finally {
      db.close();
    }
  });

  test('a restarted hub resumes its outbox', async () => {
    hub = await startTestHub({ dataDir: dir }); // no cloud yet: the venue trades offline
    const { creds, terminal } = await pairAndConnect(hub);
    const sales = Array.from({ length: 30 }, (_, i) => makeSale(creds.terminalId, i + 1));
    assert.ok((await terminal.push(sales)).ok);
    terminal.close();
    const hubId = hub.hubId;
    await hub.close();
    assert.equal(cloud.pushRequests, 0);

    hub = await startTestHub({ dataDir: dir, cloudUrl: cloud.url, venueKey: 'k', batchSize: 8 });
    assert.equal(hub.hubId, hubId, 'the hub keeps its identity');
    assert.equal(hub.status().ordersReceived, 30);
    await eventually(() => hub!.status().queueDepth === 0, 'the outbox to drain after restart');
    assert.ok(allArrivedOnce(sales.map((s) => s.id)));
    assert.ok(Math.max(...cloud.batchSizes) <= 8);
  });
});

function forceGc(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}
