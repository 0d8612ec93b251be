import { computeTab, newId, PROTOCOL_VERSION, type ItemResult, type OrderFact, type TabsMessage } from '@tapline/shared';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ConfigCache } from '../src/runtime/config-cache.ts';
import { openDb, type TerminalDb } from '../src/runtime/db/open.ts';
import { TerminalError } from '../src/runtime/errors.ts';
import { MetaStore } from '../src/runtime/meta-store.ts';
import { OrderStore } from '../src/runtime/order-store.ts';
import { VenueTabs } from '../src/runtime/venue-tabs.ts';
import { allEntities, BANDS, EVENT, STATION, SUPERVISOR } from './helpers/fixtures.ts';
import { tempDir } from './helpers/temp.ts';

const tmp = tempDir();
after(() => tmp.cleanup());

const TERMINAL = 'term-prop';
/** Card bands without a limit: every sale is approved, so the property is about the tab alone. */
const BAND_UIDS = [BANDS.card.uid, BANDS.card2.uid, '0B0B0C0D'];
const PRODUCTS = ['beer', 'water', 'wine'] as const;

type Action =
  | { t: 'sell'; band: number; product: number }
  | { t: 'void'; pick: number }
  | { t: 'otherSale'; band: number; amount: number }
  | { t: 'otherVoid'; pick: number }
  /** The hub takes the next `k` outbox items (a prefix by seq), may refuse one, and its ack may be lost. */
  | { t: 'deliver'; k: number; refuse: number | null; ackLost: boolean }
  | { t: 'message'; full: boolean }
  | { t: 'restart' };

const action: fc.Arbitrary<Action> = fc.oneof(
  { arbitrary: fc.record({ t: fc.constant('sell' as const), band: fc.nat(2), product: fc.nat(2) }), weight: 5 },
  { arbitrary: fc.record({ t: fc.constant('void' as const), pick: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('otherSale' as const), band: fc.nat(2), amount: fc.integer({ min: 1, max: 5_000 }) }), weight: 3 },
  { arbitrary: fc.record({ t: fc.constant('otherVoid' as const), pick: fc.nat() }), weight: 1 },
  {
    arbitrary: fc.record({
      t: fc.constant('deliver' as const),
      k: fc.integer({ min: 1, max: 4 }),
      refuse: fc.option(fc.nat(3), { freq: 4 }),
      ackLost: fc.boolean(),
    }),
    weight: 4,
  },
  { arbitrary: fc.record({ t: fc.constant('message' as const), full: fc.boolean() }), weight: 3 },
  { arbitrary: fc.constant({ t: 'restart' as const }), weight: 1 },
);

/** A hub reduced to what the tabs depend on: the facts it committed and the bands touched since it last spoke. */
class ModelHub {
  readonly stored = new Map<string, OrderFact>();
  readonly refused = new Set<string>();
  readonly others: OrderFact[] = [];
  touched = new Set<string>();
  /** The other terminals' part of each band's tab when this terminal was last told: all it can know of them. */
  othersAsTold = new Map<string, number>();

  commit(f: OrderFact): void {
    this.stored.set(f.id, f);
    this.touched.add(f.kind === 'sale' ? f.bandUid : this.stored.get(f.voidsOrderId)?.bandUid ?? f.bandUid);
  }

  total(band: string, facts: Iterable<OrderFact> = this.stored.values()): number {
    return computeTab([...facts].filter((f) => f.bandUid === band)).total;
  }

  committedSeq(): number {
    let max = 0;
    for (const f of this.stored.values()) if (f.terminalId === TERMINAL && f.seq > max) max = f.seq;
    return max;
  }

  message(full: boolean): TabsMessage {
    const bands = full ? BAND_UIDS.filter((b) => this.total(b) !== 0) : [...this.touched];
    this.touched = new Set();
    this.othersAsTold = new Map(BAND_UIDS.map((b) => [b, this.total(b, this.others)]));
    return { v: PROTOCOL_VERSION, full, committedSeq: this.committedSeq(), tabs: bands.map((bandUid) => ({ bandUid, total: this.total(bandUid) })) };
  }
}

function otherFact(kind: 'sale', band: string, amount: number): OrderFact;
function otherFact(kind: 'void', band: string, voidsOrderId: string): OrderFact;
function otherFact(kind: 'sale' | 'void', band: string, x: number | string): OrderFact {
  const base = {
    id: newId(),
    terminalId: 'term-other',
    seq: 1,
    eventId: EVENT.id,
    stationId: STATION.id,
    staffId: null,
    bandUid: band,
    createdAt: new Date().toISOString(),
    offline: false,
  };
  return kind === 'sale'
    ? { ...base, kind, currency: 'EUR', lines: [{ productId: 'beer', name: 'Beer', quantity: 1, unitPrice: x as number }], total: x as number }
    : { ...base, kind, voidsOrderId: x as string, reason: 'test', supervisorId: SUPERVISOR.id };
}

let runs = 0;

function openTerminalParts(file: string, fresh: boolean) {
  const db: TerminalDb = openDb(file);
  // Durability is not what this property is about; fsync per sale would make each run slow.
  db.$client.pragma('synchronous = OFF');
  const meta = new MetaStore(db);
  const cache = new ConfigCache(db);
  if (fresh) {
    meta.set('terminalId', TERMINAL);
    const event = { ...EVENT, offlineBandAllowance: 10_000_000, offlineTerminalTotal: 10_000_000 };
    const extra = { ...BANDS.card, uid: BAND_UIDS[2]! };
    cache.apply({
      v: PROTOCOL_VERSION,
      full: true,
      cursor: 1,
      entities: [...allEntities().map((e) => (e.kind === 'event' ? { kind: 'event' as const, data: event } : e)), { kind: 'band', data: extra }],
    });
  }
  const tabs = new VenueTabs(db, meta);
  const store = new OrderStore(db, cache, { terminalId: () => TERMINAL, online: () => true, tabsCommittedSeq: () => tabs.committedSeq() });
  return { db, store, tabs };
}

test("property: the terminal's tab = the other terminals' part as the hub last told + its own sales not voided and not rejected", () => {
  fc.assert(
    fc.property(fc.array(action, { minLength: 1, maxLength: 40 }), (actions) => {
      const file = tmp.file(`prop-${++runs}.db`);
      let t = openTerminalParts(file, true);
      const hub = new ModelHub();
      const ownSales: string[] = [];
      try {
        for (const a of actions) {
          switch (a.t) {
            case 'sell': {
              const r = t.store.sell({ stationId: STATION.id, staffId: null, bandUid: BAND_UIDS[a.band]!, lines: [{ productId: PRODUCTS[a.product]!, quantity: 1 }] });
              assert.ok(r.approved);
              ownSales.push(r.order.id);
              break;
            }
            case 'void': {
              if (ownSales.length === 0) break;
              try {
                t.store.voidOrder({ orderId: ownSales[a.pick % ownSales.length]!, reason: 'test', supervisorId: SUPERVISOR.id });
              } catch (e) {
                if (!(e instanceof TerminalError && e.code === 'already_voided')) throw e;
              }
              break;
            }
            case 'otherSale': {
              const f = otherFact('sale', BAND_UIDS[a.band]!, a.amount);
              hub.others.push(f);
              hub.commit(f);
              break;
            }
            case 'otherVoid': {
              const sales = hub.others.filter((f) => f.kind === 'sale');
              if (sales.length === 0) break;
              const sale = sales[a.pick % sales.length]!;
              if (hub.others.some((f) => f.kind === 'void' && f.voidsOrderId === sale.id)) break;
              const f = otherFact('void', sale.bandUid, sale.id);
              hub.others.push(f);
              hub.commit(f);
              break;
            }
            case 'deliver': {
              const batch = t.store.outboxBatch(a.k);
              const results: ItemResult[] = batch.map((item, i) => {
                const f = JSON.parse(item.body) as OrderFact;
                if (hub.stored.has(f.id)) return { id: f.id, status: 'duplicate' };
                if (hub.refused.has(f.id) || a.refuse === i) {
                  hub.refused.add(f.id);
                  return { id: f.id, status: 'invalid', error: { code: 'invalid_item', message: 'refused by the model' } };
                }
                hub.commit(f);
                return { id: f.id, status: 'stored' };
              });
              if (!a.ackLost) t.store.settle(batch, results);
              break;
            }
            case 'message':
              t.tabs.apply(hub.message(a.full));
              break;
            case 'restart':
              t.db.$client.close();
              t = openTerminalParts(file, false);
              break;
          }

          // While a fact the hub refused still waits for that answer, the terminal cannot know: it counts the fact
          // as made (the safe side). The property holds at every other moment.
          if ([...hub.refused].some((id) => t.store.get(id)?.status === 'pending')) continue;
          for (const band of BAND_UIDS) {
            const own = ownSales
              .map((id) => t.store.get(id)!)
              .filter((s) => s.bandUid === band && !hub.refused.has(s.id))
              .filter((s) => !t.store.recent(10_000).some((v) => v.kind === 'void' && v.fact.kind === 'void' && v.fact.voidsOrderId === s.id && !hub.refused.has(v.id)))
              .reduce((sum, s) => sum + s.total, 0);
            const expected = (hub.othersAsTold.get(band) ?? 0) + own;
            assert.equal(t.store.tabTotal(band), expected, `band ${band} after ${JSON.stringify(a)}`);
          }
        }
      } finally {
        t.db.$client.close();
      }
    }),
    { numRuns: 150 },
  );
});
