import { PROTOCOL_VERSION, type ItemResult } from '@tapline/shared';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ConfigCache } from '../src/runtime/config-cache.ts';
import { openDb } from '../src/runtime/db/open.ts';
import { TerminalError } from '../src/runtime/errors.ts';
import { MetaStore } from '../src/runtime/meta-store.ts';
import { OrderStore, type TerminalContext } from '../src/runtime/order-store.ts';
import { allEntities, BANDS, EVENT, STATION, SUPERVISOR } from './helpers/fixtures.ts';
import { tempDir } from './helpers/temp.ts';

const tmp = tempDir();
after(() => tmp.cleanup());

/** Card bands without a limit: every sale is approved. */
const BAND_UIDS = [BANDS.card.uid, BANDS.card2.uid];

type Action =
  | { t: 'sell'; band: number; quantity: number }
  | { t: 'void'; pick: number }
  | { t: 'settle'; k: number; refuse: number | null }
  /** The hub's committed seq moves (it may go back: another hub after re-pairing says 0). */
  | { t: 'committed'; back: boolean; pick: number }
  | { t: 'venueTab'; band: number; total: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  { arbitrary: fc.record({ t: fc.constant('sell' as const), band: fc.nat(1), quantity: fc.integer({ min: 1, max: 5 }) }), weight: 6 },
  { arbitrary: fc.record({ t: fc.constant('void' as const), pick: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('settle' as const), k: fc.integer({ min: 1, max: 4 }), refuse: fc.option(fc.nat(3), { freq: 3 }) }), weight: 3 },
  { arbitrary: fc.record({ t: fc.constant('committed' as const), back: fc.boolean(), pick: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('venueTab' as const), band: fc.nat(1), total: fc.integer({ min: 0, max: 50_000 }) }), weight: 1 },
);

let runs = 0;

test('property: the tab a store keeps between taps equals the tab read afresh from the file', () => {
  fc.assert(
    fc.property(fc.array(action, { minLength: 1, maxLength: 50 }), (actions) => {
      const db = openDb(tmp.file(`cache-${++runs}.db`));
      // Durability is not what this property is about; fsync per sale would make each run slow.
      db.$client.pragma('synchronous = OFF');
      try {
        new MetaStore(db).set('terminalId', 'term-cache');
        const cache = new ConfigCache(db);
        const event = { ...EVENT, offlineBandAllowance: 10_000_000, offlineTerminalTotal: 10_000_000 };
        cache.apply({ v: PROTOCOL_VERSION, full: true, cursor: 1, entities: allEntities().map((e) => (e.kind === 'event' ? { kind: 'event' as const, data: event } : e)) });
        let committed = 0;
        const ctx: TerminalContext = { terminalId: () => 'term-cache', online: () => true, tabsCommittedSeq: () => committed };
        const store = new OrderStore(db, cache, ctx);
        const sales: string[] = [];
        const upsertVenueTab = db.$client.prepare(
          'INSERT INTO venue_tabs (band_uid, total) VALUES (?, ?) ON CONFLICT(band_uid) DO UPDATE SET total = excluded.total',
        );

        for (const a of actions) {
          switch (a.t) {
            case 'sell': {
              const r = store.sell({ stationId: STATION.id, staffId: null, bandUid: BAND_UIDS[a.band]!, lines: [{ productId: 'beer', quantity: a.quantity }] });
              assert.ok(r.approved);
              sales.push(r.order.id);
              break;
            }
            case 'void': {
              if (sales.length === 0) break;
              try {
                store.voidOrder({ orderId: sales[a.pick % sales.length]!, reason: 'test', supervisorId: SUPERVISOR.id });
              } catch (e) {
                if (!(e instanceof TerminalError && e.code === 'already_voided')) throw e;
              }
              break;
            }
            case 'settle': {
              const batch = store.outboxBatch(a.k);
              const results: ItemResult[] = batch.map((item, i) =>
                a.refuse === i
                  ? { id: item.orderId, status: 'conflict', error: { code: 'conflict', message: 'refused by the test' } }
                  : { id: item.orderId, status: 'stored' },
              );
              store.settle(batch, results);
              break;
            }
            case 'committed':
              committed = a.back ? 0 : a.pick % (store.lastSeq() + 1);
              break;
            case 'venueTab':
              upsertVenueTab.run(BAND_UIDS[a.band]!, a.total);
              break;
          }
          // A store made now has nothing kept: it reads every band's tab from the file.
          const fresh = new OrderStore(db, cache, ctx);
          for (const band of BAND_UIDS) {
            assert.equal(store.tabTotal(band), fresh.tabTotal(band), `band ${band} after ${JSON.stringify(a)}`);
          }
        }
      } finally {
        db.$client.close();
      }
    }),
    { numRuns: 120 },
  );
});
