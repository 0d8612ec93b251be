import { PROTOCOL_VERSION, type OrderFact } from '@tapline/shared';
import assert from 'node:assert/strict';
import { after, afterEach, beforeEach, describe, test } from 'node:test';
import { openTerminal, type AckOutcome, type Terminal } from '../src/runtime/index.ts';
import { FakeHub } from './helpers/fake-hub.ts';
import { allEntities, BANDS, EVENT, STATION } from './helpers/fixtures.ts';
import { FAST, pairedTerminal, statusWhere } from './helpers/paired-terminal.ts';
import { silent, tempDir } from './helpers/temp.ts';

const tmp = tempDir();
after(() => tmp.cleanup());

const sellBeer = (t: Terminal, uid: string = BANDS.card.uid) => {
  const r = t.sell({ stationId: STATION.id, staffId: null, bandUid: uid, lines: [{ productId: 'water', quantity: 1 }] });
  assert.ok(r.approved, r.approved ? '' : r.message);
  return r.order;
};

/** Bands enough that offline allowances never decline in these tests. */
function manyBands(n: number) {
  return Array.from({ length: n }, (_, i) => ({ kind: 'band' as const, data: { ...BANDS.card, uid: `CC${String(i).padStart(6, '0')}` } }));
}

describe('outbox sender', () => {
  let hub: FakeHub;
  let t: Terminal | null = null;
  let n = 0;
  const dbFile = () => tmp.file(`s${n}.db`);

  beforeEach(async () => {
    n++;
    // Offline allowances high enough that the backlog tests are not declined.
    const entities = allEntities().map((e) =>
      e.kind === 'event' ? { kind: 'event' as const, data: { ...EVENT, offlineBandAllowance: 1_000_000, offlineTerminalTotal: 10_000_000 } } : e,
    );
    hub = await new FakeHub([...entities, ...manyBands(100)]).start();
  });
  afterEach(async () => {
    await t?.close();
    t = null;
    await hub.stop();
  });

  test('orders made while the hub is down arrive in seq order, in bounded batches, once it is back on the same port', async () => {
    t = await pairedTerminal(hub, dbFile(), { ...FAST, batchSize: 200, ackTimeoutMs: 10_000 });
    t.start();
    await t.whenConfigured();
    await statusWhere(t, (s) => s.hubConnected);
    const down = statusWhere(t, (s) => !s.hubConnected);
    await hub.stop();
    await down;

    const made: OrderFact[] = [];
    for (let i = 0; i < 450; i++) made.push(sellBeer(t, `CC${String(i % 100).padStart(6, '0')}`));
    assert.ok(made.every((o) => o.offline), 'made while cut off from the hub');
    assert.equal(t.status().pending, 450);

    await hub.start(); // same port: the terminal's reconnection finds it
    await t.whenDrained();
    const sizes = hub.pushes.map((p) => p.length);
    assert.ok(sizes.every((s) => s <= 200), `batch sizes ${sizes}`);
    const seqs = hub.pushes.flat().map((o) => (o as OrderFact).seq);
    assert.deepEqual(seqs, made.map((o) => o.seq), 'each order sent once, in seq order');
    assert.equal(hub.stored.size, 450);
    assert.equal(t.status().pending, 0);
    assert.ok(t.status().lastAckAt);
    assert.ok(t.recentOrders(450).every((o) => o.status === 'acked'));
  });

  test('a hub that never acks: nothing is dropped and the same batch is retried; an ack then drains it', async () => {
    hub.handler = () => undefined;
    t = await pairedTerminal(hub, dbFile());
    t.start();
    await t.whenConfigured();
    const a = sellBeer(t);
    const b = sellBeer(t);
    const first = await hub.nextPush();
    const retried = await hub.nextPush();
    assert.deepEqual(retried.orders, first.orders, 'the same batch is sent again after the ack timeout');
    assert.equal(t.status().pending, 2);
    assert.deepEqual(t.recentOrders(2).map((o) => o.status), ['pending', 'pending']);

    hub.handler = (p, h) => h.store(p.orders);
    await t.whenDrained();
    assert.equal(t.order(a.id)?.status, 'acked');
    assert.equal(t.order(b.id)?.status, 'acked');
  });

  test('{ok:false} and a slow ack are retried; a resend the hub already has is a duplicate, then acked', async () => {
    let calls = 0;
    hub.handler = async (p, h) => {
      calls++;
      if (calls === 1) return { ok: false, v: PROTOCOL_VERSION, error: { code: 'internal', message: 'disk busy' } };
      if (calls === 2) {
        h.store(p.orders); // committed, but the ack comes after the terminal's timeout
        await new Promise((r) => setTimeout(r, 600));
        return h.store(p.orders);
      }
      return h.store(p.orders);
    };
    t = await pairedTerminal(hub, dbFile());
    t.start();
    await t.whenConfigured();
    const o = sellBeer(t);
    await t.whenDrained();
    assert.ok(calls >= 3, `three attempts at least, got ${calls}`);
    assert.equal(hub.stored.size, 1);
    assert.equal(t.order(o.id)?.status, 'acked');
  });

  test('conflict and invalid answers mark the orders rejected and take them out of the outbox', async () => {
    hub.handler = (p) => ({
      ok: true,
      v: PROTOCOL_VERSION,
      results: p.orders.map((raw, i) => {
        const id = (raw as OrderFact).id;
        if (i === 0) return { id, status: 'conflict' as const, error: { code: 'conflict' as const, message: 'same id, other content' } };
        if (i === 1) return { id, status: 'invalid' as const, error: { code: 'invalid_item' as const, message: 'terminalId: not yours' } };
        return { id, status: 'stored' as const };
      }),
    });
    t = await pairedTerminal(hub, dbFile());
    t.start();
    await t.whenConfigured();
    await t.close();
    // Reopened with the config cached and not started: the three orders go in one batch at start.
    t = openTerminal({ dbPath: dbFile(), logger: silent, sender: FAST });
    const [x, y, z] = [sellBeer(t), sellBeer(t), sellBeer(t)];
    const got = new Promise<AckOutcome>((resolve) => t!.once('acked', resolve));
    t.start();
    const outcome = await got;
    assert.deepEqual(outcome.rejected.map((r) => [r.id, r.status]), [[x.id, 'conflict'], [y.id, 'invalid']]);
    assert.deepEqual(outcome.acked, [z.id]);
    assert.equal(t.order(x.id)?.status, 'rejected');
    assert.match(t.order(y.id)?.rejectReason ?? '', /invalid: terminalId: not yours/);
    assert.equal(t.status().pending, 0);
    assert.equal(t.tabTotal(BANDS.card.uid), 250, 'rejected sales are off the tab');
  });

  test('orders left in the outbox by a previous run are sent after a restart', async () => {
    hub.handler = () => undefined;
    t = await pairedTerminal(hub, dbFile());
    t.start();
    await t.whenConfigured();
    const ids = [sellBeer(t).id, sellBeer(t).id, sellBeer(t).id];
    await hub.nextPush();
    await t.close(); // the process ends with its outbox full

    hub.handler = (p, h) => h.store(p.orders);
    t = openTerminal({ dbPath: dbFile(), logger: silent, sender: FAST });
    assert.equal(t.status().pending, 3);
    assert.equal(t.isPaired(), true);
    t.start();
    await t.whenDrained();
    assert.deepEqual([...hub.stored.keys()], ids);
  });

  test('full config replaces the cache, partial config upserts; cursor and hub status are shown', async () => {
    t = await pairedTerminal(hub, dbFile());
    t.start();
    await t.whenConfigured();
    assert.equal(t.catalog().products.length, 5);
    assert.equal(t.status().configCursor, 1);
    await statusWhere(t, (s) => s.uplink === 'online');

    const partial = new Promise((resolve) => t!.once('config', resolve));
    hub.broadcastConfig(false, [
      { kind: 'product', data: { id: 'beer', eventId: 'fest-2025', name: 'Beer', category: 'Drinks', price: 700, active: true } },
      { kind: 'band', data: { ...BANDS.card, uid: 'FEEDBEEF' } },
    ]);
    await partial;
    const c = t.catalog();
    assert.equal(c.products.find((p) => p.id === 'beer')?.price, 700);
    assert.equal(c.products.length, 5);
    assert.equal(c.band('fe:ed:be:ef')?.uid, 'FEEDBEEF');
    assert.equal(c.band(BANDS.card.uid)?.uid, BANDS.card.uid, 'untouched entities stay');
    assert.equal(t.status().configCursor, 2);
    const r = t.sell({ stationId: STATION.id, staffId: null, bandUid: 'FEEDBEEF', lines: [{ productId: 'beer', quantity: 1 }] });
    assert.ok(r.approved);
    assert.equal(r.order.total, 700, 'the new price is used at once');

    const full = new Promise((resolve) => t!.once('config', resolve));
    hub.broadcastConfig(true, allEntities().filter((e) => e.kind !== 'band' || e.data.uid !== BANDS.card2.uid));
    await full;
    assert.equal(t.catalog().band(BANDS.card2.uid), undefined, 'full snapshot removes what it does not hold');
    assert.equal(t.catalog().band('FEEDBEEF'), undefined);
    assert.equal(t.catalog().products.find((p) => p.id === 'beer')?.price, 650);

    const st = statusWhere(t, (s) => s.uplink === 'offline' && s.hubPendingUpload === 42);
    hub.broadcastStatus('offline', 42);
    await st;

    await t.close();
    t = openTerminal({ dbPath: dbFile(), logger: silent });
    assert.equal(t.status().configCursor, 3);
    assert.equal(t.catalog().band(BANDS.card2.uid), undefined, 'the cache on disk matches');
    assert.equal(t.catalog().event?.id, 'fest-2025');
  });

  test('a terminal the hub does not know is refused and keeps its orders', async () => {
    t = await pairedTerminal(hub, dbFile());
    t.start();
    await t.whenConfigured();
    await t.close();
    hub.tokens.clear(); // the hub forgot this terminal
    t = openTerminal({ dbPath: dbFile(), logger: silent, sender: FAST });
    sellBeer(t);
    let connections = 0;
    hub.on('connection', () => connections++);
    const refusedTwice = new Promise<void>((resolve) => {
      let refusals = 0;
      hub.on('refused', () => ++refusals === 2 && resolve());
    });
    t.start();
    await refusedTwice; // refused, then tried again later (the hub may have been mid-restart)
    assert.equal(connections, 0);
    assert.equal(t.status().hubConnected, false);
    assert.equal(t.status().pending, 1);
  });
});
