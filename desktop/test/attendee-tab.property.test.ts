import { PROTOCOL_VERSION, type Wristband } from '@tapline/shared';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { BandView } from '../src/runtime/band-view.ts';
import { ConfigCache } from '../src/runtime/config-cache.ts';
import { openDb } from '../src/runtime/db/open.ts';
import { TerminalError } from '../src/runtime/errors.ts';
import { MetaStore } from '../src/runtime/meta-store.ts';
import { OrderStore } from '../src/runtime/order-store.ts';
import { TerminalRegistrationDesk } from '../src/runtime/registration-desk.ts';
import { VenueTabs } from '../src/runtime/venue-tabs.ts';
import { allEntities, EVENT, STATION } from './helpers/fixtures.ts';
import { tempDir } from './helpers/temp.ts';

const tmp = tempDir();
after(() => tmp.cleanup());

const TERMINAL = 'term-attendee-prop';
const NO_CARD = 2_000;
const OFFLINE_BAND = 3_000;
const PRICES = { beer: 650, water: 250, wine: 900 } as const;
const PRODUCTS = Object.keys(PRICES) as Array<keyof typeof PRICES>;

const band = (uid: string, over: Partial<Wristband>): Wristband => ({
  uid,
  eventId: EVENT.id,
  attendeeId: null,
  firstName: null,
  status: 'active',
  hasCard: false,
  tabLimit: null,
  ...over,
});
/** Ann has two no-card bands; Bo has a card and one band with a tab limit; one band belongs to nobody. */
const CONFIG_BANDS = [
  band('0A000001', { attendeeId: 'att-ann', firstName: 'Ann' }),
  band('0A000002', { attendeeId: 'att-ann', firstName: 'Ann' }),
  band('0B000001', { attendeeId: 'att-bo', firstName: 'Bo', hasCard: true, tabLimit: 4_000 }),
  band('0C000001', {}),
];
const SPARE = ['0D000001', '0D000002', '0D000003'];
const ALL_BANDS = [...CONFIG_BANDS.map((b) => b.uid), ...SPARE];

type Action =
  | { t: 'sell'; band: number; product: number; quantity: number }
  | { t: 'pair'; band: number; who: number }
  | { t: 'block'; band: number }
  | { t: 'others'; band: number; total: number }
  | { t: 'online'; online: boolean };

const action: fc.Arbitrary<Action> = fc.oneof(
  { arbitrary: fc.record({ t: fc.constant('sell' as const), band: fc.nat(ALL_BANDS.length - 1), product: fc.nat(2), quantity: fc.integer({ min: 1, max: 3 }) }), weight: 8 },
  { arbitrary: fc.record({ t: fc.constant('pair' as const), band: fc.nat(ALL_BANDS.length - 1), who: fc.nat(2) }), weight: 3 },
  { arbitrary: fc.record({ t: fc.constant('block' as const), band: fc.nat(ALL_BANDS.length - 1) }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('others' as const), band: fc.nat(ALL_BANDS.length - 1), total: fc.integer({ min: 0, max: 1_500 }) }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('online' as const), online: fc.boolean() }), weight: 2 },
);

/** The rule, restated independently of the runtime: limits hold over the attendee's total across all their bands. */
class Model {
  owner = new Map<string, string>(CONFIG_BANDS.filter((b) => b.attendeeId).map((b) => [b.uid, b.attendeeId!]));
  known = new Set(CONFIG_BANDS.map((b) => b.uid));
  blocked = new Set<string>();
  own = new Map<string, number>();
  ownOffline = new Map<string, number>();
  others = new Map<string, number>();

  bandsOf(uid: string): string[] {
    const who = this.owner.get(uid);
    return who ? ALL_BANDS.filter((b) => this.owner.get(b) === who) : [uid];
  }

  limit(uid: string): number {
    const config = CONFIG_BANDS.find((b) => b.uid === uid);
    const who = this.owner.get(uid) ?? null;
    // Paired here: the card is the attendee's as this desk knows it (Bo's other band has one; Ann and the walk-up none).
    const card = config && config.attendeeId === who ? config.hasCard : who === 'att-bo';
    return config?.tabLimit ?? (card ? Infinity : NO_CARD);
  }

  decide(uid: string, amount: number, online: boolean): string {
    if (!this.known.has(uid)) return 'unknown_band';
    if (this.blocked.has(uid)) return 'blocked';
    const bands = this.bandsOf(uid);
    const sum = (m: Map<string, number>) => bands.reduce((s, b) => s + (m.get(b) ?? 0), 0);
    if (sum(this.own) + sum(this.others) + amount > this.limit(uid)) return 'over_limit';
    if (!online && sum(this.ownOffline) + amount > OFFLINE_BAND) return 'offline_allowance';
    return 'approved';
  }
}

let runs = 0;

test("property: a band with an attendee is approved against the attendee's total over all their bands", () => {
  fc.assert(
    fc.property(fc.array(action, { minLength: 1, maxLength: 50 }), (actions) => {
      const db = openDb(tmp.file(`attendee-${++runs}.db`));
      db.$client.pragma('synchronous = OFF'); // durability is not what this property is about
      try {
        const meta = new MetaStore(db);
        meta.set('terminalId', TERMINAL);
        const cache = new ConfigCache(db);
        const event = { ...EVENT, noCardAllowance: NO_CARD, offlineBandAllowance: OFFLINE_BAND, offlineTerminalTotal: 10_000_000 };
        cache.apply({
          v: PROTOCOL_VERSION,
          full: true,
          cursor: 1,
          entities: [
            ...allEntities().filter((e) => e.kind !== 'band' && e.kind !== 'event'),
            { kind: 'event', data: event },
            ...CONFIG_BANDS.map((data) => ({ kind: 'band' as const, data })),
          ],
        });
        const tabs = new VenueTabs(db, meta);
        let online = true;
        const view = new BandView(cache, [], []);
        const store = new OrderStore(db, cache, { terminalId: () => TERMINAL, online: () => online, tabsCommittedSeq: () => tabs.committedSeq() }, view);
        const desk = new TerminalRegistrationDesk({
          cache,
          orders: store,
          bands: view,
          terminalId: () => TERMINAL,
          eventId: () => EVENT.id,
          online: () => online,
          ask: () => null,
          onFact: () => undefined,
        });
        const walkUp = desk.signUp({ firstName: 'Wil', lastName: null, email: null, phone: null, smsConsent: false, staffId: 'desk', stationId: STATION.id }).id;
        const people = ['att-ann', 'att-bo', walkUp];
        const model = new Model();

        for (const a of actions) {
          const uid = ALL_BANDS['band' in a ? a.band : 0]!;
          switch (a.t) {
            case 'sell': {
              const amount = PRICES[PRODUCTS[a.product]!] * a.quantity;
              const expected = model.decide(uid, amount, online);
              const r = store.sell({ stationId: STATION.id, staffId: null, bandUid: uid, lines: [{ productId: PRODUCTS[a.product]!, quantity: a.quantity }] });
              assert.equal(r.approved ? 'approved' : r.reason, expected, `selling ${amount} on ${uid}`);
              if (r.approved) {
                model.own.set(uid, (model.own.get(uid) ?? 0) + amount);
                if (!online) model.ownOffline.set(uid, (model.ownOffline.get(uid) ?? 0) + amount);
                const sum = model.bandsOf(uid).reduce((s, b) => s + (model.own.get(b) ?? 0) + (model.others.get(b) ?? 0), 0);
                assert.equal(r.tabTotal, sum, "the sale answers with the attendee's tab");
                // Safety, stated plainly: an approval never takes the attendee's tab past the band's limit.
                assert.ok(sum <= model.limit(uid), `${uid}: ${sum} approved past its limit`);
              }
              break;
            }
            case 'pair': {
              const who = people[a.who]!;
              const current = model.owner.get(uid);
              const expected = model.blocked.has(uid) ? 'band_blocked' : current && current !== who ? 'band_taken' : 'ok';
              let got = 'ok';
              try {
                desk.pair({ attendeeId: who, bandUid: uid, replacesBandUid: null, staffId: 'desk', stationId: STATION.id });
              } catch (err) {
                assert.ok(err instanceof TerminalError);
                got = err.code;
              }
              assert.equal(got, expected);
              if (got === 'ok') {
                model.owner.set(uid, who);
                model.known.add(uid);
              }
              break;
            }
            case 'block':
              desk.block({ bandUid: uid, reason: 'lost', staffId: 'desk', stationId: STATION.id });
              model.blocked.add(uid);
              model.known.add(uid);
              break;
            case 'others':
              // Other bars' spending on this band, as the hub tells it (none of this terminal's facts committed yet).
              tabs.apply({ v: PROTOCOL_VERSION, full: false, committedSeq: 0, tabs: [{ bandUid: uid, total: a.total }] });
              model.others.set(uid, a.total);
              break;
            case 'online':
              online = a.online;
              break;
          }
        }
      } finally {
        db.$client.close();
      }
    }),
    { numRuns: 120 },
  );
});
