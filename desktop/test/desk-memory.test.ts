import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { after, afterEach, describe, test } from 'node:test';
import { hashPin, newId, PROTOCOL_VERSION, type ConfigEntity, type DeskSearchResult, type Staff, type Station } from '@tapline/shared';
import Database from 'better-sqlite3';
import type { BandTap, DeskAttendeeView, KioskState, PairOutcome, ReaderView } from '../src/kiosk/api.ts';
import { KioskService, type TapSource } from '../src/kiosk/kiosk-service.ts';
import { openDb } from '../src/runtime/db/open.ts';
import { DESK_MEMORY_LIMIT, DeskMemory } from '../src/runtime/desk-memory.ts';
import { openTerminal, type Terminal } from '../src/runtime/index.ts';
import { FakeHub } from './helpers/fake-hub.ts';
import { allEntities, EVENT } from './helpers/fixtures.ts';
import { FAST, pairedTerminal, statusWhere } from './helpers/paired-terminal.ts';
import { silent, tempDir } from './helpers/temp.ts';

// The registration desk keeps the attendees it found at the hub in the terminal's SQLite file: a kiosk restarted
// mid-shift opens and pairs them without searching again. Restarts here are real: close the terminal, open the file.

const tmp = tempDir();
after(() => tmp.cleanup());

const DESK: Station = { id: 'desk-main', eventId: EVENT.id, name: 'Main desk', mode: 'registration', productIds: [] };
const PIN = '4321';
const DESK_STAFF: Staff = { id: 'reg-1', eventId: EVENT.id, name: 'Rae', role: 'registration', pinHash: hashPin(PIN) };
const NEW_BAND = '04C0FFEE0000A1';

function entities(): ConfigEntity[] {
  return [...allEntities(), { kind: 'station', data: DESK }, { kind: 'staff', data: DESK_STAFF }];
}

function attendee(n: number, over: Partial<DeskSearchResult> = {}): DeskSearchResult {
  return {
    id: `att-${String(n).padStart(4, '0')}`,
    eventId: EVENT.id,
    firstName: `Guest${n}`,
    lastName: 'Jansen',
    email: `guest${n}@example.org`,
    phone: null,
    smsConsent: false,
    cardStatus: 'ready',
    cardLast4: '4242',
    confirmationCode: null,
    cardUrl: null,
    bands: [],
    ...over,
  };
}

/** A reader the test taps by hand. */
class ScriptedReader extends EventEmitter implements TapSource {
  state(): ReaderView {
    return { status: 'ready', readers: ['Test reader'], message: 'Ready', cardPresent: false };
  }
  tap(uid: string): BandTap {
    const t = { id: newId(), uid, reader: 'Test reader', at: new Date().toISOString() };
    this.emit('tap', t);
    return { ...t, manual: false };
  }
}

function storedRows(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM desk_attendees').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('the desk remembers found attendees across a restart', () => {
  let hub: FakeHub | null = null;
  let t: Terminal | null = null;
  afterEach(async () => {
    await t?.close();
    t = null;
    await hub?.stop();
    hub = null;
  });

  /** The terminal on `file` again, as after a kiosk restart, connected to the hub. */
  async function reopen(file: string): Promise<Terminal> {
    await t?.close();
    t = openTerminal({ dbPath: file, logger: silent, sender: FAST });
    t.start();
    await t.whenConfigured();
    await statusWhere(t, (s) => s.hubConnected);
    return t;
  }

  test('an attendee found before the restart is opened and paired at the kiosk after it, with no new search', async () => {
    hub = await new FakeHub(entities()).start();
    const file = tmp.file('desk-restart.db');
    t = await pairedTerminal(hub, file);
    const ann = attendee(1, { firstName: 'Ann', bands: [{ uid: '04AA000000AA01', status: 'blocked' }] });
    hub.searchHandler = () => ({ ok: true, v: PROTOCOL_VERSION, results: [ann, attendee(2)] });
    t.start();
    await t.whenConfigured();
    await statusWhere(t, (s) => s.hubConnected);
    assert.equal((await t.registration.search('guest')).length, 2);
    assert.equal(storedRows(file), 2, 'both results are in the file');

    const restarted = await reopen(file);
    const searchesBefore = hub.searches.length;
    // The runtime knows her again: the desk's pairing check passes without a search.
    assert.deepEqual(restarted.registration.attendee(ann.id), ann);

    // And the kiosk's desk screens: log in, open her, pair a tapped band.
    const reader = new ScriptedReader();
    const kiosk = new KioskService(restarted, reader, null, silent);
    await kiosk.call('chooseStation', { stationId: DESK.id });
    const st = (await kiosk.call('login', { pin: PIN })) as KioskState;
    assert.equal(st.station?.mode, 'registration');
    const opened = (await kiosk.call('deskAttendee', { attendeeId: ann.id })) as DeskAttendeeView;
    assert.equal(opened.firstName, 'Ann');
    assert.deepEqual(opened.bands, [{ uid: '04AA000000AA01', status: 'blocked' }], 'her bands as found');

    // As the real hub does: the band's new owner goes out in the configuration before the ack.
    hub.handler = (push, h) => {
      for (const o of push.orders as Array<{ kind: string; bandUid: string; attendeeId: string }>) {
        if (o.kind !== 'pairing') continue;
        const band = { uid: o.bandUid, eventId: EVENT.id, attendeeId: o.attendeeId, firstName: 'Ann', status: 'active' as const, hasCard: true, tabLimit: null };
        h.entities.push({ kind: 'band', data: band });
        h.broadcastConfig(false, [{ kind: 'band', data: band }]);
      }
      return h.store(push.orders);
    };
    const pushed = hub.nextPush((p) => p.orders.some((o) => (o as { kind?: string }).kind === 'pairing'));
    const tap = reader.tap(NEW_BAND);
    const paired = (await kiosk.call('deskPair', { tapId: tap.id, attendeeId: ann.id, replacesBandUid: null })) as PairOutcome;
    assert.equal(paired.paired, true, JSON.stringify(paired));
    assert.deepEqual(
      paired.paired && paired.attendee.bands.map((b) => [b.uid, b.status]),
      [
        ['04AA000000AA01', 'blocked'],
        [NEW_BAND, 'active'],
      ],
    );
    const push = await pushed;
    const fact = push.orders.find((o) => (o as { kind?: string }).kind === 'pairing') as { attendeeId: string; bandUid: string };
    assert.deepEqual([fact.attendeeId, fact.bandUid], [ann.id, NEW_BAND]);
    assert.equal(hub.searches.length, searchesBefore, 'nobody searched again');
    await restarted.whenDrained();

    // Restarted once more: the band paired here is listed with her, from this terminal's own knowledge.
    const again = await reopen(file);
    assert.deepEqual(
      again.registration.attendee(ann.id)?.bands.map((b) => b.uid).sort(),
      ['04AA000000AA01', NEW_BAND].sort(),
    );
    assert.equal(again.registration.attendee('att-never-found'), undefined);
  });

  test(`only the ${DESK_MEMORY_LIMIT} most recently found stay; finding someone again makes them recent`, async () => {
    hub = await new FakeHub(entities()).start();
    const file = tmp.file('desk-bound.db');
    t = await pairedTerminal(hub, file);
    t.start();
    await t.whenConfigured();
    await statusWhere(t, (s) => s.hubConnected);
    // 11 searches of 50 people each: 550 found, in order 0..549.
    const page = (p: number) => Array.from({ length: 50 }, (_, i) => attendee(p * 50 + i));
    for (let p = 0; p < 11; p++) {
      hub.searchHandler = () => ({ ok: true, v: PROTOCOL_VERSION, results: page(p) });
      await t.registration.search(`page ${p}`, 50);
      // Guest 0, found first, is found again after the first search of each later page: always among the recent.
      if (p > 0) {
        hub.searchHandler = () => ({ ok: true, v: PROTOCOL_VERSION, results: [attendee(0, { firstName: 'Again' })] });
        await t.registration.search('guest0');
      }
    }
    assert.equal(storedRows(file), DESK_MEMORY_LIMIT);

    const restarted = await reopen(file);
    assert.equal(restarted.registration.attendee(attendee(0).id)?.firstName, 'Again', 'found again: kept, newest copy');
    assert.equal(restarted.registration.attendee(attendee(1).id), undefined, 'among the oldest: forgotten');
    assert.equal(restarted.registration.attendee(attendee(50).id), undefined);
    assert.equal(restarted.registration.attendee(attendee(51).id)?.firstName, 'Guest51', 'the oldest kept');
    assert.equal(restarted.registration.attendee(attendee(549).id)?.firstName, 'Guest549');
  });

  test('paired with another hub, the desk no longer keeps whom it found at the old one', async () => {
    hub = await new FakeHub(entities()).start();
    const file = tmp.file('desk-new-hub.db');
    t = await pairedTerminal(hub, file);
    t.start();
    await t.whenConfigured();
    await statusWhere(t, (s) => s.hubConnected);
    hub.searchHandler = () => ({ ok: true, v: PROTOCOL_VERSION, results: [attendee(7)] });
    await t.registration.search('guest7');
    await t.whenDrained();

    const other = await new FakeHub(entities()).start();
    other.hubId = 'hub-elsewhere';
    try {
      await t.pair(other.url, other.code, 'Desk 1');
      assert.equal(storedRows(file), 0);
      await t.close();
      t = openTerminal({ dbPath: file, logger: silent, sender: FAST });
      assert.equal(t.registration.attendee(attendee(7).id), undefined, 'not known after a restart');
    } finally {
      await other.stop();
    }
  });
});

describe('DeskMemory', () => {
  test('keeps the newest `limit` in the order found, replaces a re-found attendee, and skips rows it cannot read', () => {
    const file = tmp.file('memory-unit.db');
    const db = openDb(file);
    try {
      const memory = new DeskMemory(db, 3);
      memory.remember([attendee(1), attendee(2)]);
      memory.remember([attendee(3), attendee(1, { firstName: 'Newer' })]);
      memory.remember([attendee(4)]);
      assert.deepEqual(
        memory.all().map((a) => [a.id, a.firstName]),
        [
          ['att-0003', 'Guest3'],
          ['att-0001', 'Newer'],
          ['att-0004', 'Guest4'],
        ],
      );
      assert.equal(memory.get(attendee(2).id), undefined);
      // A row an older kiosk wrote in another shape is not trusted: that attendee is searched for again.
      db.$client.prepare('UPDATE desk_attendees SET data = ? WHERE attendee_id = ?').run('{"id":"att-0003"}', 'att-0003');
      assert.equal(memory.get('att-0003'), undefined);
      assert.deepEqual(memory.all().map((a) => a.id), ['att-0001', 'att-0004']);
    } finally {
      db.$client.close();
    }
  });
});
