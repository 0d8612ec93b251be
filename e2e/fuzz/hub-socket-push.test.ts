/**
 * Fuzzing the hub's `orders:push`: hostile envelopes, mutations of valid pushes, mixed batches, registration facts,
 * pushes without an ack and frames over the socket limit. Every push gets an ack (an error for a bad envelope, a
 * result per item otherwise), a refusal writes nothing, the valid items of a mixed batch are all stored with their
 * tabs, and a clean terminal keeps trading after each batch (hub-socket-session.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { OrdersPushAck, PROTOCOL_VERSION, type Sale } from '@tapline/shared';
import { bandUidArb, validBlock, validPairing, validSale, validSignup } from './facts.ts';
import { fuzz } from './fuzz-run.ts';
import { countDelta } from './hub-fixture.ts';
import { hostileJson, hostileKey, mutationsOf, ownObject, preview, wideArray, wrongVersion } from './hostile.ts';
import {
  checkAck,
  cleanCreds,
  connect,
  f,
  goodTraffic,
  hostileCreds,
  hostileSocket,
  maybeGoodTraffic,
  nextHostileSeq,
  push,
  useFuzzHubSockets,
} from './hub-socket-session.ts';

useFuzzHubSockets('hub-socket-push');

test('orders:push: hostile envelopes get an ack with an error, or per-item results; refusals write nothing', async () => {
  const validEnvelope = () => ({ v: PROTOCOL_VERSION, orders: [validSale({ terminalId: hostileCreds.terminalId, seq: nextHostileSeq() })] });
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
      const goods = Array.from({ length: good }, () => validSale({ terminalId: hostileCreds.terminalId, seq: nextHostileSeq(), bandUid: band }));
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

/** One valid registration fact of the hostile terminal, of any kind, on a band of its own. */
function registrationArb(): fc.Arbitrary<unknown> {
  return fc.tuple(fc.constantFrom('signup', 'pairing', 'block'), bandUidArb()).map(([kind, bandUid]) => {
    const o = { terminalId: hostileCreds.terminalId, seq: nextHostileSeq(), bandUid };
    return kind === 'signup' ? validSignup(o) : kind === 'pairing' ? validPairing(o) : validBlock(o);
  });
}

test('orders:push: registration facts (signups, pairings, blocks), valid and mutated, are kept or refused one by one', async () => {
  const batch = fc
    .tuple(
      fc.array(registrationArb(), { minLength: 1, maxLength: 4 }),
      fc.array(fc.constant(null).chain(() => registrationArb().chain((valid) => mutationsOf(valid))).map((m) => m.value), { minLength: 0, maxLength: 4 }),
      fc.boolean(),
    )
    .map(([goods, mutants, withSale]) => ({
      goods,
      items: [...goods, ...mutants, ...(withSale ? [validSale({ terminalId: hostileCreds.terminalId, seq: nextHostileSeq() })] : [])],
    }));
  await fuzz(
    fc.asyncProperty(batch, async ({ goods, items }) => {
      const socket = await hostileSocket();
      const before = f.counts();
      const payload = { v: PROTOCOL_VERSION, orders: items };
      const what = `registration batch ${preview(payload, 400)}`;
      const ack = OrdersPushAck.parse(await push(socket, payload));
      assert.ok(ack.ok, `a batch with a valid envelope is never refused whole\n${what}\n→ ${preview(ack)}`);
      checkAck(payload, ack, before, what);
      for (const g of goods as Array<{ id: string }>) {
        assert.ok(ack.results.some((r) => r.id === g.id && r.status === 'stored'), `valid registration fact ${g.id} was not stored\n${what}\n→ ${preview(ack, 300)}`);
      }
      await maybeGoodTraffic();
    }),
  );
  await goodTraffic();
});

test('orders:push without an ack callback, and unknown events, are ignored without harm', async () => {
  const socket = await hostileSocket();
  const before = f.counts();
  socket.emit('orders:push', { v: PROTOCOL_VERSION, orders: [validSale({ terminalId: hostileCreds.terminalId, seq: nextHostileSeq() })] });
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
