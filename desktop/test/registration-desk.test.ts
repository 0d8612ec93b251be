import { PROTOCOL_VERSION, type DeskAttendee, type DeskSearchResult, type Wristband } from '@tapline/shared';
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { after, afterEach, describe, test } from 'node:test';
import { openTerminal, TerminalError, type Terminal } from '../src/runtime/index.ts';
import { FakeHub } from './helpers/fake-hub.ts';
import { allEntities, BANDS, EVENT, STATION } from './helpers/fixtures.ts';
import { FAST, pairedTerminal, statusWhere } from './helpers/paired-terminal.ts';
import { silent, tempDir } from './helpers/temp.ts';

const tmp = tempDir();
after(() => tmp.cleanup());

const STAFF = 'desk-1';
const NEW_BAND = '04C0FFEE000001';
const SPARE_BAND = '04C0FFEE000002';

const walkUp = (t: Terminal, firstName = 'Zoë') =>
  t.registration.signUp({ firstName, lastName: 'Visser', email: 'zoe@example.org', phone: '+31612345678', smsConsent: true, staffId: STAFF, stationId: STATION.id });
const pair = (t: Terminal, attendeeId: string, bandUid: string, replacesBandUid: string | null = null) =>
  t.registration.pair({ attendeeId, bandUid, replacesBandUid, staffId: STAFF, stationId: STATION.id });
const block = (t: Terminal, bandUid: string) => t.registration.block({ bandUid, reason: 'lost at the main stage', staffId: STAFF, stationId: STATION.id });
const beers = (t: Terminal, bandUid: string, quantity = 1) =>
  t.sell({ stationId: STATION.id, staffId: null, bandUid, lines: [{ productId: 'beer', quantity }] });

function refusedWith(code: string) {
  return (err: unknown) => {
    assert.ok(err instanceof TerminalError, String(err));
    assert.equal(err.code, code);
    assert.ok(err.message.length > 10, 'a sentence for the desk');
    return true;
  };
}

function rows(file: string): Array<{ seq: number; kind: string; status: string; inOutbox: number }> {
  const db = new Database(file, { readonly: true });
  try {
    return db
      .prepare('SELECT o.seq, o.kind, o.status, (SELECT count(*) FROM outbox b WHERE b.order_id = o.id) AS inOutbox FROM orders o ORDER BY o.seq')
      .all() as Array<{ seq: number; kind: string; status: string; inOutbox: number }>;
  } finally {
    db.close();
  }
}

/** A terminal paired with `hub`, configured from it, then cut off from it (the hub stopped). */
async function configuredThenOffline(hub: FakeHub, file: string): Promise<Terminal> {
  const t = await pairedTerminal(hub, file);
  t.start();
  await t.whenConfigured();
  await hub.stop();
  await statusWhere(t, (s) => !s.hubConnected);
  return t;
}

describe('registration desk on the terminal runtime', () => {
  let hub: FakeHub | null = null;
  let t: Terminal | null = null;
  let n = 0;
  const file = () => tmp.file(`desk-${++n}.db`);
  afterEach(async () => {
    await t?.close();
    t = null;
    await hub?.stop();
    hub = null;
  });

  test('a walk-up, a pairing and a block are durable facts on the sales seq and count here at once, with the hub down', async () => {
    hub = await new FakeHub(allEntities()).start();
    const f = file();
    t = await configuredThenOffline(hub, f);

    assert.ok(beers(t, BANDS.card.uid).approved);
    const zoe = walkUp(t);
    assert.equal(zoe.firstName, 'Zoë');
    assert.equal(zoe.eventId, EVENT.id);
    assert.equal(zoe.cardStatus, 'none');
    assert.equal(zoe.confirmationCode, null);
    assert.deepEqual(t.registration.band(NEW_BAND), { uid: NEW_BAND, status: 'unknown', attendeeId: null, firstName: null, hasCard: false });
    assert.equal(beers(t, NEW_BAND).approved, false, 'an unknown band is declined');

    assert.deepEqual(pair(t, zoe.id, NEW_BAND), { bandUid: NEW_BAND, attendeeId: zoe.id });
    assert.deepEqual(t.registration.band(NEW_BAND), { uid: NEW_BAND, status: 'active', attendeeId: zoe.id, firstName: 'Zoë', hasCard: false });
    // No card: the event's no-card allowance (2,000) caps the tab, hub or no hub.
    assert.ok(beers(t, NEW_BAND, 3).approved);
    const over = beers(t, NEW_BAND);
    assert.equal(over.approved, false);
    assert.equal(!over.approved && over.reason, 'over_limit');

    block(t, BANDS.card2.uid);
    assert.equal(t.registration.band(BANDS.card2.uid).status, 'blocked');
    const declined = beers(t, BANDS.card2.uid);
    assert.equal(!declined.approved && declined.reason, 'blocked');

    assert.deepEqual(
      rows(f).map((r) => [r.seq, r.kind, r.status, r.inOutbox]),
      [
        [1, 'sale', 'pending', 1],
        [2, 'signup', 'pending', 1],
        [3, 'pairing', 'pending', 1],
        [4, 'sale', 'pending', 1],
        [5, 'block', 'pending', 1],
      ],
    );
    const pairing = JSON.parse(
      new Database(f, { readonly: true }).prepare(`SELECT body FROM orders WHERE kind = 'pairing'`).pluck().get() as string,
    );
    assert.equal(pairing.offline, true);
    assert.equal(pairing.attendeeId, zoe.id);
    assert.equal(pairing.replacesBandUid, null);
    // The bartender's views never show registration facts.
    assert.deepEqual(
      t.recentOrders().map((o) => o.kind),
      ['sale', 'sale'],
    );

    // A restart keeps all of it: the walk-up stays pairable, the unsent pairing and block keep counting.
    await t.close();
    t = openTerminal({ dbPath: f, logger: silent, sender: FAST });
    assert.equal(t.registration.band(NEW_BAND).attendeeId, zoe.id);
    assert.equal(t.registration.band(BANDS.card2.uid).status, 'blocked');
    assert.deepEqual(pair(t, zoe.id, NEW_BAND), { bandUid: NEW_BAND, attendeeId: zoe.id }, 'pairing again is a no-op');
    assert.equal(rows(f).length, 5);
  });

  test('the desk refuses what it knows to be wrong, with a code and a sentence, and writes nothing', async () => {
    hub = await new FakeHub(allEntities()).start();
    const f = file();
    t = await configuredThenOffline(hub, f);
    const zoe = walkUp(t);
    pair(t, zoe.id, NEW_BAND);
    block(t, BANDS.blocked.uid);
    const before = rows(f).length;

    assert.throws(() => pair(t!, 'someone-nobody-found', SPARE_BAND), refusedWith('unknown_attendee'));
    assert.throws(() => pair(t!, zoe.id, BANDS.blocked.uid), refusedWith('band_blocked'));
    assert.throws(() => pair(t!, zoe.id, BANDS.card.uid), refusedWith('band_taken'), 'paired to att-… in the configuration');
    const ann = walkUp(t, 'Ann');
    assert.throws(() => pair(t!, ann.id, NEW_BAND), refusedWith('band_taken'), 'paired to Zoë here, not yet sent');
    assert.throws(() => pair(t!, zoe.id, SPARE_BAND, NEW_BAND), refusedWith('replaced_band_not_blocked'));
    assert.throws(() => pair(t!, zoe.id, 'not-a-uid'), refusedWith('invalid_input'));
    assert.throws(
      () => t!.registration.signUp({ firstName: 'Bo', lastName: null, email: null, phone: '0612345678', smsConsent: false, staffId: STAFF, stationId: STATION.id }),
      refusedWith('invalid_input'),
    );
    assert.throws(
      () => t!.registration.signUp({ firstName: '  ', lastName: null, email: null, phone: null, smsConsent: false, staffId: STAFF, stationId: STATION.id }),
      refusedWith('invalid_input'),
    );
    assert.throws(() => t!.registration.block({ bandUid: NEW_BAND, reason: 'lost', staffId: STAFF, stationId: 'nowhere' }), refusedWith('unknown_station'));
    assert.equal(rows(f).length, before + 1, 'only Ann was written');
  });

  test('a lost band: block it, pair a new one to the same tab; the attendee total carries over', async () => {
    hub = await new FakeHub(allEntities()).start();
    t = await configuredThenOffline(hub, file());
    const zoe = walkUp(t);
    pair(t, zoe.id, NEW_BAND);
    assert.ok(beers(t, NEW_BAND, 2).approved); // 1,300 of the 2,000 no-card allowance
    block(t, NEW_BAND);
    assert.deepEqual(pair(t, zoe.id, SPARE_BAND, NEW_BAND), { bandUid: SPARE_BAND, attendeeId: zoe.id });
    assert.equal(t.tabTotal(SPARE_BAND), 1_300, "the new band shows the attendee's tab");
    assert.ok(beers(t, SPARE_BAND).approved); // 1,950
    const over = beers(t, SPARE_BAND);
    assert.equal(!over.approved && over.reason, 'over_limit', 'the allowance holds over both bands');
    assert.equal(!beers(t, NEW_BAND).approved && 'declined', 'declined', 'the lost band stays declined');
  });

  test('search asks the hub with an ack; without the hub, or when it does not answer, it says hub_unreachable', async () => {
    hub = await new FakeHub(allEntities()).start();
    t = await pairedTerminal(hub, file());
    await assert.rejects(t.registration.search('zoe'), refusedWith('hub_unreachable'), 'not started: not connected');
    t.start();
    await t.whenConfigured();
    await statusWhere(t, (s) => s.hubConnected);

    const ann: DeskSearchResult = {
      id: 'att-ann',
      eventId: EVENT.id,
      firstName: 'Ann',
      lastName: 'Smit',
      email: 'ann@example.org',
      phone: null,
      smsConsent: false,
      cardStatus: 'ready',
      cardLast4: '4242',
      confirmationCode: 'K7Q2M9XA',
      cardUrl: null,
      bands: [],
    };
    hub.searchHandler = () => ({ ok: true, v: PROTOCOL_VERSION, results: [ann] });
    assert.deepEqual(await t.registration.search('  ann ', 5), [ann]);
    assert.deepEqual(hub.searches.at(-1), { v: PROTOCOL_VERSION, query: 'ann', limit: 5, eventId: EVENT.id });
    // Found at the hub, so this desk can pair her; her card makes the band a card band.
    pair(t, ann.id, NEW_BAND);
    assert.deepEqual(t.registration.band(NEW_BAND), { uid: NEW_BAND, status: 'active', attendeeId: 'att-ann', firstName: 'Ann', hasCard: true });

    hub.searchHandler = () => ({ ok: false, v: PROTOCOL_VERSION, error: { code: 'invalid_body', message: 'query: too long' } });
    await assert.rejects(t.registration.search('x'), refusedWith('invalid_input'));
    await assert.rejects(t.registration.search('   '), refusedWith('invalid_input'));
    hub.searchHandler = () => ({ ok: true, results: 'garbage' });
    await assert.rejects(t.registration.search('ann'), refusedWith('hub_unreachable'));
    hub.searchHandler = () => undefined; // the hub never answers: the 3 s ack timeout
    await assert.rejects(t.registration.search('ann'), refusedWith('hub_unreachable'));
  });

  test("once the hub has answered, its configuration is the truth, not the desk's own copy", async () => {
    hub = await new FakeHub(allEntities()).start();
    t = await pairedTerminal(hub, file());
    t.start();
    await t.whenConfigured();
    await statusWhere(t, (s) => s.hubConnected);
    const zoe = walkUp(t);

    // The hub stores the pairing but had the band blocked by another desk first: it says so before it acks.
    const blockedElsewhere: Wristband = { uid: NEW_BAND, eventId: EVENT.id, attendeeId: null, firstName: null, status: 'blocked', hasCard: false, tabLimit: null };
    const h = hub;
    h.handler = (push, fake) => {
      fake.broadcastConfig(false, [{ kind: 'band', data: blockedElsewhere }]);
      return fake.store(push.orders);
    };
    const acked = new Promise<void>((resolve) => t!.once('acked', () => resolve()));
    pair(t, zoe.id, NEW_BAND);
    assert.equal(t.registration.band(NEW_BAND).status, 'active', 'at once, as this desk knows');
    await acked;
    await t.whenDrained();
    assert.equal(t.registration.band(NEW_BAND).status, 'blocked');
    assert.equal(beers(t, NEW_BAND).approved, false);
  });
});
