/**
 * Fuzzing the browser kiosk's loopback API (`POST /api/call/:method`, `GET /api/events`) over a real KioskService, a
 * real terminal file and a real hub: bad tokens, content types and bodies, unknown and hostile
 * call names, hostile and mutated arguments for every call. Every answer is a result or a clear 4xx
 * `{ error: { code, message } }`, a refused call makes no order, traversal never leaks a file, and a tap still sells.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { hashPin, newId, type ConfigEntity } from '@tapline/shared';
import { CallArgs, type BandTap, type KioskState, type ReaderView, type SaleOutcome } from '../../desktop/src/kiosk/api.ts';
import { KioskService, type TapSource } from '../../desktop/src/kiosk/kiosk-service.ts';
import { kioskToken } from '../../desktop/src/kiosk-web/kiosk-token.ts';
import { startKioskWebServer, type KioskWebServer } from '../../desktop/src/kiosk-web/server.ts';
import { openTerminal, type Terminal } from '../../desktop/src/runtime/index.ts';
import { startHub, type RunningHub } from '../../hub/src/hub.ts';
import { eventOnNow, serveConfigOnly, type ConfigOnlyCloud } from '../harness/config-only-cloud.ts';
import { announceSeed, fuzz } from './fuzz-run.ts';
import { silent } from './hub-fixture.ts';
import { hostileBodyText, hostileContentType, hostileJson, hostileQuery, hostileSegment, latin1Header, mutationsOf } from './hostile.ts';
import { assertAnsweredWell, assertClearRefusal, describeRequest, send, type RawRequest } from './wire.ts';

const PINS = { bartender: '1234', supervisor: '9999' };
const BAND = '04000000000002';
/** Bands only the desk calls touch, so a pairing or a block made by a valid desk call never declines the good sales. */
const DESK_BAND = '04000000000077';
const LOST_BAND = '04000000000099';
/** A pre-registered attendee at the hub, as the cloud sends them down: what the desk's search finds. */
const ATTENDEE = 'attendee-fuzz';

/** A reader the test taps by hand: the pcscd path has its own tests; here the taps only need to exist. */
class ScriptedReader extends EventEmitter implements TapSource {
  state(): ReaderView {
    return { status: 'ready', readers: ['Fuzz reader'], message: 'Ready', cardPresent: false };
  }
  tap(uid = BAND): BandTap {
    const t = { id: newId(), uid, reader: 'Fuzz reader', at: new Date().toISOString(), manual: false };
    this.emit('tap', t);
    return t;
  }
}

/** The venue's configuration as the cloud would send it: one event, one bar, two drinks, two staff, one band. */
function venueConfig(): ConfigEntity[] {
  return [
    eventOnNow('demo-event', 'Fuzz festival'),
    { kind: 'product', data: { id: 'beer-pils', eventId: 'demo-event', name: 'Pils 0.5 l', category: 'Beer', price: 550, active: true } },
    { kind: 'product', data: { id: 'soft-water', eventId: 'demo-event', name: 'Water', category: 'Soft drinks', price: 300, active: true } },
    { kind: 'station', data: { id: 'bar-main', eventId: 'demo-event', name: 'Main bar', mode: 'bar', productIds: ['beer-pils', 'soft-water'] } },
    { kind: 'station', data: { id: 'desk-main', eventId: 'demo-event', name: 'Registration desk', mode: 'registration', productIds: [] } },
    { kind: 'staff', data: { id: 'staff-bartender', eventId: 'demo-event', name: 'Sam', role: 'bartender', pinHash: hashPin(PINS.bartender) } },
    { kind: 'staff', data: { id: 'staff-supervisor', eventId: 'demo-event', name: 'Alex', role: 'supervisor', pinHash: hashPin(PINS.supervisor) } },
    { kind: 'band', data: { uid: BAND, eventId: 'demo-event', attendeeId: 'attendee-2', firstName: 'Fuzz', status: 'active', hasCard: true, tabLimit: null } },
    {
      kind: 'attendee',
      data: {
        id: ATTENDEE,
        eventId: 'demo-event',
        firstName: 'Fuzz',
        lastName: 'Desk',
        email: 'fuzz.desk@example.com',
        phone: '+31612345678',
        smsConsent: true,
        cardStatus: 'none',
        cardLast4: null,
        confirmationCode: 'FUZZ2345',
        cardUrl: 'http://127.0.0.1:1/card/fuzz-token',
      },
    },
  ];
}

let configServer: ConfigOnlyCloud;
let hub: RunningHub;
let terminal: Terminal;
let reader: ScriptedReader;
let service: KioskService;
let web: KioskWebServer;
let token = '';
let dir = '';
let base = '';
let orderCount: () => number;
let closeReader: () => void;
/** The last good sale, for the void mutants to aim at. */
let lastSaleId = '';

before(async () => {
  announceSeed('kiosk-web');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tapline-fuzz-kiosk-'));
  // Not the real cloud: its own routes are fuzzed in cloud-http.test.ts.
  configServer = await serveConfigOnly('demo-venue', venueConfig());
  hub = await startHub({ port: 0, host: '127.0.0.1', dataDir: path.join(dir, 'hub'), cloudUrl: configServer.url, venueKey: 'fuzz-venue-key', logger: silent });
  await hub.pullConfigNow();
  const dataDir = path.join(dir, 'kiosk');
  fs.mkdirSync(path.join(dataDir, 'renderer'), { recursive: true });
  fs.writeFileSync(path.join(dataDir, 'renderer', 'index.html'), '<!doctype html><title>kiosk</title>');
  terminal = openTerminal({ dbPath: path.join(dataDir, 'terminal.db'), logger: silent, sender: { ackTimeoutMs: 2000, retryMinMs: 20, retryMaxMs: 200, reconnectDelayMs: 50, reconnectDelayMaxMs: 200 } });
  reader = new ScriptedReader();
  service = new KioskService(terminal, reader, null, silent);
  token = kioskToken(dataDir);
  web = await startKioskWebServer({ service, rendererDir: path.join(dataDir, 'renderer'), token, log: silent });
  base = `http://127.0.0.1:${web.port}`;
  const db = new Database(path.join(dataDir, 'terminal.db'), { readonly: true, fileMustExist: true });
  const count = db.prepare('SELECT COUNT(*) AS n FROM orders');
  orderCount = () => (count.get() as { n: number }).n;
  closeReader = () => db.close();

  const paired = await call('pair', { hubUrl: hub.url, code: hub.pairingCode().code, name: 'Fuzz kiosk' });
  assert.equal(paired.status, 200, paired.text);
  await terminal.whenConfigured();
  await readyToSell();
});
after(async () => {
  await web?.close();
  closeReader?.();
  await terminal?.close();
  await hub?.close();
  await configServer?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function callRequest(method: string, args: unknown, o: { token?: string | undefined; contentType?: string | undefined } = {}): RawRequest {
  return {
    method: 'POST',
    path: `/api/call/${method}`,
    headers: { 'content-type': 'contentType' in o ? o.contentType : 'application/json', 'x-kiosk-token': 'token' in o ? o.token : token },
    body: JSON.stringify(args) ?? '',
  };
}

function call(method: string, args: unknown) {
  return send(base, callRequest(method, args));
}

/** Station chosen and the bartender logged in, however the last batch left the kiosk (a valid `logout`, say). */
async function readyToSell(): Promise<void> {
  await terminal.whenConfigured();
  let state = service.state();
  if (state.setup === 'no_station') state = (await call('chooseStation', { stationId: 'bar-main' })).json as KioskState;
  if (!state.staff) {
    const res = await call('login', { pin: PINS.bartender });
    assert.equal(res.status, 200, `logging in again: ${res.text}`);
  }
}

/**
 * The kiosk moved to the registration desk with a supervisor logged in, and the hub's attendee found by a search
 * (the desk opens, pairs and blocks only attendees it has shown).
 */
async function readyAtDesk(): Promise<void> {
  await terminal.whenConfigured();
  const state = service.state();
  if (state.station?.id !== 'desk-main') {
    const res = await call('chooseStation', { stationId: 'desk-main', supervisorPin: PINS.supervisor });
    assert.equal(res.status, 200, `choosing the desk: ${res.text}`);
  }
  if (service.state().staff?.role !== 'supervisor') {
    const res = await call('login', { pin: PINS.supervisor });
    assert.equal(res.status, 200, `logging in at the desk: ${res.text}`);
  }
  await goodDeskSearch();
}

/** The desk's search still finds the hub's attendee. */
async function goodDeskSearch(): Promise<void> {
  const res = await call('deskSearch', { query: 'fuzz desk' });
  assert.equal(res.status, 200, `a desk search after hostile input: ${res.text}`);
  assert.ok((res.json as Array<{ id: string }>).some((a) => a.id === ATTENDEE), `the desk found ${res.text}`);
}

/** Back at the bar with the bartender, as the other tests expect. */
async function backToBar(): Promise<void> {
  if (service.state().station?.id !== 'bar-main') {
    const res = await call('chooseStation', { stationId: 'bar-main', supervisorPin: PINS.supervisor });
    assert.equal(res.status, 200, `back to the bar: ${res.text}`);
  }
  await readyToSell();
}

/** A tap and a sale through the page's API: approved, exactly one new order in the terminal file. */
async function goodSale(): Promise<void> {
  await readyToSell();
  const before = orderCount();
  const tap = reader.tap();
  const res = await call('sell', { tapId: tap.id, lines: [{ productId: 'beer-pils', quantity: 1 }] });
  assert.equal(res.status, 200, `a good sale after hostile input: ${res.text}`);
  assert.equal((res.json as SaleOutcome).approved, true, res.text);
  assert.equal(orderCount(), before + 1);
  lastSaleId = (res.json as { orderId: string }).orderId;
}

/** The lighter check for after PIN fuzzing, which may have locked the PIN pad for 30 s: the kiosk answers and reads a tap. */
async function goodLookup(): Promise<void> {
  const tap = reader.tap();
  const res = await call('lookup', { tapId: tap.id });
  assert.equal(res.status, 200, `a lookup after hostile input: ${res.text}`);
  assert.equal((res.json as { bandUid: string }).bandUid, BAND);
}

/** A valid call of every desk call (`desk*` in desktop/src/kiosk/api.ts); taps for pairing are made fresh. */
const DESK_CALLS = {
  deskSearch: () => ({ query: 'fuzz', limit: 10 }),
  deskAttendee: () => ({ attendeeId: ATTENDEE }),
  deskSignUp: () => ({ firstName: 'Walk', lastName: 'Up', email: 'walk.up@example.com', phone: '+31 6 1234 5679', smsConsent: true }),
  deskPair: () => ({ tapId: reader.tap(DESK_BAND).id, attendeeId: ATTENDEE, replacesBandUid: null }),
  deskBand: () => ({ tapId: reader.tap(DESK_BAND).id }),
  deskBlock: () => ({ bandUid: LOST_BAND, reason: 'lost' }),
} satisfies Record<string, () => unknown>;
const DESK_WRITES: ReadonlySet<string> = new Set(['deskSignUp', 'deskPair', 'deskBlock']);

/**
 * One call's answer: a result, or a clear refusal that made no order. `maxNewOrders` is how many orders the call may
 * make if it succeeds (a sale or a void: 1).
 */
function checkCall(res: Awaited<ReturnType<typeof send>>, before: number, what: string, maxNewOrders = 0): void {
  const refused = assertAnsweredWell(res, 'nested', what);
  const made = orderCount() - before;
  if (refused) assert.equal(made, 0, `a refused call made an order\n${what}`);
  else assert.ok(made <= maxNewOrders, `a call made ${made} orders\n${what}`);
}

/** An http(s) address off this machine becomes the hub's: `pair` dials what it is given, and a LAN address would wait 10 s. */
function loopbackOnly(u: unknown): unknown {
  if (typeof u !== 'string') return u;
  try {
    const parsed = new URL(u);
    return /^https?:$/.test(parsed.protocol) && !['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname) ? hub.url : u;
  } catch {
    return u; // not a URL: the kiosk refuses it without dialling
  }
}

/** Hub addresses for `pair`: anything, dialled on loopback only. */
function hubUrlArb(): fc.Arbitrary<unknown> {
  return fc
    .oneof(
      hostileJson(undefined, 1),
      fc.constantFrom('http://127.0.0.1:1', 'ftp://127.0.0.1/', 'javascript:alert(1)', 'file:///etc/passwd', 'http://', 'http://[::1', '127.0.0.1:4300'),
      fc.constant(null).map(() => hub.url),
      fc.constant(null).map(() => `${hub.url}/../..`),
    )
    .map(loopbackOnly);
}

test('transport: tokens, content types, bodies and call names get a result or a clear 4xx, never an HTML page', async () => {
  const req = fc
    .record({
      method: fc.oneof(
        fc.constantFrom('state', 'menu', 'sell', 'pair', 'login', 'STATE', 'state ', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '').map(encodeURIComponent),
        hostileSegment(),
      ),
      token: fc.oneof(fc.constant<string | undefined>(undefined), fc.constant(''), latin1Header(64), fc.constant(null).map(() => token), fc.constant(null).map(() => `${token}x`), fc.constant(null).map(() => token.slice(1))),
      contentType: hostileContentType(),
      body: hostileBodyText('{"tapId":"x","lines":[]}'),
    })
    .map(({ method, token: t, contentType, body }) => ({ ...callRequest('state', null, { token: t, contentType }), path: `/api/call/${method}`, body }));
  let since = 0;
  await fuzz(
    fc.asyncProperty(req, async (r) => {
      const before = orderCount();
      const res = await send(base, r);
      const what = describeRequest(r);
      checkCall(res, before, what);
      if (res.status < 300) assert.equal(r.headers?.['x-kiosk-token'], token, `a call ran without the page's token\n${what}`);
      if (++since % 10 === 0) await goodSale();
    }),
    { weight: 3 },
  );
  await goodSale();
});

test('calls without PINs: hostile and mutated arguments for every call get a result or a clear refusal', async () => {
  // Taps made for the mutants of `sell` and `lookup`, so a mutation can land next to a real tap id.
  const valid: Record<string, () => unknown> = {
    state: () => ({}),
    hubs: () => ({}),
    stations: () => ({}),
    menu: () => ({}),
    recent: () => ({ limit: 10 }),
    logout: () => ({}),
    lookup: () => ({ tapId: reader.tap().id }),
    sell: () => ({ tapId: reader.tap().id, lines: [{ productId: 'beer-pils', quantity: 2 }, { productId: 'soft-water', quantity: 1 }] }),
    pair: () => ({ hubUrl: hub.url, code: '000000', name: 'Fuzz kiosk' }),
    // At a bar every desk call is refused (not_at_desk) and writes nothing; at the desk they have their own test.
    ...DESK_CALLS,
  };
  const input = fc.oneof(
    fc.constantFrom(...Object.keys(valid)).chain((method) =>
      fc.oneof(
        { arbitrary: hostileJson().map((args) => ({ method, args, how: 'hostile' })), weight: 2 },
        { arbitrary: fc.constant(null).chain(() => mutationsOf(valid[method]!())).map((m) => ({ method, args: m.value, how: m.mutation })), weight: 3 },
      ),
    ),
    fc
      .record({ hubUrl: hubUrlArb(), code: fc.oneof(fc.constant('000000'), hostileJson(undefined, 1)), name: fc.oneof(fc.constant('Bar'), hostileJson(undefined, 1)) })
      .map((args) => ({ method: 'pair', args: args as unknown, how: 'pair' })),
  );
  let since = 0;
  await fuzz(
    fc.asyncProperty(input, async ({ method, args, how }) => {
      // A mutant's hubUrl is kept on loopback like the generated ones.
      if (method === 'pair' && args && typeof args === 'object' && 'hubUrl' in args) {
        (args as { hubUrl: unknown }).hubUrl = loopbackOnly((args as { hubUrl: unknown }).hubUrl);
      }
      const before = orderCount();
      const req = callRequest(method, args);
      const res = await send(base, req);
      checkCall(res, before, `${method} (${how})\n${describeRequest(req)}`, method === 'sell' ? 1 : 0);
      if (++since % 10 === 0) await goodSale();
    }),
    { weight: 4 },
  );
  await goodSale();
});

test('the event stream refuses a bad token with a clear 401 and serves the right one', async () => {
  await fuzz(
    fc.asyncProperty(fc.oneof(hostileQuery(['token']), fc.constant(null).map(() => `token=${token}&token=${token}`), fc.constant(null).map(() => `token[]=${token}`)), async (q) => {
      const req = { method: 'GET', path: `/api/events?${q}` };
      const res = await send(base, req);
      assertClearRefusal(res, 'nested', describeRequest(req));
    }),
  );
  // The right token opens a stream whose first event is the state.
  const first = await new Promise<string>((resolve, reject) => {
    const ctl = new AbortController();
    fetch(`${base}/api/events?token=${token}`, { signal: ctl.signal })
      .then(async (res) => {
        assert.equal(res.status, 200);
        const rd = res.body!.getReader();
        let text = '';
        while (!text.includes('event: state')) text += new TextDecoder().decode((await rd.read()).value);
        ctl.abort();
        resolve(text);
      })
      .catch(reject);
  });
  assert.match(first, /event: state\ndata: \{/);
});

test('paths: traversal and odd escapes never serve a file from outside the page folder', async () => {
  // Found by a random seed: an escaped slash then ".." resolved to the page folder and got a redirect, not a refusal.
  for (const path of ['/api/%2F/..', '/api/%2f/../', '/api/call/%2F/..']) {
    const req = { method: 'GET', path };
    assertAnsweredWell(await send(base, req), 'nested', describeRequest(req));
  }
  await fuzz(
    fc.asyncProperty(fc.array(hostileSegment(), { minLength: 1, maxLength: 5 }), fc.constantFrom('', '/api', '/api/call', '/renderer'), async (segments, prefix) => {
      const req = { method: 'GET', path: `${prefix}/${segments.join('/')}` };
      const res = await send(base, req);
      const what = describeRequest(req);
      assert.ok(res.status < 500, `answered ${res.status}\n${what}`);
      assert.ok(!res.text.includes(token), `the kiosk token leaked\n${what}`);
      assert.ok(!res.text.startsWith('SQLite format 3'), `the terminal database leaked\n${what}`);
      // What the address means once `.` and `..` are resolved: only the API answers in JSON; the page folder may redirect.
      if (new URL(`${base}${req.path}`).pathname.startsWith('/api/')) assertAnsweredWell(res, 'nested', what);
    }),
    { weight: 2 },
  );
  await goodSale();
});

test('desk calls at the registration desk: hostile and mutated arguments get a result or a clear refusal', async () => {
  // A desk call added to the API without a valid example here would go unfuzzed.
  assert.deepEqual(Object.keys(DESK_CALLS).sort(), Object.keys(CallArgs).filter((m) => m.startsWith('desk')).sort());
  await readyAtDesk();
  let since = 0;
  await fuzz(
    fc.asyncProperty(
      fc.constantFrom(...(Object.keys(DESK_CALLS) as Array<keyof typeof DESK_CALLS>)).chain((method) =>
        fc.oneof(
          { arbitrary: hostileJson().map((args) => ({ method, args, how: 'hostile' })), weight: 2 },
          { arbitrary: fc.constant(null).chain(() => mutationsOf(DESK_CALLS[method]())).map((m) => ({ method, args: m.value, how: m.mutation })), weight: 3 },
        ),
      ),
      async ({ method, args, how }) => {
        const before = orderCount();
        const req = callRequest(method, args);
        const res = await send(base, req);
        // A sign-up, pairing or block is one registration fact in the terminal's file; searches and lookups write none.
        checkCall(res, before, `${method} (${how})\n${describeRequest(req)}`, DESK_WRITES.has(method) ? 1 : 0);
        if (++since % 10 === 0) await goodDeskSearch();
      },
    ),
    { weight: 4 },
  );
  await goodDeskSearch();
  await backToBar();
  await goodSale();
});

test('calls with PINs: hostile PINs and arguments are refused clearly, lockout included, and make no order', async () => {
  // Last in the file: wrong PINs lock the pad for 30 s, after which only PIN-free traffic is checked.
  const valid: Record<string, () => unknown> = {
    login: () => ({ pin: PINS.bartender }),
    chooseStation: () => ({ stationId: 'bar-main', supervisorPin: PINS.supervisor }),
    manualTap: () => ({ supervisorPin: PINS.supervisor, bandNumber: BAND }),
    voidOrder: () => ({ orderId: lastSaleId, supervisorPin: PINS.supervisor, reason: 'spilled' }),
  };
  const input = fc.constantFrom(...Object.keys(valid)).chain((method) =>
    fc.oneof(
      hostileJson().map((args) => ({ method, args, how: 'hostile' })),
      fc.constant(null).chain(() => mutationsOf(valid[method]!())).map((m) => ({ method, args: m.value, how: m.mutation })),
    ),
  );
  let since = 0;
  await fuzz(
    fc.asyncProperty(input, async ({ method, args, how }) => {
      const before = orderCount();
      const req = callRequest(method, args);
      const res = await send(base, req);
      // A void that still names a real sale and the right PIN is a valid call: it makes its one void order.
      checkCall(res, before, `${method} (${how})\n${describeRequest(req)}`, method === 'voidOrder' ? 1 : 0);
      if (++since % 10 === 0) await goodLookup();
    }),
    { weight: 2 },
  );
  await goodLookup();
});
