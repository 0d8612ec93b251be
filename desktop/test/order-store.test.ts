import { OrderFact, PROTOCOL_VERSION, type ConfigEntity } from '@tapline/shared';
import assert from 'node:assert/strict';
import { after, beforeEach, describe, test } from 'node:test';
import { ConfigCache } from '../src/runtime/config-cache.ts';
import { openDb, type TerminalDb } from '../src/runtime/db/open.ts';
import { TerminalError } from '../src/runtime/errors.ts';
import { MetaStore } from '../src/runtime/meta-store.ts';
import { OrderStore } from '../src/runtime/order-store.ts';
import { allEntities, BANDS, EVENT, STATION, SUPERVISOR, BARTENDER } from './helpers/fixtures.ts';
import { tempDir } from './helpers/temp.ts';

const tmp = tempDir();
after(() => tmp.cleanup());

let n = 0;
let online = true;

function open(file: string, entities: ConfigEntity[] | null = allEntities()) {
  const db = openDb(file);
  const meta = new MetaStore(db);
  meta.set('terminalId', 'term-1');
  const cache = new ConfigCache(db);
  if (entities) cache.apply({ v: PROTOCOL_VERSION, full: true, cursor: 1, entities });
  const store = new OrderStore(db, cache, { terminalId: () => meta.get('terminalId'), online: () => online });
  return { db, store, meta, cache };
}

const count = (db: TerminalDb, table: 'orders' | 'outbox') =>
  (db.$client.prepare(`SELECT count(*) AS c FROM ${table}`).get() as { c: number }).c;

const beer = (bandUid: string, quantity = 1) => ({ stationId: STATION.id, staffId: BARTENDER.id, bandUid, lines: [{ productId: 'beer', quantity }] });

describe('order store', () => {
  let file: string;
  beforeEach(() => {
    file = tmp.file(`t${++n}.db`);
    online = true;
  });

  test('an approved sale is written with its outbox row and survives reopening the file', () => {
    const a = open(file);
    const r = a.store.sell({
      stationId: STATION.id,
      staffId: BARTENDER.id,
      bandUid: '04:a1:b2:c3:d4:e5:f6', // readers print UIDs in many ways: normalised before lookup
      lines: [
        { productId: 'beer', quantity: 2 },
        { productId: 'water', quantity: 1 },
      ],
    });
    assert.equal(r.approved, true);
    assert.ok(r.approved);
    assert.equal(r.order.total, 2 * 650 + 250);
    assert.equal(r.tabTotal, 1550);
    assert.equal(r.order.bandUid, BANDS.card.uid);
    assert.equal(r.order.seq, 1);
    assert.equal(r.order.offline, false);
    assert.equal(r.order.currency, 'EUR');
    assert.deepEqual(r.order.lines[0], { productId: 'beer', name: 'Beer', quantity: 2, unitPrice: 650 });
    a.db.$client.close();

    const b = open(file, null);
    assert.equal(count(b.db, 'orders'), 1);
    assert.deepEqual(b.store.outboxBatch(10).map((x) => x.orderId), [r.order.id]);
    const stored = b.store.get(r.order.id);
    assert.ok(stored);
    assert.equal(stored.status, 'pending');
    assert.deepEqual(OrderFact.parse(stored.fact), r.order);
    assert.equal(b.store.tabTotal(BANDS.card.uid), 1550);
    b.db.$client.close();
  });

  test('order and outbox row commit together or not at all', () => {
    const a = open(file);
    assert.ok(a.store.sell(beer(BANDS.card.uid)).approved);
    // Occupy the outbox slot the next sale will use, so its second insert fails inside the transaction.
    a.db.$client.prepare(`INSERT INTO outbox (seq, order_id) SELECT 2, id FROM orders WHERE seq = 1`).run();
    assert.throws(() => a.store.sell(beer(BANDS.card.uid)), /UNIQUE|PRIMARY KEY/);
    assert.equal(count(a.db, 'orders'), 1, 'the order insert was rolled back with the failed outbox insert');
    a.db.$client.prepare(`DELETE FROM outbox WHERE seq = 2`).run();
    const r = a.store.sell(beer(BANDS.card.uid));
    assert.ok(r.approved);
    assert.equal(r.order.seq, 2, 'the failed attempt used no sequence number');
    a.db.$client.close();
  });

  test('declines write nothing: unknown band, blocked, over limit, offline allowances', () => {
    const a = open(file);
    const expectDecline = (input: ReturnType<typeof beer>, reason: string) => {
      const before = [count(a.db, 'orders'), count(a.db, 'outbox')];
      const r = a.store.sell(input);
      assert.equal(r.approved, false);
      assert.ok(!r.approved);
      assert.equal(r.reason, reason);
      assert.ok(r.message.length > 10);
      assert.deepEqual([count(a.db, 'orders'), count(a.db, 'outbox')], before);
    };
    expectDecline(beer('DEADBEEF'), 'unknown_band');
    expectDecline(beer(BANDS.blocked.uid), 'blocked');
    // tabLimit 1,000: one beer (650) passes, a second would reach 1,300.
    assert.ok(a.store.sell(beer(BANDS.limited.uid)).approved);
    expectDecline(beer(BANDS.limited.uid), 'over_limit');
    // No card: the event's noCardAllowance (2,000) caps the tab.
    expectDecline(beer(BANDS.noCard.uid, 4), 'over_limit');

    online = false;
    // Offline band allowance 5,000: 7 beers = 4,550 fit, one more does not.
    assert.ok(a.store.sell(beer(BANDS.card.uid, 7)).approved);
    expectDecline(beer(BANDS.card.uid), 'offline_allowance');
    // Offline terminal total 20,000 (4,550 used): 3 bands × 7 beers more would pass it.
    assert.ok(a.store.sell(beer(BANDS.card2.uid, 7)).approved);
    for (let i = 0; i < 16; i++) {
      const uid = `AB${String(i).padStart(6, '0')}`;
      a.cache.apply({ v: PROTOCOL_VERSION, full: false, cursor: 2, entities: [{ kind: 'band', data: { ...BANDS.card, uid, attendeeId: `att-${uid}` } }] });
    }
    assert.ok(a.store.sell(beer('AB000000', 7)).approved); // 13,650 offline so far
    assert.ok(a.store.sell(beer('AB000001', 7)).approved); // 18,200
    expectDecline(beer('AB000002', 7), 'offline_terminal_total');
    // Acked offline orders no longer count against the allowance.
    const batch = a.store.outboxBatch(100);
    a.store.settle(batch, batch.map((b) => ({ id: b.orderId, status: 'stored' as const })));
    assert.ok(a.store.sell(beer('AB000002', 7)).approved);
    a.db.$client.close();
  });

  test('bad input throws a clear error and writes nothing', () => {
    const a = open(file);
    const cases: Array<[unknown, string, RegExp]> = [
      [{ ...beer(BANDS.card.uid), lines: [{ productId: 'nope', quantity: 1 }] }, 'unknown_product', /nope/],
      [{ ...beer(BANDS.card.uid), lines: [{ productId: 'old-cider', quantity: 1 }] }, 'unknown_product', /no longer on sale/],
      [{ ...beer(BANDS.card.uid), lines: [{ productId: 'tshirt', quantity: 1 }] }, 'unknown_product', /not on the menu/],
      [beer(BANDS.card.uid, 0), 'invalid_input', /1 to 999/],
      [beer(BANDS.card.uid, 1.5), 'invalid_input', /1 to 999/],
      [{ ...beer(BANDS.card.uid), lines: [] }, 'invalid_input', /at least one/],
      [beer('not-a-band'), 'invalid_input', /not a wristband UID/],
      [beer('ABC'), 'invalid_input', /not a wristband UID/],
      [{ ...beer(BANDS.card.uid), stationId: 'bar-x' }, 'unknown_station', /bar-x/],
      [{ ...beer(BANDS.card.uid), staffId: 'bad id!' }, 'invalid_input', /staffId/],
    ];
    for (const [input, code, msg] of cases) {
      assert.throws(
        () => a.store.sell(input as Parameters<typeof a.store.sell>[0]),
        (e: unknown) => e instanceof TerminalError && e.code === code && msg.test(e.message),
        `${code} for ${JSON.stringify(input)}`,
      );
    }
    a.meta.set('terminalId', '');
    assert.throws(() => a.store.sell(beer(BANDS.card.uid)), (e: unknown) => e instanceof TerminalError && e.code === 'not_paired');
    assert.equal(count(a.db, 'orders'), 0);
    assert.equal(count(a.db, 'outbox'), 0);
    a.db.$client.close();
  });

  test('seqs are 1..n without gaps across reopening, declines and errors included', () => {
    let a = open(file);
    for (let i = 0; i < 5; i++) assert.ok(a.store.sell(beer(BANDS.card.uid)).approved);
    a.store.sell(beer(BANDS.blocked.uid));
    assert.throws(() => a.store.sell(beer(BANDS.card.uid, 0)));
    a.db.$client.close();
    a = open(file, null);
    for (let i = 0; i < 4; i++) assert.ok(a.store.sell(beer(BANDS.card2.uid)).approved);
    const seqs = a.store.recent(100).map((o) => o.seq).reverse();
    assert.deepEqual(seqs, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(a.store.outboxBatch(100).map((b) => b.seq), seqs);
    a.db.$client.close();
  });

  test('a void is a new fact that takes the sale off the tab', () => {
    const a = open(file);
    const s1 = a.store.sell(beer(BANDS.card.uid, 2));
    const s2 = a.store.sell(beer(BANDS.card.uid, 1));
    assert.ok(s1.approved && s2.approved);
    assert.equal(a.store.tabTotal(BANDS.card.uid), 1950);
    const v = a.store.voidOrder({ orderId: s1.order.id, reason: 'spilled', supervisorId: SUPERVISOR.id });
    assert.equal(v.order.kind, 'void');
    assert.equal(v.order.voidsOrderId, s1.order.id);
    assert.equal(v.order.seq, 3);
    assert.equal(v.order.bandUid, BANDS.card.uid);
    assert.equal(v.tabTotal, 650);
    assert.equal(a.store.outboxCount(), 3);
    assert.equal(a.store.get(s1.order.id)?.status, 'pending', 'the sale itself is unchanged');
    assert.throws(() => a.store.voidOrder({ orderId: s1.order.id, reason: 'again', supervisorId: SUPERVISOR.id }), /already been voided/);
    assert.throws(() => a.store.voidOrder({ orderId: s2.order.id, reason: 'x', supervisorId: BARTENDER.id }), /not a supervisor/);
    assert.throws(() => a.store.voidOrder({ orderId: v.order.id, reason: 'x', supervisorId: SUPERVISOR.id }), /No sale/);
    assert.throws(() => a.store.voidOrder({ orderId: s2.order.id, reason: '  ', supervisorId: SUPERVISOR.id }), /reason/);
    assert.equal(count(a.db, 'orders'), 3);
    a.db.$client.close();
  });

  test('settle: stored/duplicate acked, conflict/invalid rejected, unanswered kept', () => {
    const a = open(file);
    const ids = Array.from({ length: 5 }, () => {
      const r = a.store.sell(beer(BANDS.card.uid));
      assert.ok(r.approved);
      return r.order.id;
    });
    const batch = a.store.outboxBatch(10);
    const out = a.store.settle(batch, [
      { id: ids[0]!, status: 'stored' },
      { id: ids[1]!, status: 'duplicate' },
      { id: ids[2]!, status: 'conflict', error: { code: 'conflict', message: 'same id, other content' } },
      { id: ids[3]!, status: 'invalid', error: { code: 'invalid_item', message: 'lines: too many' } },
    ]);
    assert.deepEqual(out.acked, [ids[0], ids[1]]);
    assert.deepEqual(out.rejected.map((r) => r.id), [ids[2], ids[3]]);
    assert.deepEqual(out.unanswered, [ids[4]]);
    assert.deepEqual(a.store.outboxBatch(10).map((b) => b.orderId), [ids[4]]);
    assert.equal(a.store.get(ids[2]!)?.status, 'rejected');
    assert.match(a.store.get(ids[2]!)?.rejectReason ?? '', /conflict: same id/);
    assert.equal(a.store.tabTotal(BANDS.card.uid), 3 * 650, 'rejected sales are not on the tab');
    // The same answer again changes nothing and reports nothing twice.
    const again = a.store.settle(batch, [{ id: ids[0]!, status: 'duplicate' }]);
    assert.deepEqual(again.acked, []);
    a.db.$client.close();
  });

  test('the event and currency come from the station; the catalog cache survives a reopen', () => {
    const a = open(file);
    a.db.$client.close();
    const b = open(file, null);
    assert.equal(b.cache.get('event', EVENT.id)?.currency, 'EUR');
    assert.equal(b.cache.all('product').length, 5);
    b.db.$client.close();
  });
});
