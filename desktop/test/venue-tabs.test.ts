import { PROTOCOL_VERSION, type ItemResult, type OrderFact, type OrdersPushAck, type TabsMessage } from '@tapline/shared';
import assert from 'node:assert/strict';
import { after, afterEach, beforeEach, describe, test } from 'node:test';
import { openTerminal, type Terminal } from '../src/runtime/index.ts';
import { FakeHub } from './helpers/fake-hub.ts';
import { allEntities, BANDS, STATION, SUPERVISOR } from './helpers/fixtures.ts';
import { FAST, pairedTerminal, statusWhere } from './helpers/paired-terminal.ts';
import { silent, tempDir } from './helpers/temp.ts';

const tmp = tempDir();
after(() => tmp.cleanup());

/** What the hub said about other terminals' sales in these tests. */
const OTHERS = 1_000;

const sell = (t: Terminal, bandUid: string, productId: 'beer' | 'water' | 'wine') =>
  t.sell({ stationId: STATION.id, staffId: null, bandUid, lines: [{ productId, quantity: 1 }] });

function sold(t: Terminal, bandUid: string, productId: 'beer' | 'water' | 'wine'): OrderFact {
  const r = sell(t, bandUid, productId);
  assert.ok(r.approved, r.approved ? '' : r.message);
  return r.order;
}

const voidSale = (t: Terminal, orderId: string) => t.voidOrder({ orderId, reason: 'spilled', supervisorId: SUPERVISOR.id });

/** Resolves when the terminal has applied the next valid `tabs` message. */
const nextTabs = (t: Terminal) => new Promise<TabsMessage>((resolve) => t.once('tabs', resolve));

/** Sends a partial `tabs` message to every terminal, with `committedSeq` as the fake hub's own record says. */
async function hubSays(hub: FakeHub, t: Terminal, tabs: Record<string, number>, committedSeq?: number): Promise<void> {
  const applied = nextTabs(t);
  hub.sendTabs((id) => ({
    v: PROTOCOL_VERSION,
    full: false,
    committedSeq: committedSeq ?? hub.committedSeq(id),
    tabs: Object.entries(tabs).map(([bandUid, total]) => ({ bandUid, total })),
  }));
  await applied;
}

/** The default (real-hub-like) answer, except that facts matching `refuse` are invalid. */
function refusing(refuse: (f: OrderFact) => boolean) {
  return (push: { orders: unknown[] }, hub: FakeHub): OrdersPushAck => {
    const bad = push.orders.filter((o) => refuse(o as OrderFact));
    const ack = hub.store(push.orders.filter((o) => !refuse(o as OrderFact)));
    assert.ok(ack.ok);
    const refused: ItemResult[] = bad.map((o) => ({
      id: (o as OrderFact).id,
      status: 'invalid',
      error: { code: 'invalid_item', message: 'refused by this test' },
    }));
    return { ...ack, results: [...ack.results, ...refused] };
  };
}

describe('venue-wide tabs from the hub', () => {
  let hub: FakeHub;
  let t: Terminal | null = null;
  let n = 0;
  const dbFile = () => tmp.file(`vt${n}.db`);

  async function connected(): Promise<Terminal> {
    const term = await pairedTerminal(hub, dbFile());
    t = term;
    term.start();
    await term.whenConfigured();
    await statusWhere(term, (s) => s.hubConnected);
    return term;
  }

  beforeEach(async () => {
    n++;
    hub = await new FakeHub(allEntities()).start();
  });
  afterEach(async () => {
    await t?.close();
    t = null;
    await hub.stop();
  });

  test("other terminals' sales at the hub make a no-card band decline over_limit where this terminal's own sales alone would pass", async () => {
    const term = await connected();
    const band = BANDS.noCard.uid; // no card: the event's noCardAllowance (20.00) is its limit
    assert.equal(term.tabTotal(band), 0);
    await hubSays(hub, term, { [band]: 1_500 });
    assert.equal(term.tabTotal(band), 1_500);

    const beer = sell(term, band, 'beer'); // 6.50: alone it fits in 20.00, on top of 15.00 it does not
    assert.equal(beer.approved, false);
    assert.ok(!beer.approved);
    assert.equal(beer.reason, 'over_limit');

    const water = sell(term, band, 'water');
    assert.ok(water.approved);
    assert.equal(water.tabTotal, 1_750);
    assert.equal(term.tabTotal(band), 1_750);
  });

  test("own orders after committedSeq count once, a void after committedSeq of a sale before it is subtracted", async () => {
    const term = await connected();
    const band = BANDS.card.uid;
    const beer = sold(term, band, 'beer');
    await term.whenDrained();
    await hubSays(hub, term, { [band]: OTHERS + 650 });
    assert.equal(hub.committedSeq(term.status().terminalId!), 1);
    assert.equal(term.tabTotal(band), OTHERS + 650, 'the acked sale counts once, through the hub');

    hub.handler = () => undefined; // the hub commits nothing from here on, or commits without the ack arriving
    sold(term, band, 'water');
    assert.equal(term.tabTotal(band), OTHERS + 650 + 250, 'a sale the hub has not got counts once, locally');
    await hubSays(hub, term, { [band]: OTHERS + 650 }, 1);
    assert.equal(term.tabTotal(band), OTHERS + 900);

    // The hub committed seq 2 and said so before its ack reached us: still once.
    await hubSays(hub, term, { [band]: OTHERS + 900 }, 2);
    assert.equal(term.order(term.recentOrders(1)[0]!.id)?.status, 'pending');
    assert.equal(term.tabTotal(band), OTHERS + 900);

    const v = voidSale(term, beer.id);
    assert.equal(v.order.seq, 3);
    assert.equal(v.tabTotal, OTHERS + 250, 'the hub still counts the sale; its void (seq 3 > 2) is subtracted here');
    assert.equal(term.tabTotal(band), OTHERS + 250);
    await hubSays(hub, term, { [band]: OTHERS + 250 }, 3);
    assert.equal(term.tabTotal(band), OTHERS + 250, 'once the hub has the void, it is not subtracted twice');
  });

  test('facts the hub rejected never count: a refused sale, a refused void', async () => {
    const term = await connected();
    const band = BANDS.card.uid;
    let refuseVoids = false;
    hub.handler = refusing((f) => (f.kind === 'sale' && f.lines.some((l) => l.productId === 'wine')) || (refuseVoids && f.kind === 'void'));

    const wine = sold(term, band, 'wine');
    await term.whenDrained();
    assert.equal(term.order(wine.id)?.status, 'rejected');
    assert.equal(term.tabTotal(band), 0);
    await hubSays(hub, term, { [band]: OTHERS });
    assert.equal(term.tabTotal(band), OTHERS, 'the refused sale (seq 1, above committedSeq 0) is not counted');

    const beer = sold(term, band, 'beer');
    await term.whenDrained();
    await hubSays(hub, term, { [band]: OTHERS + 650 });
    assert.equal(hub.committedSeq(term.status().terminalId!), 2);
    assert.equal(term.tabTotal(band), OTHERS + 650, 'the refused sale below committedSeq is not in the hub tab, nor here');

    refuseVoids = true;
    const refusedVoid = voidSale(term, beer.id);
    await term.whenDrained();
    assert.equal(term.order(refusedVoid.order.id)?.status, 'rejected');
    assert.equal(term.tabTotal(band), OTHERS + 650, 'a refused void cancels nothing');

    refuseVoids = false;
    const second = voidSale(term, beer.id); // allowed: the only other void was refused
    assert.equal(second.tabTotal, OTHERS);
    await term.whenDrained();
    await hubSays(hub, term, { [band]: OTHERS });
    assert.equal(hub.committedSeq(term.status().terminalId!), 4);
    assert.equal(term.tabTotal(band), OTHERS);
  });

  test('a full message replaces what the terminal holds, a partial one upserts, a malformed one is ignored', async () => {
    const term = await connected();
    const [a, b] = [BANDS.card.uid, BANDS.card2.uid];
    let applied = nextTabs(term);
    hub.sendTabs(() => ({ v: PROTOCOL_VERSION, full: true, committedSeq: 0, tabs: [{ bandUid: a, total: 500 }, { bandUid: b, total: 700 }] }));
    await applied;
    assert.deepEqual([term.tabTotal(a), term.tabTotal(b)], [500, 700]);

    await hubSays(hub, term, { [b]: 100 });
    assert.deepEqual([term.tabTotal(a), term.tabTotal(b)], [500, 100]);

    applied = nextTabs(term);
    hub.sendTabs(() => ({ v: PROTOCOL_VERSION, full: true, committedSeq: 0, tabs: [{ bandUid: a, total: 300 }] }));
    await applied;
    assert.deepEqual([term.tabTotal(a), term.tabTotal(b)], [300, 0]);

    // Messages on one connection arrive in order: once the valid one is applied, the malformed ones were seen.
    applied = nextTabs(term);
    hub.sendTabs(() => ({ v: PROTOCOL_VERSION, full: false, committedSeq: 'x', tabs: [{ bandUid: b, total: 999 }] }));
    hub.sendTabs(() => ({ v: PROTOCOL_VERSION, full: true, committedSeq: 0, tabs: [{ bandUid: 'not-a-band', total: 1 }] }));
    hub.sendTabs(() => ({ v: PROTOCOL_VERSION, full: false, committedSeq: 0, tabs: [{ bandUid: a, total: 301 }] }));
    const got = await applied;
    assert.deepEqual(got.tabs, [{ bandUid: a, total: 301 }]);
    assert.deepEqual([term.tabTotal(a), term.tabTotal(b)], [301, 0]);
  });

  test('the venue tabs survive a restart cut off from the hub', async () => {
    const file = dbFile();
    let term = await connected();
    const band = BANDS.noCard.uid;
    sold(term, band, 'water');
    await term.whenDrained();
    await hubSays(hub, term, { [band]: 1_500 + 250 });
    const down = statusWhere(term, (s) => !s.hubConnected);
    await hub.stop();
    await down;
    const offline = sold(term, band, 'water');
    assert.equal(offline.offline, true);
    assert.equal(term.tabTotal(band), 2_000);
    await term.close();

    // Not started: no hub at all, only what the file remembers.
    term = openTerminal({ dbPath: file, logger: silent, sender: FAST });
    t = term;
    assert.equal(term.tabTotal(band), 2_000, 'the hub tab and committedSeq persisted: the pending sale counts once');
    const beer = sell(term, band, 'beer');
    assert.ok(!beer.approved);
    assert.equal(beer.reason, 'over_limit');
  });

  test('pairing again with the same hub keeps the old identity\'s facts counted once; with another hub the old tabs go', async () => {
    const band = BANDS.card.uid;
    const other = BANDS.card2.uid;
    // Like the real hub: a full snapshot on connect, with this identity's committedSeq.
    let hubTabs: Record<string, number> = {};
    hub.tabsOnConnect = (id) => ({
      v: PROTOCOL_VERSION,
      full: true,
      committedSeq: hub.committedSeq(id),
      tabs: Object.entries(hubTabs).map(([bandUid, total]) => ({ bandUid, total })),
    });
    const term = await connected();
    sold(term, band, 'beer');
    await term.whenDrained();
    hubTabs = { [band]: 650, [other]: 400 };

    let applied = nextTabs(term);
    await term.pair(hub.url, hub.code, 'Bar 1');
    const snapshot = await applied;
    assert.equal(snapshot.committedSeq, 0, 'the new identity has no facts at the hub yet');
    assert.equal(term.tabTotal(band), 650, 'the sale made under the old identity is in the hub tab: not counted again');
    assert.equal(term.tabTotal(other), 400);
    sold(term, band, 'water');
    assert.equal(term.tabTotal(band), 900);
    await term.whenDrained();

    const hub2 = await new FakeHub(allEntities()).start();
    try {
      hub2.hubId = 'hub-elsewhere';
      applied = nextTabs(term);
      hub2.tabsOnConnect = () => ({ v: PROTOCOL_VERSION, full: true, committedSeq: 0, tabs: [] });
      await term.pair(hub2.url, hub2.code, 'Bar 1');
      assert.equal(term.tabTotal(other), 0, "another hub's pairing drops what the old hub said");
      assert.equal(term.tabTotal(band), 900, 'own sales count on their own again');
      await applied;
      assert.equal(term.tabTotal(band), 900);
    } finally {
      await term.close();
      t = null;
      await hub2.stop();
    }
  });
});
