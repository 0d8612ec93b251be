import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { parseFacts, type OrderFact } from '@tapline/shared';
import { openHubDb, type HubDb } from '../src/db/open.ts';
import { OrderStore } from '../src/db/order-store.ts';
import { insertTerminal } from '../src/db/terminal-store.ts';
import { Uploader } from '../src/uplink/uploader.ts';
import { UplinkStatus } from '../src/uplink/uplink-status.ts';
import { eventually, FakeCloud, makeSale, removeDir, silent, tempDir } from './helpers.ts';

/*
 * Each terminal's orders waiting in cloud_outbox, which the hub reports to head office on its pull: kept in memory,
 * counted only by commits, and always what the GROUP BY over the outbox says.
 */

const TERMINALS = ['t1', 't2', 't3'];
const AT = '2025-07-01T12:00:00.000Z';

describe("each terminal's upload backlog", () => {
  const dirs: string[] = [];
  after(() => dirs.forEach(removeDir));

  function open(): { hubDb: HubDb; store: OrderStore } {
    const dir = tempDir();
    dirs.push(dir);
    const hubDb = openHubDb(dir);
    hubDb.sqlite.pragma('synchronous = OFF'); // many commits; durability is tested elsewhere
    for (const id of TERMINALS) insertTerminal(hubDb.db, { id, name: id, token: `token-of-${id}-long-enough`, pairedAt: AT });
    return { hubDb, store: new OrderStore(hubDb.sqlite) };
  }

  const commit = (store: OrderStore, terminalId: string, facts: OrderFact[]) =>
    store.transaction(() => store.insertFacts(terminalId, parseFacts(facts).valid, AT));

  /** The count from scratch, without zeros. */
  const fromQuery = (hubDb: HubDb) =>
    Object.fromEntries(
      (
        hubDb.sqlite
          .prepare('SELECT r.terminal_id AS t, count(*) AS n FROM cloud_outbox o JOIN orders r ON r.id = o.order_id GROUP BY 1')
          .all() as Array<{ t: string; n: number }>
      ).map((r) => [r.t, r.n]),
    );
  const kept = (store: OrderStore) => Object.fromEntries([...store.backlogByTerminal()].filter(([, n]) => n !== 0));

  test('rises with stored orders, not duplicates or conflicts, and not with a rolled-back transaction', () => {
    const { hubDb, store } = open();
    try {
      const first = makeSale('t1', 1);
      commit(store, 't1', [makeSale('t1', 2)]); // before the first read: the loading query counts it
      assert.deepEqual(kept(store), { t1: 1 });
      commit(store, 't1', [first, makeSale('t1', 3)]);
      commit(store, 't2', [makeSale('t2', 1)]);
      assert.deepEqual(kept(store), { t1: 3, t2: 1 });

      const outcomes = commit(store, 't1', [first, { ...first, total: 1, lines: [{ productId: 'beer', name: 'Beer', quantity: 1, unitPrice: 1 }] }]);
      assert.deepEqual(outcomes, ['duplicate', 'conflict']);
      assert.deepEqual(kept(store), { t1: 3, t2: 1 });

      assert.throws(() =>
        store.transaction(() => {
          store.insertFacts('t2', parseFacts([makeSale('t2', 2), makeSale('t2', 3)]).valid, AT);
          throw new Error('disk full');
        }),
      );
      // A savepoint rolled back inside a transaction that commits: only what the outer one kept counts.
      store.transaction(() => {
        store.insertFacts('t3', parseFacts([makeSale('t3', 1)]).valid, AT);
        assert.throws(() =>
          store.transaction(() => {
            store.insertFacts('t3', parseFacts([makeSale('t3', 2)]).valid, AT);
            throw new Error('one push refused');
          }),
        );
      });
      assert.deepEqual(kept(store), { t1: 3, t2: 1, t3: 1 });
      assert.deepEqual(kept(store), fromQuery(hubDb));
    } finally {
      hubDb.close();
    }
  });

  test('falls as the uploader settles orders and as the cloud refuses them', async () => {
    const { hubDb, store } = open();
    const cloud = await new FakeCloud().start();
    const uploader = new Uploader({ store, hubId: 'hub-1', cloudUrl: cloud.url, venueKey: 'vk', uplink: new UplinkStatus(), log: silent, batchSize: 3, minRetryDelayMs: 10, maxRetryDelayMs: 20 });
    try {
      const refused = makeSale('t2', 1);
      cloud.invalidIds.add(refused.id);
      commit(store, 't1', [1, 2, 3, 4].map((seq) => makeSale('t1', seq)));
      commit(store, 't2', [refused, makeSale('t2', 2)]);
      assert.deepEqual(kept(store), { t1: 4, t2: 2 });
      uploader.start();
      await eventually(() => store.outboxSize() === 0, 'the outbox to drain');
      assert.deepEqual(kept(store), {});
      assert.equal((hubDb.sqlite.prepare('SELECT count(*) AS n FROM rejected').get() as { n: number }).n, 1);
      // The same answer recorded again (a retry after a lost commit) takes nothing off twice.
      commit(store, 't1', [makeSale('t1', 5)]);
      const page = store.outbox(10);
      store.settle(page, [], AT);
      store.settle(page, [], AT);
      assert.deepEqual(kept(store), {});
    } finally {
      await uploader.stop();
      await cloud.close();
      hubDb.close();
    }
  });

  test('property: after any mix of pushes, duplicates, rollbacks, uploads and refusals it equals the GROUP BY', () => {
    const { hubDb, store } = open();
    try {
      const step = fc.oneof(
        fc.record({ op: fc.constant('push' as const), terminal: fc.nat(2), n: fc.integer({ min: 1, max: 4 }), resend: fc.nat(3) }),
        fc.record({ op: fc.constant('rollback' as const), terminal: fc.nat(2), n: fc.integer({ min: 1, max: 4 }) }),
        fc.record({ op: fc.constant('upload' as const), take: fc.integer({ min: 1, max: 6 }), refuseEvery: fc.integer({ min: 0, max: 3 }) }),
        fc.record({ op: fc.constant('restart' as const) }),
      );
      let seq = 0;
      let live = store;
      const sent: OrderFact[] = [];
      fc.assert(
        fc.property(fc.array(step, { maxLength: 25 }), (steps) => {
          hubDb.sqlite.exec('DELETE FROM cloud_outbox; DELETE FROM orders; DELETE FROM rejected; DELETE FROM band_tabs;');
          live = new OrderStore(hubDb.sqlite);
          sent.length = 0;
          for (const s of steps) {
            if (s.op === 'push') {
              const terminal = TERMINALS[s.terminal]!;
              const fresh = Array.from({ length: s.n }, () => makeSale(terminal, ++seq));
              // A terminal resends what it pushed before when an ack was lost.
              const again = sent.filter((f) => f.terminalId === terminal).slice(-s.resend);
              commit(live, terminal, [...again, ...fresh]);
              sent.push(...fresh);
            } else if (s.op === 'rollback') {
              const terminal = TERMINALS[s.terminal]!;
              assert.throws(() =>
                live.transaction(() => {
                  live.insertFacts(terminal, parseFacts(Array.from({ length: s.n }, () => makeSale(terminal, ++seq))).valid, AT);
                  throw new Error('rolled back');
                }),
              );
            } else if (s.op === 'upload') {
              const page = live.outbox(s.take);
              const refuse = (i: number) => s.refuseEvery > 0 && i % s.refuseEvery === 0;
              live.settle(
                page.filter((_, i) => !refuse(i)),
                page.filter((_, i) => refuse(i)).map((item) => ({ item, error: { code: 'invalid_item' as const, message: 'refused' } })),
                AT,
              );
            } else {
              // The hub restarts: a new store loads the count from the file at its first read.
              live = new OrderStore(hubDb.sqlite);
            }
            assert.deepEqual(kept(live), fromQuery(hubDb));
          }
        }),
        { numRuns: 60 },
      );
    } finally {
      hubDb.close();
    }
  });
});
