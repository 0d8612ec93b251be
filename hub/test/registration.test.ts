import assert from 'node:assert/strict';
import { after, afterEach, describe, test } from 'node:test';
import path from 'node:path';
import Database from 'better-sqlite3';
import {
  newId,
  type AttendeesSearchAck,
  type Block,
  type ConfigChange,
  type ConfigMessage,
  type DeskAttendee,
  type Pairing,
  type Signup,
  type Wristband,
} from '@tapline/shared';
import type { RunningHub } from '../src/hub.ts';
import { eventually, FakeCloud, pairAndConnect, removeDir, startTestHub, statuses, tempDir, type TestTerminal } from './helpers.ts';

const EVENT = 'evt-1';
const base = (terminalId: string, seq: number) => ({
  id: newId(),
  terminalId,
  seq,
  eventId: EVENT,
  stationId: 'desk-1',
  staffId: 'staff-desk',
  createdAt: new Date().toISOString(),
  offline: false,
});
const signup = (terminalId: string, seq: number, firstName: string, lastName: string | null = null): Signup => ({
  ...base(terminalId, seq),
  kind: 'signup',
  attendee: { id: newId(), firstName, lastName, email: null, phone: null, smsConsent: false },
});
const pairing = (terminalId: string, seq: number, bandUid: string, attendeeId: string, replacesBandUid: string | null = null): Pairing => ({
  ...base(terminalId, seq),
  kind: 'pairing',
  bandUid,
  attendeeId,
  replacesBandUid,
});
const block = (terminalId: string, seq: number, bandUid: string): Block => ({ ...base(terminalId, seq), kind: 'block', bandUid, reason: 'lost' });

const attendee = (id: string, firstName: string, lastName: string | null, over: Partial<DeskAttendee> = {}): DeskAttendee => ({
  id,
  eventId: EVENT,
  firstName,
  lastName,
  email: null,
  phone: null,
  smsConsent: false,
  cardStatus: 'none',
  cardLast4: null,
  confirmationCode: null,
  cardUrl: null,
  ...over,
});
const wristband = (uid: string, over: Partial<Wristband> = {}): Wristband => ({
  uid,
  eventId: EVENT,
  attendeeId: null,
  firstName: null,
  status: 'active',
  hasCard: false,
  tabLimit: null,
  ...over,
});

function bandIn(m: ConfigMessage, uid: string): Wristband | undefined {
  const e = m.entities.find((x) => x.kind === 'band' && x.data.uid === uid);
  return e?.kind === 'band' ? e.data : undefined;
}
const nextBand = (t: TestTerminal, uid: string, pred: (b: Wristband) => boolean = () => true) =>
  t.nextConfig((m) => !m.full && bandIn(m, uid) !== undefined && pred(bandIn(m, uid)!)).then((m) => bandIn(m, uid)!);
/** Only the configuration messages received after `from` (waiters also look at earlier ones). */
const after_ = (t: TestTerminal, from: number) => ({
  nextBand: (uid: string, pred: (b: Wristband) => boolean = () => true) =>
    new Promise<Wristband>((resolve) => {
      const check = () => {
        for (const m of t.configs.slice(from)) {
          const b = !m.full ? bandIn(m, uid) : undefined;
          if (b && pred(b)) {
            t.socket.off('config', later);
            resolve(b);
            return true;
          }
        }
        return false;
      };
      const later = () => void setImmediate(check);
      if (!check()) t.socket.on('config', later);
    }),
});

function search(t: TestTerminal, request: unknown): Promise<AttendeesSearchAck> {
  return t.socket.timeout(5_000).emitWithAck('attendees:search', request) as Promise<AttendeesSearchAck>;
}
async function names(t: TestTerminal, query: string, more: object = {}): Promise<string[]> {
  const ack = await search(t, { v: 1, query, ...more });
  assert.ok(ack.ok, JSON.stringify(ack));
  return ack.results.map((r) => `${r.firstName} ${r.lastName ?? ''}`.trim());
}

function readHub(hub: RunningHub, sql: string): unknown[] {
  const db = new Database(hub.dbFile, { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

const dirs: string[] = [];
after(() => dirs.forEach(removeDir));
function dir(): string {
  const d = tempDir();
  dirs.push(d);
  return d;
}

describe('registration at the hub', () => {
  let hub: RunningHub | null = null;
  let cloud: FakeCloud | null = null;
  const open: TestTerminal[] = [];
  afterEach(async () => {
    open.splice(0).forEach((t) => t.close());
    await hub?.close();
    hub = null;
    await cloud?.close();
    cloud = null;
  });
  async function terminal(h: RunningHub, name: string) {
    const { creds, terminal: t } = await pairAndConnect(h, name);
    open.push(t);
    await t.nextConfig((m) => m.full);
    return { id: creds.terminalId, t };
  }

  test("a desk's facts are stored, applied in the same commit and sent to every terminal at once, without a cloud", async () => {
    hub = await startTestHub({ dataDir: dir() });
    const desk = await terminal(hub, 'Desk');
    const bar = await terminal(hub, 'Bar North');

    const w = signup(desk.id, 1, 'Zoë', 'Visser');
    const facts = [w, pairing(desk.id, 2, '04AA0000000001', w.attendee.id), block(desk.id, 3, '04BB0000000001')];
    const seen = bar.t.configs.length;
    const ack = await desk.t.push(facts);
    assert.ok(ack.ok);
    assert.deepEqual(statuses(ack.results), ['stored', 'stored', 'stored']);

    const paired = await after_(bar.t, seen).nextBand('04AA0000000001');
    assert.deepEqual(paired, wristband('04AA0000000001', { attendeeId: w.attendee.id, firstName: 'Zoë' }));
    const blocked = await after_(bar.t, seen).nextBand('04BB0000000001');
    assert.equal(blocked.status, 'blocked');
    // The desk that made them hears it too, before its ack (same socket, sent first).
    assert.ok(desk.t.configs.some((m) => !m.full && bandIn(m, '04AA0000000001')?.attendeeId === w.attendee.id));
    assert.ok(
      [...bar.t.configs, ...desk.t.configs].every((m) => m.entities.every((e) => e.kind !== 'attendee')),
      'attendees never go to terminals',
    );

    // Resent (a lost ack): duplicates; the same id with other content: a conflict kept for review.
    const again = await desk.t.push(facts);
    assert.ok(again.ok);
    assert.deepEqual(statuses(again.results), ['duplicate', 'duplicate', 'duplicate']);
    const other = await desk.t.push([{ ...facts[1]!, attendeeId: 'someone-else' }]);
    assert.ok(other.ok);
    assert.deepEqual(statuses(other.results), ['conflict']);

    // A pairing of a blocked band is kept and forwarded (the cloud lists it) but changes nothing: blocked is for ever.
    const late = pairing(desk.id, 4, '04BB0000000001', w.attendee.id);
    const lateAck = await desk.t.push([late]);
    assert.ok(lateAck.ok);
    assert.deepEqual(statuses(lateAck.results), ['stored']);

    const found = await search(desk.t, { v: 1, query: 'zoe vis' });
    assert.ok(found.ok);
    assert.equal(found.results.length, 1);
    assert.equal(found.results[0]!.id, w.attendee.id);
    assert.deepEqual(found.results[0]!.bands, [
      { uid: '04AA0000000001', status: 'active' },
    ]);

    assert.deepEqual(
      readHub(hub, `SELECT kind, band_uid AS bandUid FROM orders ORDER BY seq`),
      [
        { kind: 'signup', bandUid: '' },
        { kind: 'pairing', bandUid: '04AA0000000001' },
        { kind: 'block', bandUid: '04BB0000000001' },
        { kind: 'pairing', bandUid: '04BB0000000001' },
      ],
    );
    assert.deepEqual(readHub(hub, 'SELECT count(*) AS n FROM cloud_outbox'), [{ n: 4 }], 'every fact goes to the cloud once');
    assert.deepEqual(readHub(hub, `SELECT source FROM attendees`), [{ source: 'venue' }]);
    assert.deepEqual(hub.status().registration, { attendees: 1, paired: 1, blocked: 1 });

    // A terminal that connects later gets the bands in its snapshot.
    const late2 = await terminal(hub, 'Bar South');
    const snap = late2.t.configs.find((m) => m.full)!;
    assert.equal(bandIn(snap, '04AA0000000001')?.attendeeId, w.attendee.id);
    assert.equal(bandIn(snap, '04BB0000000001')?.status, 'blocked');
  });

  test('attendees from the cloud are searchable at the hub (name words, accents, e-mail, phone digits, code) and never sent to terminals', async () => {
    cloud = await new FakeCloud().start();
    hub = await startTestHub({ dataDir: dir(), cloudUrl: cloud.url, venueKey: 'k', pullIntervalMs: 60_000 });
    const bar = await terminal(hub, 'Bar');
    const people: DeskAttendee[] = [
      attendee('att-emile', 'Émile', 'Zola', { email: 'emile@example.org', phone: '+33612345678', confirmationCode: 'K7Q2M9XA' }),
      attendee('att-ann', 'Ann', 'Smit', { email: 'Ann.Smit@Example.org' }),
      attendee('att-anna', 'Anna', 'de Vries'),
      attendee('att-other-event', 'Annabel', 'Elsewhere', { eventId: 'evt-2' }),
      ...Array.from({ length: 60 }, (_, i) => attendee(`att-p${i}`, 'Test', `Person ${i}`)),
    ];
    let seq = 0;
    const changes: ConfigChange[] = people.map((data) => ({ seq: ++seq, entity: { kind: 'attendee', data } }));
    changes.push({ seq: ++seq, entity: { kind: 'band', data: wristband('0A0A0A0A', { attendeeId: 'att-ann', firstName: 'Ann' }) } });
    cloud.configLog.push(...changes);
    await hub.pullConfigNow();
    assert.equal(hub.status().registration.attendees, people.length);

    assert.deepEqual(await names(bar.t, 'emile'), ['Émile Zola']);
    assert.deepEqual(await names(bar.t, 'ÉMI'), ['Émile Zola']);
    assert.deepEqual(await names(bar.t, 'zo em'), ['Émile Zola']);
    assert.deepEqual(await names(bar.t, 'ann', { eventId: EVENT }), ['Anna de Vries', 'Ann Smit']);
    assert.deepEqual(await names(bar.t, 'ann'), ['Anna de Vries', 'Annabel Elsewhere', 'Ann Smit']);
    assert.deepEqual(await names(bar.t, 'ann.smit@exa'), ['Ann Smit']);
    assert.deepEqual(await names(bar.t, '06 12 34 56 78'), ['Émile Zola'], 'national format');
    assert.deepEqual(await names(bar.t, '+33 6 12 34 56 78'), ['Émile Zola']);
    assert.deepEqual(await names(bar.t, 'k7q2m9xa'), ['Émile Zola'], 'the confirmation QR code');
    assert.deepEqual(await names(bar.t, 'K7Q2 M9XA'), ['Émile Zola'], 'a code typed in two groups');
    assert.deepEqual(await names(bar.t, ' k7q2-m9xa '), ['Émile Zola'], 'a code typed with a dash, lower case');
    assert.deepEqual(await names(bar.t, 'K7-Q2 M9 XA'), ['Émile Zola']);
    assert.deepEqual(await names(bar.t, 'K7Q2 M9XB'), []);
    assert.deepEqual(await names(bar.t, 'K7Q2M9XB'), []);
    assert.deepEqual(await names(bar.t, 'nobody'), []);
    assert.equal((await names(bar.t, 'person')).length, 20, 'default limit');
    assert.equal((await names(bar.t, 'test person', { limit: 50 })).length, 50, 'bounded');

    const ann = await search(bar.t, { v: 1, query: 'smit' });
    assert.ok(ann.ok);
    assert.deepEqual(ann.results[0]!.bands, [{ uid: '0A0A0A0A', status: 'active' }]);

    for (const bad of [{ v: 1, query: '' }, { v: 1, query: 'x', limit: 51 }, { v: 1, query: 'a\u0000' }, { v: 2, query: 'ann' }, 'ann', null]) {
      const r = await search(bar.t, bad);
      assert.equal(r.ok, false, JSON.stringify(bad));
      assert.equal(!r.ok && r.error.code, 'invalid_body');
    }

    // The attendee adds a card: their bands follow, and terminals hear of the band, never of the attendee.
    const seen = bar.t.configs.length;
    cloud.configLog.push({ seq: ++seq, entity: { kind: 'attendee', data: { ...people[1]!, cardStatus: 'ready', cardLast4: '4242' } } });
    await hub.pullConfigNow();
    const withCard = await after_(bar.t, seen).nextBand('0A0A0A0A');
    assert.equal(withCard.hasCard, true);
    assert.ok(bar.t.configs.every((m) => m.entities.every((e) => e.kind !== 'attendee')));
    const fresh = await terminal(hub, 'Bar 2');
    assert.ok(fresh.t.configs.every((m) => m.entities.every((e) => e.kind !== 'attendee')));
  });

  test("the cloud's config does not undo a venue fact it has not received; once it has it, the cloud's resolution wins", async () => {
    cloud = await new FakeCloud().start();
    cloud.mode = 'fail'; // uploads fail: the facts wait in the hub's outbox
    hub = await startTestHub({ dataDir: dir(), cloudUrl: cloud.url, venueKey: 'k', pullIntervalMs: 60_000 });
    cloud.configLog.push(
      { seq: 1, entity: { kind: 'attendee', data: attendee('att-ann', 'Ann', 'Smit', { cardStatus: 'ready' }) } },
      { seq: 2, entity: { kind: 'attendee', data: attendee('att-bo', 'Bo', null) } },
      { seq: 3, entity: { kind: 'band', data: wristband('0A000001') } },
      { seq: 4, entity: { kind: 'band', data: wristband('0B000001', { attendeeId: 'att-bo', firstName: 'Bo' }) } },
    );
    await hub.pullConfigNow();
    const desk = await terminal(hub, 'Desk');
    const bar = await terminal(hub, 'Bar');

    const p = pairing(desk.id, 1, '0A000001', 'att-ann');
    const b = block(desk.id, 2, '0B000001');
    const stored = await desk.t.push([p, b]);
    assert.ok(stored.ok);
    assert.deepEqual(statuses(stored.results), ['stored', 'stored']);
    assert.equal((await nextBand(bar.t, '0A000001', (x) => x.attendeeId === 'att-ann')).hasCard, true);
    await nextBand(bar.t, '0B000001', (x) => x.status === 'blocked');

    // The cloud, not having the facts, changes both bands (a new tab limit) and says they are unpaired and active.
    let seen = bar.t.configs.length;
    cloud.configLog.push(
      { seq: 5, entity: { kind: 'band', data: wristband('0A000001', { tabLimit: 9_000 }) } },
      { seq: 6, entity: { kind: 'band', data: wristband('0B000001', { attendeeId: 'att-bo', firstName: 'Bo', tabLimit: 9_000 }) } },
    );
    await hub.pullConfigNow();
    assert.deepEqual(
      await after_(bar.t, seen).nextBand('0A000001'),
      wristband('0A000001', { attendeeId: 'att-ann', firstName: 'Ann', hasCard: true, tabLimit: 9_000 }),
      "the cloud's new limit, the venue's pairing",
    );
    assert.deepEqual(
      await after_(bar.t, seen).nextBand('0B000001'),
      wristband('0B000001', { attendeeId: 'att-bo', firstName: 'Bo', status: 'blocked', tabLimit: 9_000 }),
      'still blocked',
    );

    // The cloud comes back and takes the facts.
    cloud.mode = 'ok';
    await eventually(() => hub!.status().queueDepth === 0, 'the outbox drained to the cloud');
    assert.equal(cloud.seen.get(p.id), 1);
    assert.equal(cloud.seen.get(b.id), 1);

    // Its clash rule gave 0A000001 to Bo (an earlier pairing at a desk that was offline): that wins now.
    seen = bar.t.configs.length;
    cloud.configLog.push({ seq: 7, entity: { kind: 'band', data: wristband('0A000001', { attendeeId: 'att-bo', firstName: 'Bo', tabLimit: 9_000 }) } });
    // A cloud that said "active" for a band blocked here would still not unblock it.
    cloud.configLog.push({ seq: 8, entity: { kind: 'band', data: wristband('0B000001', { attendeeId: 'att-bo', firstName: 'Bo' }) } });
    await hub.pullConfigNow();
    assert.deepEqual(await after_(bar.t, seen).nextBand('0A000001'), wristband('0A000001', { attendeeId: 'att-bo', firstName: 'Bo', tabLimit: 9_000 }));
    assert.deepEqual(readHub(hub, `SELECT json_extract(data, '$.status') AS s FROM config WHERE key = '0B000001'`), [{ s: 'blocked' }]);
    assert.deepEqual(readHub(hub, `SELECT band_uid AS uid, pairing_fact_id AS p FROM band_overlay ORDER BY band_uid`), [{ uid: '0B000001', p: null }]);
  });

  test('a registration fact and its effect on attendees and bands commit together or not at all', async () => {
    const { openHubDb } = await import('../src/db/open.ts');
    const { OrderStore } = await import('../src/db/order-store.ts');
    const { parseFacts } = await import('@tapline/shared');
    const h = openHubDb(path.join(dir(), 'rollback'));
    try {
      h.sqlite.prepare(`INSERT INTO terminals (id, name, token_hash, paired_at) VALUES ('t1', 'Desk', 'x', '2026-01-01T00:00:00Z')`).run();
      const store = new OrderStore(h.sqlite);
      const w = signup('t1', 1, 'Zoë');
      const facts = parseFacts([w, pairing('t1', 2, '04AA0000000001', w.attendee.id), block('t1', 3, '04BB0000000001')]).valid;
      assert.equal(facts.length, 3);
      const count = (table: string) => (h.sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
      assert.throws(() =>
        store.transaction(() => {
          store.insertFacts('t1', facts, new Date().toISOString());
          throw new Error('power cut before the commit');
        }),
      );
      for (const table of ['orders', 'cloud_outbox', 'attendees', 'attendee_words', 'band_overlay', 'config']) assert.equal(count(table), 0, table);
      const changed = new Set<string>();
      store.transaction(() => store.insertFacts('t1', facts, new Date().toISOString(), undefined, changed));
      assert.deepEqual([...changed].sort(), ['04AA0000000001', '04BB0000000001']);
      assert.deepEqual(
        ['orders', 'cloud_outbox', 'attendees', 'band_overlay', 'config'].map(count),
        [3, 3, 1, 2, 2],
      );
      assert.equal(count('band_tabs'), 0, 'registration facts never touch a tab');
    } finally {
      h.close();
    }
  });

  test('an ack that arrives while a pull is under way waits for the next pull before the cloud may win', async () => {
    // Unit level: the generation rule, on a real database file.
    const { openHubDb } = await import('../src/db/open.ts');
    const { AttendeeStore } = await import('../src/db/attendee-store.ts');
    const { BandState } = await import('../src/db/band-state.ts');
    const d = dir();
    const h = openHubDb(path.join(d, 'unit'));
    try {
      h.sqlite.prepare(`INSERT INTO terminals (id, name, token_hash, paired_at) VALUES ('t1', 'Desk', 'x', '2026-01-01T00:00:00Z')`).run();
      const bands = new BandState(h.sqlite, new AttendeeStore(h.sqlite));
      const p = pairing('t1', 1, '0A000001', 'att-ann');
      const changed = new Set<string>();
      bands.applyFact(p, changed);
      assert.deepEqual([...changed], ['0A000001']);
      bands.applyCloudBand(wristband('0A000001', { attendeeId: 'att-bo' }), 10);
      assert.equal(bands.band('0A000001')?.attendeeId, 'att-ann', 'not acked: the venue wins');
      bands.markAcked([p.id], 5); // acked during pull generation 5
      assert.deepEqual(bands.resolveAcked(5), [], 'the pull under way may predate the cloud applying it');
      assert.equal(bands.band('0A000001')?.attendeeId, 'att-ann');
      const resolved = bands.resolveAcked(6);
      assert.deepEqual(resolved.map((x) => x.attendeeId), ['att-bo'], 'a later pull has caught up: the cloud wins');
    } finally {
      h.close();
    }
  });
});
