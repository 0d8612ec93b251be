/**
 * The spine across real processes: terminal runtimes, a hub and a cloud, each its own OS process, talking over real
 * sockets, keeping real SQLite and PGlite files. Each test ends by reconciling the terminals' own records against the
 * cloud's database.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { TestVenue, nextMessage } from '../harness/test-venue.ts';
import { readTerminalOrders } from '../harness/ledger.ts';
import type { ServiceProcess } from '../harness/service-process.ts';
import { waitFor } from '../harness/wait.ts';

type Progress = { type: string; created: number; acked: number };

/**
 * The next progress report of terminal `p` that satisfies `match`, or its clean exit: a terminal that has made, sent
 * and had acked all its orders exits 0 and reports nothing more. A hub slow to restart on a busy machine can leave
 * the test's next kill until after that; the kill then finds the venue idle, and the ledger still has every order.
 */
function progressOrFinished(p: ServiceProcess, match: (m: Progress) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const ended = (code: number | null, signal: string | null) =>
      code === 0 ? resolve() : reject(new Error(`${p.spec.name} exited (code ${code}, signal ${signal}) before its orders were done; see ${p.spec.logFile}`));
    if (!p.running) return ended(p.child?.exitCode ?? null, p.child?.signalCode ?? null);
    const onMessage = (m: Progress) => {
      if (m.type !== 'progress' || !match(m)) return;
      cleanup();
      resolve();
    };
    const onExit = (e: { code: number | null; signal: string | null }) => {
      cleanup();
      ended(e.code, e.signal);
    };
    const cleanup = () => {
      p.off('message', onMessage);
      p.off('exit', onExit);
    };
    p.on('message', onMessage);
    p.on('exit', onExit);
  });
}

describe('an order travels terminal → hub → cloud exactly once', () => {
  const venues: TestVenue[] = [];
  after(async () => {
    await Promise.all(venues.map((v) => v.dispose()));
  });

  test('orders made while the hub is down arrive after it starts', async () => {
    const v = new TestVenue();
    venues.push(v);
    await v.startCloud();
    await v.startHub();
    // Pair and receive the catalog while the hub is up, then lose the hub.
    const pairing = v.terminal('bar-1', { orders: 0 });
    await pairing.start();
    await pairing.exited();
    await v.hub.kill('SIGKILL');

    const bar = v.terminal('bar-1', { orders: 40, rate: 200 });
    await bar.start();
    await nextMessage<Progress>(bar, (m) => m.type === 'progress' && m.created >= 40);
    const offline = readTerminalOrders([v.terminalDb('bar-1')]);
    assert.equal(offline.length, 40, 'the terminal kept selling with no hub');
    assert.ok(offline.every((o) => o.status === 'pending'), 'nothing can be acked with no hub');

    await v.startHub();
    await bar.exited();
    await waitFor(async () => (await v.cloudOrderCount()) === 40, { timeoutMs: 60_000, what: '40 orders in the cloud' });
    const ledger = await v.ledger(['bar-1']);
    assert.deepEqual(ledger, { orders: 40, acked: 40, inCloud: 40, duplicates: 0, lost: 0 });
  });

  test('SIGKILL of the hub mid-stream, twice, loses and duplicates nothing', async () => {
    const v = new TestVenue();
    venues.push(v);
    await v.startCloud();
    await v.startHub();
    const names = ['bar-1', 'bar-2', 'bar-3'];
    // 30 orders/s: each terminal is still selling after two hub restarts (about 3 s each) when the kills come.
    const bars = names.map((name, i) => v.terminal(name, { orders: 300, rate: 30, seed: i + 7, station: i % 2 ? 'bar-north' : 'bar-main' }));
    await Promise.all(bars.map((b) => b.start()));
    for (let kill = 1; kill <= 2; kill++) {
      // Kill while orders are in flight: wait until the terminals are well into their run.
      await Promise.all(bars.map((b) => progressOrFinished(b, (m) => m.created >= kill * 100)));
      await v.hub.kill('SIGKILL');
      await Promise.all(bars.map((b) => progressOrFinished(b, () => true)));
      await v.startHub();
    }
    await Promise.all(bars.map((b) => b.exited()));
    await waitFor(async () => (await v.cloudOrderCount()) === 900, { timeoutMs: 90_000, what: '900 orders in the cloud' });
    const ledger = await v.ledger(names);
    assert.deepEqual(ledger, { orders: 900, acked: 900, inCloud: 900, duplicates: 0, lost: 0 });
  });

  test('a cloud killed and restarted mid-upload loses and duplicates nothing', async () => {
    const v = new TestVenue();
    venues.push(v);
    await v.startCloud();
    await v.startHub();
    const bar = v.terminal('bar-1', { orders: 400, rate: 100 });
    await bar.start();
    await nextMessage<Progress>(bar, (m) => m.type === 'progress' && m.created >= 150);
    await v.cloud.kill('SIGKILL');
    await nextMessage<Progress>(bar, (m) => m.type === 'progress' && m.created >= 300);
    await v.startCloud();
    await bar.exited();
    await waitFor(async () => (await v.cloudOrderCount()) === 400, { timeoutMs: 90_000, what: '400 orders in the cloud' });
    const ledger = await v.ledger(['bar-1']);
    assert.deepEqual(ledger, { orders: 400, acked: 400, inCloud: 400, duplicates: 0, lost: 0 });
  });
});
