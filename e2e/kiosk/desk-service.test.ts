/**
 * The registration desk's calls on the kiosk process (KioskService) over a real terminal file and a real hub in this
 * process, without a browser or a reader: who may log in where, the sign-up form's field errors from the shared
 * schemas, masked search rows, the card QR code, and pairing and blocking by tap with their refusals and replays.
 * The screens on top of these calls are driven in Chromium by desk.test.ts.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { hashPin, newId, type ConfigEntity } from '@tapline/shared';
import type { BandTap, CallResults, KioskErrorBody, ReaderView } from '../../desktop/src/kiosk/api.ts';
import { maskEmail, maskPhone } from '../../desktop/src/kiosk/desk-views.ts';
import { normalisePhone } from '../../desktop/src/kiosk/desk-calls.ts';
import { KioskService, type TapSource } from '../../desktop/src/kiosk/kiosk-service.ts';
import { openTerminal, type Terminal } from '../../desktop/src/runtime/index.ts';
import { startHub, type RunningHub } from '../../hub/src/hub.ts';
import { eventOnNow, serveConfigOnly, type ConfigOnlyCloud } from '../harness/config-only-cloud.ts';

const silent = pino({ level: process.env.TAPLINE_LOG_LEVEL ?? 'silent' });
const PINS = { bartender: '1234', supervisor: '9999', desk: '5678' };
const EVENT = 'desk-event';
const BAND = { mine: '04000000000001', blocked: '04000000000002', free: '04000000000A01', other: '04000000000A02', replacement: '04000000000A03' };

class ScriptedReader extends EventEmitter implements TapSource {
  state(): ReaderView {
    return { status: 'ready', readers: ['Test reader'], message: 'Ready', cardPresent: false };
  }
  tap(uid: string): BandTap {
    const t = { id: newId(), uid, reader: 'Test reader', at: new Date().toISOString(), manual: false };
    this.emit('tap', t);
    return t;
  }
}

function attendee(id: string, firstName: string, lastName: string | null, o: { phone?: string; email?: string; card?: 'ready' | 'none'; code?: string } = {}): ConfigEntity {
  return {
    kind: 'attendee',
    data: {
      id,
      eventId: EVENT,
      firstName,
      lastName,
      email: o.email ?? null,
      phone: o.phone ?? null,
      smsConsent: true,
      cardStatus: o.card ?? 'none',
      cardLast4: o.card === 'ready' ? '4242' : null,
      confirmationCode: o.code ?? null,
      cardUrl: o.card === 'ready' ? null : `https://cloud.example/card/${id}-token`,
    },
  };
}

function venueConfig(): ConfigEntity[] {
  const staff = (id: string, name: string, role: 'bartender' | 'supervisor' | 'registration', pin: string): ConfigEntity => ({
    kind: 'staff',
    data: { id, eventId: EVENT, name, role, pinHash: hashPin(pin) },
  });
  const band = (uid: string, attendeeId: string, status: 'active' | 'blocked'): ConfigEntity => ({
    kind: 'band',
    data: { uid, eventId: EVENT, attendeeId, firstName: 'Emma', status, hasCard: true, tabLimit: null },
  });
  return [
    eventOnNow(EVENT, 'Desk festival'),
    { kind: 'product', data: { id: 'water', eventId: EVENT, name: 'Water', category: 'Soft drinks', price: 300, active: true } },
    { kind: 'station', data: { id: 'bar-main', eventId: EVENT, name: 'Main bar', mode: 'bar', productIds: ['water'] } },
    { kind: 'station', data: { id: 'desk-1', eventId: EVENT, name: 'Registration desk', mode: 'registration', productIds: [] } },
    staff('staff-bartender', 'Sam', 'bartender', PINS.bartender),
    staff('staff-supervisor', 'Alex', 'supervisor', PINS.supervisor),
    staff('staff-desk', 'Robin', 'registration', PINS.desk),
    attendee('attendee-emma', 'Emma', 'de Jong', { phone: '+31612345678', email: 'emma.dejong@example.com', card: 'ready', code: 'EMMA2026' }),
    attendee('attendee-noor', 'Noor', 'Visser', { phone: '+31687654321', email: 'noor@example.com', code: 'NOOR2026' }),
    attendee('attendee-blocked', 'Bram', null, { code: 'BRAM2026' }),
    band(BAND.mine, 'attendee-emma', 'active'),
    band(BAND.blocked, 'attendee-blocked', 'blocked'),
  ];
}

describe('the registration desk calls', () => {
  let dir = '';
  let cloud: ConfigOnlyCloud;
  let hub: RunningHub;
  let terminal: Terminal;
  let reader: ScriptedReader;
  let service: KioskService;

  const call = <M extends keyof CallResults>(method: M, args: unknown) => service.call(method, args) as Promise<CallResults[M]>;
  const refusal = async (p: Promise<unknown>): Promise<KioskErrorBody> => {
    try {
      await p;
    } catch (err) {
      const e = err as KioskErrorBody;
      return { code: e.code, message: e.message };
    }
    assert.fail('the call was not refused');
  };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tapline-desk-'));
    cloud = await serveConfigOnly('desk-venue', venueConfig());
    hub = await startHub({ port: 0, host: '127.0.0.1', dataDir: path.join(dir, 'hub'), cloudUrl: cloud.url, venueKey: 'desk-venue-key', logger: silent });
    await hub.pullConfigNow();
    terminal = openTerminal({ dbPath: path.join(dir, 'terminal.db'), logger: silent, sender: { ackTimeoutMs: 2000, retryMinMs: 20, retryMaxMs: 200, reconnectDelayMs: 50, reconnectDelayMaxMs: 200 } });
    reader = new ScriptedReader();
    service = new KioskService(terminal, reader, null, silent);
    await call('pair', { hubUrl: hub.url, code: hub.pairingCode().code, name: 'Desk 1' });
    await terminal.whenConfigured();
  });

  after(async () => {
    await terminal?.close();
    await hub?.close();
    await cloud?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('contact details are masked for lists, phone numbers normalised as people write them', () => {
    assert.equal(maskPhone('+31612345678'), '+31 ••• ••• 5678');
    assert.equal(maskPhone('+12125551234'), '+12 ••• ••• 1234');
    assert.equal(maskPhone('+4915123456789'), '+49 ••• ••• 6789');
    assert.equal(maskPhone(null), null);
    assert.equal(maskEmail('emma.dejong@example.com'), 'em•••@example.com');
    assert.equal(maskEmail('e@x.org'), 'e•••@x.org');
    assert.equal(normalisePhone(' +31 (6) 12-34.56/78 '), '+31612345678');
    assert.equal(normalisePhone('0031612345678'), '+31612345678');
    assert.equal(normalisePhone('   '), null);
  });

  test('at a registration desk a bartender is refused, registration staff and supervisors log in', async () => {
    await call('chooseStation', { stationId: 'desk-1' });
    assert.equal(service.state().station?.mode, 'registration');
    const no = await refusal(call('login', { pin: PINS.bartender }));
    assert.equal(no.code, 'wrong_station_role');
    assert.match(no.message, /Sam is a bartender/);
    assert.equal((await call('login', { pin: PINS.supervisor })).staff?.role, 'supervisor');
    await call('logout', {});
    assert.equal((await call('login', { pin: PINS.desk })).staff?.name, 'Robin');
    assert.equal((await refusal(call('menu', {}))).code, 'not_at_bar', 'a desk does not sell');
  });

  test('sign-up answers field by field with the shared schemas, and makes one attendee when all is well', async () => {
    const pendingBefore = terminal.status().pending;
    const bad = await call('deskSignUp', { firstName: '  ', lastName: '', phone: '0612', email: 'jonas@', smsConsent: false });
    assert.equal(bad.ok, false);
    if (bad.ok) return;
    assert.equal(bad.fields.firstName, 'A first name is needed.');
    assert.match(bad.fields.phone ?? '', /^A phone number in international format/);
    assert.match(bad.fields.email ?? '', /e-mail address/);
    assert.equal(bad.fields.lastName, undefined);
    assert.equal(terminal.status().pending, pendingBefore, 'a refused form records nothing');

    const ok = await call('deskSignUp', { firstName: 'Jonas', lastName: ' Meyer ', phone: '+49 151 2345 6789', email: '', smsConsent: true });
    assert.equal(ok.ok, true);
    if (!ok.ok) return;
    assert.equal(ok.attendee.lastName, 'Meyer');
    assert.equal(ok.attendee.phone, '+4915123456789');
    assert.equal(ok.attendee.email, null);
    assert.equal(ok.attendee.cardStatus, 'none');
    assert.deepEqual(ok.attendee.bands, []);
    assert.equal(terminal.status().pending, pendingBefore + 1, 'one sign-up fact in the outbox');
  });

  test('search rows are masked; the attendee view carries a QR code of the card page when there is no card', async () => {
    const rows = await call('deskSearch', { query: 'noor' });
    const noor = rows.find((r) => r.id === 'attendee-noor');
    assert.ok(noor, 'found by first name at the hub');
    assert.equal(noor.phoneMasked, '+31 ••• ••• 4321');
    assert.equal(noor.emailMasked, 'no•••@example.com');
    assert.equal(noor.cardQrSvg, null, 'no QR codes in a list');
    const full = await call('deskAttendee', { attendeeId: 'attendee-noor' });
    assert.match(full.cardQrSvg ?? '', /^<svg[\s\S]*<\/svg>\s*$/);

    const [emma] = await call('deskSearch', { query: 'EMMA2026' });
    assert.equal(emma?.id, 'attendee-emma', 'an exact confirmation code');
    assert.deepEqual(emma?.bands, [{ uid: BAND.mine, status: 'active' }]);
    assert.equal((await call('deskAttendee', { attendeeId: 'attendee-emma' })).cardQrSvg, null, 'a ready card needs no QR code');
  });

  test('a tapped band pairs once; a repeated call replays; blocked, taken and second bands are refused', async () => {
    const pending = () => terminal.status().pending;
    const blocked = await call('deskPair', { tapId: reader.tap(BAND.blocked).id, attendeeId: 'attendee-noor', replacesBandUid: null });
    assert.deepEqual([blocked.paired, !blocked.paired && blocked.reason], [false, 'band_blocked']);
    const taken = await call('deskPair', { tapId: reader.tap(BAND.mine).id, attendeeId: 'attendee-noor', replacesBandUid: null });
    assert.deepEqual([taken.paired, !taken.paired && taken.reason], [false, 'band_taken']);

    const before = pending();
    const tap = reader.tap(BAND.free);
    const first = await call('deskPair', { tapId: tap.id, attendeeId: 'attendee-noor', replacesBandUid: null });
    assert.equal(first.paired, true);
    assert.equal(pending(), before + 1);
    const again = await call('deskPair', { tapId: tap.id, attendeeId: 'attendee-noor', replacesBandUid: null });
    assert.deepEqual(again, first, 'the same tap replays its answer');
    assert.equal(pending(), before + 1, 'and records nothing more');
    assert.equal(terminal.registration.band(BAND.free).attendeeId, 'attendee-noor');

    const second = await call('deskPair', { tapId: reader.tap(BAND.other).id, attendeeId: 'attendee-noor', replacesBandUid: null });
    assert.deepEqual([second.paired, !second.paired && second.reason], [false, 'attendee_has_band']);
  });

  test('a lost band is blocked and the new band replaces it; a found band is blocked by its number', async () => {
    const blocked = await call('deskBlock', { bandUid: BAND.free, reason: 'lost' });
    assert.equal(blocked.alreadyBlocked, false);
    assert.deepEqual(blocked.attendee?.bands, [{ uid: BAND.free, status: 'blocked' }]);
    assert.equal(terminal.registration.band(BAND.free).status, 'blocked');
    assert.equal((await call('deskBlock', { bandUid: BAND.free, reason: 'lost' })).alreadyBlocked, true, 'blocking twice is harmless');

    const replaced = await call('deskPair', { tapId: reader.tap(BAND.replacement).id, attendeeId: 'attendee-noor', replacesBandUid: BAND.free });
    assert.equal(replaced.paired, true);
    if (!replaced.paired) return;
    assert.equal(replaced.replacedBandUid, BAND.free);
    assert.deepEqual(replaced.attendee.bands, [
      { uid: BAND.free, status: 'blocked' },
      { uid: BAND.replacement, status: 'active' },
    ]);

    const found = await call('deskBand', { tapId: reader.tap(BAND.mine).id });
    assert.deepEqual([found.status, found.attendeeId], ['active', 'attendee-emma']);
    await call('deskBlock', { bandUid: '04 00 00 00 00 00 01', reason: 'Handed in at the bar' });
    assert.equal(terminal.registration.band(BAND.mine).status, 'blocked');
    assert.equal((await refusal(call('deskBlock', { bandUid: 'not a band', reason: 'lost' }))).code, 'invalid_input');
  });

  test('desk calls are refused at a bar', async () => {
    await call('chooseStation', { stationId: 'bar-main', supervisorPin: PINS.supervisor });
    assert.equal((await refusal(call('login', { pin: PINS.desk }))).code, 'wrong_station_role', 'registration staff do not sell');
    await call('login', { pin: PINS.bartender });
    assert.equal((await refusal(call('deskSearch', { query: 'noor' }))).code, 'not_at_desk');
  });
});
