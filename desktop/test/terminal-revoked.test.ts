import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { hashPin, newId, type ConfigChange, type ConfigEntity, type TerminalStanding } from '@tapline/shared';
import Database from 'better-sqlite3';
import type { RunningHub } from '../../hub/src/hub.ts';
import { FakeCloud, startTestHub } from '../../hub/test/helpers.ts';
import type { BandTap, KioskState, ReaderView, SaleOutcome } from '../src/kiosk/api.ts';
import { KioskError } from '../src/kiosk/kiosk-error.ts';
import { KioskService, type TapSource } from '../src/kiosk/kiosk-service.ts';
import { openTerminal, TerminalError, type Terminal } from '../src/runtime/index.ts';
import { allEntities, BANDS, STATION } from './helpers/fixtures.ts';
import { FAST, statusWhere } from './helpers/paired-terminal.ts';
import { silent, tempDir } from './helpers/temp.ts';

// Head office revokes a terminal (a stolen kiosk): the real hub (in this process, fed by a stand-in cloud whose
// configuration log the test writes) drops the terminal's socket and refuses its handshakes with `revoked`. The
// terminal must say so, make no fact, keep its outbox, and trade again once head office restores it.

const PINS = { bartender: '2468', supervisor: '9753' };
const REVOKED_SENTENCE = 'This terminal was revoked by head office: Stolen from the north bar';

const tmp = tempDir();
let cloud: FakeCloud;
let hub: RunningHub;
let seq = 0;

function entities(): ConfigEntity[] {
  return allEntities().map((e) =>
    e.kind === 'staff' ? { kind: 'staff', data: { ...e.data, pinHash: hashPin(e.data.role === 'supervisor' ? PINS.supervisor : PINS.bartender) } } : e,
  );
}

/** Head office's word on a terminal, as the cloud's console appends it to the venue's configuration log. */
async function setStanding(terminalId: string, status: TerminalStanding['status'], reason: string | null): Promise<void> {
  const change: ConfigChange = { seq: ++seq, entity: { kind: 'terminal', data: { id: terminalId, venueId: 'venue-1', status, reason } } };
  cloud.configLog.push(change);
  await hub.pullConfigNow();
}

class ScriptedReader extends EventEmitter implements TapSource {
  state(): ReaderView {
    return { status: 'ready', readers: ['Test reader'], message: 'Ready', cardPresent: false };
  }
  tap(uid: string): Omit<BandTap, 'manual'> {
    const t = { id: newId(), uid, reader: 'Test reader', at: new Date().toISOString() };
    this.emit('tap', t);
    return t;
  }
}

/** The kiosk's next state that satisfies `pred` (at once if the current one does). */
function stateWhere(kiosk: KioskService, pred: (s: KioskState) => boolean): Promise<KioskState> {
  const now = kiosk.state();
  if (pred(now)) return Promise.resolve(now);
  return new Promise((resolve) => {
    const on = (s: KioskState) => {
      if (!pred(s)) return;
      kiosk.off('state', on);
      resolve(s);
    };
    kiosk.on('state', on);
  });
}

function refusedAtKiosk(code: string) {
  return (err: unknown) => {
    assert.ok(err instanceof KioskError, String(err));
    assert.equal(err.code, code);
    return true;
  };
}

function refusedAtRuntime(err: unknown): boolean {
  assert.ok(err instanceof TerminalError, String(err));
  assert.equal(err.code, 'revoked');
  assert.match(err.message, /revoked by head office/);
  return true;
}

const beer = (t: Terminal) => t.sell({ stationId: STATION.id, staffId: null, bandUid: BANDS.card.uid, lines: [{ productId: 'beer', quantity: 1 }] });
const received = (terminalId: string) => hub.status().terminals.find((x) => x.id === terminalId)?.ordersReceived;

function outboxRows(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

before(async () => {
  cloud = await new FakeCloud().start();
  for (const entity of entities()) cloud.configLog.push({ seq: ++seq, entity });
  // Pulls are driven with pullConfigNow(), so each step is awaited rather than slept on.
  hub = await startTestHub({ dataDir: tmp.file('hub'), cloudUrl: cloud.url, venueKey: 'k', pullIntervalMs: 60_000 });
  await hub.pullConfigNow();
});
after(async () => {
  await hub?.close();
  await cloud?.close();
  tmp.cleanup();
});

describe('a terminal revoked by head office (against the real hub)', () => {
  test('dropped while trading: the kiosk says so with its terminal id, logs the bartender out and sells nothing; restored, it trades again', async () => {
    const terminal = openTerminal({ dbPath: tmp.file('live.db'), logger: silent, sender: FAST });
    const reader = new ScriptedReader();
    const kiosk = new KioskService(terminal, reader, null, silent);
    try {
      await kiosk.call('pair', { hubUrl: hub.url, code: hub.pairingCode().code, name: 'Bar 1' });
      await terminal.whenConfigured();
      await kiosk.call('chooseStation', { stationId: STATION.id });
      await kiosk.call('login', { pin: PINS.bartender });
      const first = (await kiosk.call('sell', { tapId: reader.tap(BANDS.card.uid).id, lines: [{ productId: 'beer', quantity: 1 }] })) as SaleOutcome;
      assert.equal(first.approved, true);
      await terminal.whenDrained();
      const terminalId = terminal.status().terminalId!;
      assert.equal(kiosk.state().revoked, null);

      // The hub tells the terminal why, then drops it: wait for both.
      const revoked = stateWhere(kiosk, (s) => s.revoked !== null && !s.hub.connected);
      await setStanding(terminalId, 'revoked', 'Stolen from the north bar');
      const st = await revoked;
      assert.equal(st.revoked?.terminalId, terminalId, 'the id the supervisor looks for in the console');
      assert.equal(st.revoked?.message, REVOKED_SENTENCE);
      assert.ok(!Number.isNaN(Date.parse(st.revoked?.since ?? '')));
      assert.equal(st.staff, null, 'the bartender is logged out');

      // Nothing is made here any more, whichever way it is asked.
      const tap = reader.tap(BANDS.card.uid);
      await assert.rejects(kiosk.call('login', { pin: PINS.bartender }), refusedAtKiosk('revoked'));
      await assert.rejects(kiosk.call('sell', { tapId: tap.id, lines: [{ productId: 'beer', quantity: 1 }] }), refusedAtKiosk('revoked'));
      assert.throws(() => beer(terminal), refusedAtRuntime);
      assert.throws(() => terminal.voidOrder({ orderId: (first as { orderId: string }).orderId, reason: 'x', supervisorId: 'sup-1', staffId: null }), refusedAtRuntime);
      assert.equal(terminal.status().pending, 0);
      assert.equal(received(terminalId), 1);

      // Head office restores it: the kiosk's next handshake is accepted, and it may trade again.
      const back = stateWhere(kiosk, (s) => s.revoked === null && s.hub.connected);
      await setStanding(terminalId, 'active', null);
      await back;
      await kiosk.call('login', { pin: PINS.bartender });
      const again = (await kiosk.call('sell', { tapId: reader.tap(BANDS.card.uid).id, lines: [{ productId: 'beer', quantity: 1 }] })) as SaleOutcome;
      assert.equal(again.approved, true);
      await terminal.whenDrained();
      assert.equal(received(terminalId), 2);
    } finally {
      await terminal.close();
    }
  });

  test('refused at the handshake with a sale in its outbox: the sale stays through a restart while revoked, and arrives once restored', async () => {
    const file = tmp.file('outbox.db');
    let t = openTerminal({ dbPath: file, logger: silent, sender: FAST });
    await t.pair(hub.url, hub.pairingCode().code, 'Bar 2');
    const terminalId = t.status().terminalId!;
    t.start();
    await t.whenConfigured();
    await t.close();

    // The kiosk comes back before it reaches the hub: an offline sale waits in its outbox.
    t = openTerminal({ dbPath: file, logger: silent, sender: FAST });
    t.setStation(STATION.id);
    const sale = beer(t);
    assert.equal(sale.approved, true);
    assert.equal(t.status().pending, 1);

    // Meanwhile head office has revoked it: its first handshake is refused.
    await setStanding(terminalId, 'revoked', 'Stolen from the north bar');
    t.start();
    await statusWhere(t, (s) => s.revoked !== null);
    assert.equal(t.status().revoked?.message, REVOKED_SENTENCE);
    assert.equal(t.status().pending, 1, 'the sale made before stays in the outbox');
    assert.equal(received(terminalId), 0, 'and the hub took nothing from it');
    assert.throws(() => beer(t), refusedAtRuntime);
    assert.throws(
      () => t.registration.signUp({ firstName: 'Zoë', lastName: null, email: null, phone: null, smsConsent: false, staffId: 'desk', stationId: STATION.id }),
      refusedAtRuntime,
    );

    // Restarted while revoked: it knows at once, before any hub answers, and still keeps the sale.
    await t.close();
    assert.equal(outboxRows(file), 1);
    t = openTerminal({ dbPath: file, logger: silent, sender: FAST });
    try {
      assert.equal(t.status().revoked?.message, REVOKED_SENTENCE);
      assert.throws(() => beer(t), refusedAtRuntime);

      await setStanding(terminalId, 'active', null);
      t.start();
      await statusWhere(t, (s) => s.revoked === null && s.hubConnected);
      await t.whenDrained();
      assert.equal(received(terminalId), 1, 'the sale kept through the revocation arrives, once');
      assert.equal(t.recentOrders(5).find((o) => o.id === (sale as { order: { id: string } }).order.id)?.status, 'acked');
      assert.equal(beer(t).approved, true, 'and it sells again');
    } finally {
      await t.close();
    }
  });
});
