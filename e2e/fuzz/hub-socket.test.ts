/**
 * Fuzzing the hub's Socket.IO side: the handshake auth, `orders:push` envelopes and items (noise, mutations of
 * valid pushes, mixed batches), and raw packets below what the client library sends. Every push gets an ack (an
 * error for a bad envelope, a result per item otherwise), a refusal writes nothing, the valid items of a mixed batch
 * are all stored with their tabs, and a clean terminal keeps trading after each batch.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { io as ioClient, type Socket } from 'socket.io-client';
import {
  ErrorBody,
  OrdersPushAck,
  PROTOCOL_VERSION,
  TerminalAuth,
  type ItemResult,
  type PairResponse,
  type Sale,
} from '@tapline/shared';
import { bandUidArb, isValidFact, validSale } from './facts.ts';
import { announceSeed, fuzz } from './fuzz-run.ts';
import { countDelta, startFuzzHub, type FuzzHub } from './hub-fixture.ts';
import { hostileJson, hostileKey, hostileString, mutationsOf, ownObject, preview, wideArray, wrongVersion } from './hostile.ts';
import { RawSocketIo } from './raw-socket.ts';
import { isSentence, REQUEST_TIMEOUT_MS } from './wire.ts';

let f: FuzzHub;
/** The terminal the hostile traffic comes from, and a clean one that must keep trading beside it. */
let hostileCreds: PairResponse;
let cleanCreds: PairResponse;
let hostile: Socket;
let clean: Socket;
let hostileSeq = 0;
let cleanSeq = 0;
const GOOD_EVERY = 10;
let sinceGood = 0;

/**
 * Bugs this suite found in files other helpers own (hub/src/realtime/**), kept out of the properties so the suite
 * stays green, each reproduced by a `todo` test below. Set one to false once fixed: the properties then cover it.
 */
const KNOWN_GAPS = {
  /** terminal-sockets.ts puts `String(auth.v)` in its message, which throws for `{ toString: [] }`. */
  handshakeStringifiesV: false,
};

/** The `v` of a raw handshake payload, if it is JSON with one. */
function parsedV(raw: string): unknown {
  try {
    return (JSON.parse(raw) as { v?: unknown } | null)?.v;
  } catch {
    return undefined;
  }
}

/** Whether `String(v)` throws, as it does for objects whose toString/valueOf are not functions. */
function stringThrows(v: unknown): boolean {
  try {
    String(v);
    return false;
  } catch {
    return true;
  }
}

function connect(
  creds: { terminalId: string; token: string },
  auth: unknown = { v: PROTOCOL_VERSION, ...creds },
  timeoutMs = REQUEST_TIMEOUT_MS,
): Promise<Socket> {
  const socket = ioClient(f.hub.url, { auth: auth as Record<string, unknown>, transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`no connect and no connect_error within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('connect_error', (err) => {
      clearTimeout(timer);
      socket.close();
      reject(err);
    });
  });
}

/** The hostile terminal's socket, reconnected if a test made the hub drop it. */
async function hostileSocket(): Promise<Socket> {
  if (!hostile.connected) hostile = await connect(hostileCreds);
  return hostile;
}

before(async () => {
  announceSeed('hub-socket');
  f = await startFuzzHub();
  hostileCreds = await f.pair('Hostile bar');
  cleanCreds = await f.pair('Clean bar');
  hostile = await connect(hostileCreds);
  clean = await connect(cleanCreds);
});
after(async () => {
  hostile?.close();
  clean?.close();
  await f?.close();
});

function push(socket: Socket, payload: unknown): Promise<unknown> {
  return socket.timeout(REQUEST_TIMEOUT_MS).emitWithAck('orders:push', payload);
}

/** The clean terminal sells one drink: acked as stored, one order, one outbox row, its band's tab up by its total. */
async function goodTraffic(): Promise<void> {
  sinceGood = 0;
  const sale = validSale({ terminalId: cleanCreds.terminalId, seq: ++cleanSeq, bandUid: '0A0B0C0D' });
  const before = f.counts();
  const tabBefore = f.bandTotal(sale.bandUid);
  const ack = OrdersPushAck.parse(await push(clean, { v: PROTOCOL_VERSION, orders: [sale] }));
  assert.ok(ack.ok, `a good push after hostile input: ${preview(ack)}`);
  assert.deepEqual(ack.results, [{ id: sale.id, status: 'stored' }]);
  const delta = countDelta(before, f.counts());
  assert.equal(delta.orders, 1);
  assert.equal(delta.cloud_outbox, 1);
  assert.equal(f.bandTotal(sale.bandUid) - tabBefore, sale.total);
}

async function maybeGoodTraffic(): Promise<void> {
  if (++sinceGood >= GOOD_EVERY) await goodTraffic();
}

/** JSON as the hub receives it (Buffers stay Buffers on the wire, and are never valid facts). */
function asReceived(v: unknown): unknown {
  return v === undefined ? undefined : JSON.parse(JSON.stringify(v));
}

/**
 * Checks one ack against what was pushed and returns the orders it stored. A bad envelope: an error with a code and a
 * sentence, nothing written. A good envelope: one result per item, in order; every valid item of this terminal is
 * kept (stored, or a duplicate/conflict of an id it already had); every other item is `invalid` with a sentence.
 */
function checkAck(payload: unknown, rawAck: unknown, before: Record<string, number>, what: string): Sale[] {
  const parsed = OrdersPushAck.safeParse(rawAck);
  assert.ok(parsed.success, `the ack is not an OrdersPushAck\n${what}\n→ ${preview(rawAck, 300)}`);
  const ack = parsed.data;
  if (!ack.ok) {
    assert.ok(ErrorBody.safeParse(ack.error).success && isSentence(ack.error.message), `the refusal needs a code and a sentence\n${what}\n→ ${preview(ack)}`);
    assert.ok(['invalid_body', 'unsupported_version'].includes(ack.error.code), `a bad envelope is invalid_body or unsupported_version, not ${ack.error.code}\n${what}`);
    assert.deepEqual(countDelta(before, f.counts()), {}, `a refused push wrote rows\n${what}`);
    return [];
  }
  const orders = (asReceived(payload) as { orders: unknown[] }).orders;
  assert.equal(ack.results.length, orders.length, `one result per item\n${what}\n→ ${preview(ack, 300)}`);
  const stored: Sale[] = [];
  orders.forEach((item, i) => {
    const r: ItemResult = ack.results[i]!;
    const keep = isValidFact(item) && item.terminalId === hostileCreds.terminalId;
    const itemWhat = `item #${i} ${preview(item, 200)}\n${what}\n→ ${preview(r)}`;
    if (keep) {
      assert.ok(['stored', 'duplicate', 'conflict'].includes(r.status), `a valid item was not kept\n${itemWhat}`);
      assert.equal(r.id, item.id, `the result names the item\n${itemWhat}`);
      if (r.status === 'stored' && item.kind === 'sale') stored.push(item);
    } else {
      assert.equal(r.status, 'invalid', `an invalid item was not refused\n${itemWhat}`);
      assert.ok(r.error && isSentence(r.error.message), `an invalid item needs a sentence\n${itemWhat}`);
    }
  });
  const storedCount = ack.results.filter((r) => r.status === 'stored').length;
  const delta = countDelta(before, f.counts());
  assert.equal(delta.orders ?? 0, storedCount, `orders written = items stored\n${what}\n${preview(delta)}`);
  assert.equal(delta.cloud_outbox ?? 0, storedCount, `outbox rows written = items stored\n${what}`);
  assert.ok((delta.conflicts ?? 0) <= ack.results.filter((r) => r.status === 'conflict').length, `conflict rows only for conflicts\n${what}`);
  return stored;
}

test('handshake: hostile and mutated auth is refused with a coded, worded connect error', async () => {
  const auth = fc.oneof(
    { arbitrary: hostileJson().filter((v) => !!v && typeof v === 'object' && !Array.isArray(v)), weight: 2 },
    {
      arbitrary: fc.constant(null).chain(() => mutationsOf({ v: PROTOCOL_VERSION, terminalId: hostileCreds.terminalId, token: hostileCreds.token })).map((m) => m.value),
      weight: 3,
    },
    { arbitrary: wrongVersion().map((v) => ({ v, terminalId: hostileCreds.terminalId, token: hostileCreds.token })), weight: 1 },
  )
    .filter((v) => !!v && typeof v === 'object' && !Array.isArray(v))
    .filter((v) => !KNOWN_GAPS.handshakeStringifiesV || !stringThrows((v as { v?: unknown }).v));
  await fuzz(
    fc.asyncProperty(auth, async (value) => {
      const before = f.counts();
      const what = `auth ${preview(value, 300)}`;
      const valid = TerminalAuth.safeParse(value);
      const rightCreds = valid.success && valid.data.terminalId === hostileCreds.terminalId && valid.data.token === hostileCreds.token;
      try {
        const socket = await connect(hostileCreds, value);
        socket.close();
        assert.ok(rightCreds, `the hub let in a handshake its schema refuses or with wrong credentials\n${what}`);
      } catch (err) {
        const data = (err as { data?: unknown }).data;
        assert.ok(ErrorBody.safeParse(data).success, `a connect error carries {code, message}\n${what}\n→ ${String(err)} ${preview(data)}`);
        assert.ok(isSentence((data as ErrorBody).message), `a connect error needs a sentence\n${what}\n→ ${preview(data)}`);
        assert.ok(!rightCreds, `valid credentials were refused\n${what}\n→ ${preview(data)}`);
      }
      assert.deepEqual(countDelta(before, f.counts()), {}, `a handshake wrote rows\n${what}`);
      await maybeGoodTraffic();
    }),
  );
  await goodTraffic();
});

test(
  'handshake: an auth `v` that cannot be turned into a string is refused with a coded connect error',
  { todo: KNOWN_GAPS.handshakeStringifiesV ? 'hub/src/realtime/terminal-sockets.ts: String(auth.v) throws inside the middleware' : false },
  async () => {
    // Got: no answer at all, neither connect nor connect_error (the middleware throws; the terminal waits for
    // socket.io's 45 s connect timeout). Expected: connect_error with data {code: 'unsupported_version', message}.
    // A refusal takes milliseconds, so this waits 1.5 s, not the suite's 5 s.
    const auths = [{ toString: [] }, [{ toString: {} }], { valueOf: 1, toString: 'x' }].map((v) => ({ v, terminalId: hostileCreds.terminalId, token: hostileCreds.token }));
    const outcomes = await Promise.all(auths.map((auth) => connect(hostileCreds, auth, 1500).then((s) => (s.close(), null), (err: unknown) => err)));
    outcomes.forEach((err, i) => {
      const data = (err as { data?: unknown } | null)?.data;
      assert.ok(ErrorBody.safeParse(data).success, `a connect error carries {code, message}\nauth.v = ${preview(auths[i]!.v)}\n→ ${String(err)}`);
    });
    await goodTraffic();
  },
);

test('handshake: raw CONNECT packets with any payload are answered or hung up on, never hang the hub', async () => {
  const rawAuth = fc.oneof(
    fc.constantFrom('', '{', 'null', '"str"', '[]', '[1,2]', '1', 'true', '{"v":1}', '{"__proto__":{"v":1}}', '{"v":1,"terminalId":{},"token":[]}'),
    hostileJson().map((v) => JSON.stringify(v) ?? 'undefined'),
    hostileString().map((s) => s.slice(0, 2000)),
  );
  await fuzz(
    fc.asyncProperty(rawAuth, async (raw) => {
      if (KNOWN_GAPS.handshakeStringifiesV && stringThrows(parsedV(raw))) return;
      const what = `raw CONNECT 0${preview(raw, 200)}`;
      const { socket, answer } = await RawSocketIo.connect(f.hub.url, raw);
      socket.close();
      let payload: unknown;
      try {
        payload = raw === '' ? {} : JSON.parse(raw);
      } catch {
        payload = undefined;
      }
      const isObject = Object.prototype.toString.call(payload) === '[object Object]';
      if (answer?.startsWith('4')) {
        // socket.io's CONNECT_ERROR is { message, data }: the hub's ErrorBody is the data.
        const data = (JSON.parse(answer.slice(1)) as { data?: unknown }).data;
        assert.ok(ErrorBody.safeParse(data).success && isSentence((data as ErrorBody).message), `connect error shape\n${what}\n→ ${answer}`);
      } else if (answer === null) {
        // socket.io's own parser hangs up on a CONNECT whose payload is not an object: that is its clear refusal.
        assert.ok(!isObject, `an object handshake must get an answer, not a hang-up\n${what}`);
      } else {
        assert.fail(`only valid credentials join\n${what}\n→ ${answer}`);
      }
      await maybeGoodTraffic();
    }),
  );
  await goodTraffic();
});

test('orders:push: hostile envelopes get an ack with an error, or per-item results; refusals write nothing', async () => {
  const validEnvelope = () => ({ v: PROTOCOL_VERSION, orders: [validSale({ terminalId: hostileCreds.terminalId, seq: ++hostileSeq })] });
  const payload = fc.oneof(
    { arbitrary: hostileJson(), weight: 3 },
    { arbitrary: fc.constant(null).chain(() => mutationsOf(validEnvelope())).map((m) => m.value), weight: 4 },
    { arbitrary: wrongVersion().map((v) => ({ ...validEnvelope(), v })), weight: 1 },
    { arbitrary: wideArray().map((orders) => ({ v: PROTOCOL_VERSION, orders })), weight: 1 },
    { arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => ({ v: PROTOCOL_VERSION, orders: [Buffer.from(b), { id: Buffer.from(b) }] })), weight: 1 },
    { arbitrary: fc.constantFrom<unknown>(undefined, null, 0, '', [], Buffer.from('{"v":1}')), weight: 1 },
  );
  await fuzz(
    fc.asyncProperty(payload, async (value) => {
      const socket = await hostileSocket();
      const before = f.counts();
      const what = `orders:push ${preview(value, 300)}`;
      const ack = await push(socket, value);
      checkAck(value, ack, before, what);
      await maybeGoodTraffic();
    }),
    { weight: 2 },
  );
  await goodTraffic();
});

test('orders:push: in a mixed batch every valid item is stored with its tab, and every bad one is refused alone', async () => {
  const batch = fc
    .record({
      band: bandUidArb(),
      good: fc.integer({ min: 1, max: 5 }),
      bad: fc.array(
        fc.oneof(
          { arbitrary: fc.constant(null).chain(() => mutationsOf(validSale({ terminalId: hostileCreds.terminalId, seq: 1 }))).map((m) => m.value), weight: 4 },
          { arbitrary: hostileJson(undefined, 2), weight: 2 },
          { arbitrary: fc.constant(null).map(() => validSale({ terminalId: cleanCreds.terminalId, seq: 1 })), weight: 1 },
          { arbitrary: fc.tuple(hostileKey(), hostileJson(undefined, 1)).map(([k, v]) => ({ ...validSale({ terminalId: hostileCreds.terminalId, seq: 1 }), ...ownObject([[k, v]]) })), weight: 1 },
        ),
        { minLength: 1, maxLength: 8 },
      ),
      order: fc.array(fc.nat(), { minLength: 13, maxLength: 13 }),
    })
    .map(({ band, good, bad, order }) => {
      const goods = Array.from({ length: good }, () => validSale({ terminalId: hostileCreds.terminalId, seq: ++hostileSeq, bandUid: band }));
      // Interleave deterministically from the generated numbers, so a failure replays in the same order.
      const items: unknown[] = [...goods, ...bad];
      const mixed = items.map((item, i) => ({ item, key: order[i % order.length]! + i / 100 })).sort((a, b) => a.key - b.key).map((x) => x.item);
      return { band, goods, mixed };
    });
  await fuzz(
    fc.asyncProperty(batch, async ({ band, goods, mixed }) => {
      const socket = await hostileSocket();
      const before = f.counts();
      const tabsBefore = new Map<string, number>();
      const payload = { v: PROTOCOL_VERSION, orders: mixed };
      const what = `mixed batch ${preview(payload, 400)}`;
      const bands = new Set(mixed.flatMap((m) => (m && typeof m === 'object' && typeof (m as Sale).bandUid === 'string' ? [(m as Sale).bandUid] : [])));
      bands.add(band);
      for (const b of bands) tabsBefore.set(b, f.bandTotal(b));
      const ack = OrdersPushAck.parse(await push(socket, payload));
      assert.ok(ack.ok, `a batch with a valid envelope is never refused whole\n${what}\n→ ${preview(ack)}`);
      const stored = checkAck(payload, ack, before, what);
      for (const g of goods) assert.ok(stored.some((s) => s.id === g.id), `valid sale ${g.id} beside bad items was lost\n${what}`);
      // The tab of every band moved by exactly the sales stored for it: nothing partly applied, nothing lost.
      for (const b of bands) {
        const expected = stored.filter((s) => s.bandUid === b).reduce((sum, s) => sum + s.total, 0);
        assert.equal(f.bandTotal(b) - tabsBefore.get(b)!, expected, `band ${b} tab moved by the stored sales only\n${what}`);
      }
      await maybeGoodTraffic();
    }),
    { weight: 2 },
  );
  await goodTraffic();
});

test('raw packets: malformed, unknown, ack-less and binary-placeholder packets never take the hub down', async () => {
  const sale = () => JSON.stringify(validSale({ terminalId: hostileCreds.terminalId, seq: ++hostileSeq }));
  // Socket.IO packets as Engine.IO messages: 0 connect, 1 disconnect, 2 event, 3 ack, 4 error, 5 binary event.
  const packet = fc.oneof(
    fc.constantFrom(
      '2',
      '2[',
      '2["orders:push"',
      '2{}',
      '2"orders:push"',
      '2[]',
      '2[1]',
      '2[null]',
      '2["orders:push"]',
      '299999999999999999999["orders:push",{}]',
      '2-1["orders:push",{}]',
      '51-["orders:push",{"_placeholder":true,"num":0}]',
      '52-["orders:push",{"_placeholder":true,"num":5}]',
      '5x-["orders:push"]',
      '1',
      '3',
      '31[]',
      '4{}',
      '9',
      '',
      '0{}',
      '/nonexistent,2["orders:push",{}]',
      '0/admin,',
    ),
    fc.constant(null).map(() => `2["orders:push",{"v":1,"orders":[${sale()}]}]`),
    fc.constant(null).map(() => `2["orders:push",{"v":1,"orders":[${sale()}]},"extra",{"__proto__":{"x":1}}]`),
    fc.integer({ min: 1000, max: 100_000 }).map((d) => `2["orders:push",${'['.repeat(d)}${']'.repeat(d)}]`),
    fc.tuple(hostileString(), hostileJson()).map(([event, arg]) => `2${JSON.stringify([event, arg])}`),
    hostileString().map((s) => `2${s.slice(0, 5000)}`),
  );
  await fuzz(
    fc.asyncProperty(packet, async (raw) => {
      const what = `raw packet ${preview(raw, 300)}`;
      const before = f.counts();
      const { socket, answer } = await RawSocketIo.connect(f.hub.url, JSON.stringify({ v: PROTOCOL_VERSION, ...hostileTerminalAuth() }));
      assert.ok(answer?.startsWith('0'), `the raw terminal joins: ${answer}`);
      socket.send(raw);
      if (raw.startsWith('1')) {
        // A DISCONNECT packet leaves the namespace and keeps the transport: join again before probing.
        socket.send(`0${JSON.stringify({ v: PROTOCOL_VERSION, ...hostileTerminalAuth() })}`);
        const rejoined = await socket.next((m) => m.startsWith('0') || m.startsWith('4'));
        assert.ok(rejoined === null || rejoined.startsWith('0'), `rejoining after a disconnect packet\n${what}\n→ ${rejoined}`);
      }
      // A probe push with an ack on the same connection: answered if the hub kept the connection, or a hang-up.
      const probe = await socket.emitWithAck(7, JSON.stringify(['orders:push', { v: 999, orders: [] }]));
      socket.close();
      if (probe !== null) {
        const ack = OrdersPushAck.safeParse(probe[0]);
        assert.ok(ack.success && !ack.data.ok && ack.data.error.code === 'unsupported_version', `the probe is refused as a wrong version\n${what}\n→ ${preview(probe)}`);
      }
      const delta = countDelta(before, f.counts());
      // The one raw packet that is a well-formed push without an ack id may store its sale; nothing else writes.
      const maybeStored = raw.startsWith('2["orders:push",{"v":1,"orders":[{') ? 1 : 0;
      assert.ok((delta.orders ?? 0) <= maybeStored, `raw packet wrote orders\n${what}\n${preview(delta)}`);
      await maybeGoodTraffic();
    }),
    { weight: 2 },
  );
  await goodTraffic();
});

function hostileTerminalAuth() {
  return { terminalId: hostileCreds.terminalId, token: hostileCreds.token };
}

test('orders:push without an ack callback, and unknown events, are ignored without harm', async () => {
  const socket = await hostileSocket();
  const before = f.counts();
  socket.emit('orders:push', { v: PROTOCOL_VERSION, orders: [validSale({ terminalId: hostileCreds.terminalId, seq: ++hostileSeq })] });
  socket.emit('no-such-event', { v: PROTOCOL_VERSION }, () => undefined);
  socket.emit('__proto__', {});
  socket.emit('constructor', {});
  // The same socket still answers a push in order after those.
  const probe = OrdersPushAck.parse(await push(socket, { v: 999, orders: [] }));
  assert.ok(!probe.ok && probe.error.code === 'unsupported_version');
  assert.deepEqual(countDelta(before, f.counts()), {}, 'an ack-less push is not stored: its terminal could never learn it was');
  await goodTraffic();
});

test('a push frame over the 8 MB socket limit drops that connection only', async () => {
  const socket = await connect(hostileCreds);
  const before = f.counts();
  const closed = new Promise<string>((resolve) => socket.once('disconnect', resolve));
  socket.emit('orders:push', { v: PROTOCOL_VERSION, orders: ['x'.repeat(9_000_000)] }, () => assert.fail('no ack for an oversized frame'));
  const reason = await closed;
  assert.match(reason, /transport (close|error)/);
  assert.deepEqual(countDelta(before, f.counts()), {});
  await goodTraffic();
});
