import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { after, before, test } from 'node:test';
import { hashPin, newId, type ConfigEntity } from '@tapline/shared';
import type { BandTap, KioskState, ReaderView } from '../src/kiosk/api.ts';
import { KioskError } from '../src/kiosk/kiosk-error.ts';
import { KioskService, type TapSource } from '../src/kiosk/kiosk-service.ts';
import { openTerminal, type Terminal } from '../src/runtime/index.ts';
import { FakeHub } from './helpers/fake-hub.ts';
import { allEntities, BANDS, EVENT } from './helpers/fixtures.ts';
import { FAST, statusWhere } from './helpers/paired-terminal.ts';
import { silent, tempDir } from './helpers/temp.ts';

/** A reader the test taps by hand; the real one (pcscd) is covered by band-reader.test.ts and the e2e suite. */
class ScriptedReader extends EventEmitter implements TapSource {
  view: ReaderView = { status: 'ready', readers: ['Test reader'], message: 'Ready', cardPresent: false };
  state() {
    return this.view;
  }
  tap(uid: string): Omit<BandTap, 'manual'> {
    const t = { id: newId(), uid, reader: 'Test reader', at: new Date().toISOString() };
    this.emit('tap', t);
    return t;
  }
}

const PINS = { bartender: '2468', supervisor: '9753' };
function entities(): ConfigEntity[] {
  return allEntities().map((e) =>
    e.kind === 'staff' ? { kind: 'staff', data: { ...e.data, pinHash: hashPin(e.data.role === 'supervisor' ? PINS.supervisor : PINS.bartender) } } : e,
  );
}

const tmp = tempDir();
let hub: FakeHub;
let terminal: Terminal;
let reader: ScriptedReader;
let kiosk: KioskService;

before(async () => {
  hub = await new FakeHub(entities()).start();
  terminal = openTerminal({ dbPath: tmp.file('kiosk.db'), logger: silent, sender: FAST });
  reader = new ScriptedReader();
  kiosk = new KioskService(terminal, reader, null, silent);
});
after(async () => {
  await terminal.close();
  await hub.stop();
  tmp.cleanup();
});

async function rejects(p: Promise<unknown>, code: string) {
  await assert.rejects(p, (e: unknown) => e instanceof KioskError && e.code === code);
}

test('a new kiosk walks through pairing, configuration and station choice', async () => {
  assert.equal(kiosk.state().setup, 'unpaired');
  await rejects(kiosk.call('login', { pin: PINS.bartender }), 'not_paired');
  await rejects(kiosk.call('pair', { hubUrl: hub.url, code: '12', name: 'Bar 1' }), 'invalid_input');
  await rejects(kiosk.call('pair', { hubUrl: hub.url, code: '999999', name: 'Bar 1' }), 'bad_pairing_code');
  await kiosk.call('pair', { hubUrl: hub.url, code: hub.code, name: 'Bar 1' });
  await terminal.whenConfigured();
  assert.equal(kiosk.state().setup, 'no_station');
  assert.equal(kiosk.state().terminalName, 'Bar 1');
  const stations = (await kiosk.call('stations', {})) as Array<{ id: string; products: number }>;
  assert.deepEqual(stations.map((s) => [s.id, s.products]), [['bar-main', 3]], 'inactive products are not counted');
  const st = (await kiosk.call('chooseStation', { stationId: 'bar-main' })) as KioskState;
  assert.equal(st.setup, 'ready');
  assert.equal(st.station?.name, 'Main bar');
  await rejects(kiosk.call('chooseStation', { stationId: 'bar-main' }), 'not_supervisor');
});

test('a PIN logs the bartender in and opens the station menu', async () => {
  await rejects(kiosk.call('login', { pin: '0000' }), 'wrong_pin');
  const st = (await kiosk.call('login', { pin: PINS.bartender })) as KioskState;
  assert.equal(st.staff?.role, 'bartender');
  const menu = (await kiosk.call('menu', {})) as { currency: string; categories: Array<{ name: string; products: Array<{ id: string }> }> };
  assert.equal(menu.currency, 'EUR');
  assert.deepEqual(menu.categories.map((c) => [c.name, c.products.map((p) => p.id)]), [['Drinks', ['beer', 'water', 'wine']]]);
});

test('one tap pays for one sale: the same tap again replays the answer', async () => {
  await statusWhere(terminal, (s) => s.hubConnected);
  const tap = reader.tap(BANDS.card.uid);
  const first = await kiosk.call('sell', { tapId: tap.id, lines: [{ productId: 'beer', quantity: 2 }] });
  assert.deepEqual({ ...(first as object), orderId: undefined, seq: undefined }, {
    approved: true,
    orderId: undefined,
    seq: undefined,
    total: 1300,
    tabTotal: 1300,
    firstName: 'Alex',
    bandUid: BANDS.card.uid,
    offline: false,
  });
  const again = await kiosk.call('sell', { tapId: tap.id, lines: [{ productId: 'beer', quantity: 2 }] });
  assert.deepEqual(again, first);
  assert.equal(terminal.counts().sales, 1);
  await rejects(kiosk.call('sell', { tapId: 'never-tapped', lines: [{ productId: 'beer', quantity: 1 }] }), 'unknown_tap');
  await rejects(kiosk.call('sell', { tapId: tap.id, lines: [] }), 'invalid_input');
});

test('a blocked band is declined with its reason, and nothing is written', async () => {
  const before = terminal.counts().orders;
  const out = (await kiosk.call('sell', { tapId: reader.tap(BANDS.blocked.uid).id, lines: [{ productId: 'water', quantity: 1 }] })) as {
    approved: boolean;
    reason: string;
  };
  assert.equal(out.approved, false);
  assert.equal(out.reason, 'blocked');
  const unknown = (await kiosk.call('sell', { tapId: reader.tap('DEADBEEF').id, lines: [{ productId: 'water', quantity: 1 }] })) as { reason: string };
  assert.equal(unknown.reason, 'unknown_band');
  assert.equal(terminal.counts().orders, before);
});

test('a balance check shows the tab as this kiosk knows it', async () => {
  const look = await kiosk.call('lookup', { tapId: reader.tap(BANDS.card.uid).id });
  assert.deepEqual(look, { bandUid: BANDS.card.uid, known: true, firstName: 'Alex', status: 'active', tabTotal: 1300 });
});

test('voids and manual band entry need a supervisor PIN', async () => {
  const [sale] = (await kiosk.call('recent', {})) as Array<{ id: string; seq: number; summary: string; voided: boolean }>;
  assert.equal(sale!.summary, '2× Beer');
  await rejects(kiosk.call('voidOrder', { orderId: sale!.id, supervisorPin: PINS.bartender, reason: 'wrong drink' }), 'not_supervisor');
  const voided = (await kiosk.call('voidOrder', { orderId: sale!.id, supervisorPin: PINS.supervisor, reason: 'wrong drink' })) as { tabTotal: number };
  assert.equal(voided.tabTotal, 0);
  await rejects(kiosk.call('voidOrder', { orderId: sale!.id, supervisorPin: PINS.supervisor, reason: 'again' }), 'already_voided');
  const recent = (await kiosk.call('recent', {})) as Array<{ kind: string; voided: boolean; summary: string }>;
  assert.equal(recent[0]!.kind, 'void');
  assert.match(recent[0]!.summary, /^Void of #\d+: wrong drink$/);
  assert.equal(recent[1]!.voided, true);

  await rejects(kiosk.call('manualTap', { supervisorPin: PINS.bartender, bandNumber: BANDS.card2.uid }), 'not_supervisor');
  await rejects(kiosk.call('manualTap', { supervisorPin: PINS.supervisor, bandNumber: 'not a band' }), 'invalid_input');
  const taps: BandTap[] = [];
  kiosk.on('tap', (t) => taps.push(t));
  const tap = (await kiosk.call('manualTap', { supervisorPin: PINS.supervisor, bandNumber: '04:a1:b2:c3:d4:e5:f7' })) as BandTap;
  assert.equal(tap.uid, BANDS.card2.uid);
  assert.equal(tap.manual, true);
  assert.deepEqual(taps, [tap], 'a manual tap reaches the screens like a real one');
  const sold = (await kiosk.call('sell', { tapId: tap.id, lines: [{ productId: 'wine', quantity: 1 }] })) as { approved: boolean };
  assert.equal(sold.approved, true);
});

test('with the hub gone the kiosk says offline and sells within the offline allowances', async () => {
  await terminal.whenDrained();
  await hub.stop();
  await statusWhere(terminal, (s) => !s.hubConnected);
  const st = kiosk.state();
  assert.equal(st.offline.active, true);
  assert.equal(st.offline.terminalCap, EVENT.offlineTerminalTotal);
  assert.equal(st.cloud.uplink, 'unknown', 'the cloud link is unknown while the hub is unreachable');
  const ok = (await kiosk.call('sell', { tapId: reader.tap(BANDS.card.uid).id, lines: [{ productId: 'beer', quantity: 7 }] })) as { approved: boolean; offline: boolean };
  assert.deepEqual([ok.approved, ok.offline], [true, true]);
  assert.equal(kiosk.state().offline.terminalSpent, 4550);
  const over = (await kiosk.call('sell', { tapId: reader.tap(BANDS.card.uid).id, lines: [{ productId: 'beer', quantity: 1 }] })) as { reason: string };
  assert.equal(over.reason, 'offline_allowance', 'EUR 45.50 + 6.50 passes the EUR 50 band allowance');
  assert.equal(kiosk.state().pending, 1);
});

test('bad calls get a clear error and change nothing', async () => {
  await rejects(kiosk.call('nope', {}), 'unknown_call');
  await rejects(kiosk.call('login', { pin: 'abcd' }), 'invalid_input');
  await rejects(kiosk.call('sell', null), 'invalid_input');
  await kiosk.call('logout', {});
  await rejects(kiosk.call('recent', {}), 'not_logged_in');
});
