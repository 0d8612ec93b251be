/**
 * Fuzzing the hub's Socket.IO below the client library: malformed, unknown, ack-less and binary-placeholder packets
 * sent raw on a joined connection never take the hub down, write nothing (but the one well-formed push they may
 * contain), and a clean terminal keeps trading (hub-socket-session.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { OrdersPushAck, PROTOCOL_VERSION } from '@tapline/shared';
import { validSale } from './facts.ts';
import { fuzz } from './fuzz-run.ts';
import { countDelta } from './hub-fixture.ts';
import { hostileJson, hostileString, preview } from './hostile.ts';
import { f, goodTraffic, hostileCreds, maybeGoodTraffic, nextHostileSeq, useFuzzHubSockets } from './hub-socket-session.ts';
import { RawSocketIo } from './raw-socket.ts';

useFuzzHubSockets('hub-socket-raw-packets');

test('raw packets: malformed, unknown, ack-less and binary-placeholder packets never take the hub down', async () => {
  const sale = () => JSON.stringify(validSale({ terminalId: hostileCreds.terminalId, seq: nextHostileSeq() }));
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
