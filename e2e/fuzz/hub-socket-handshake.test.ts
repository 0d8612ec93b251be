/**
 * Fuzzing the hub's Socket.IO handshake: hostile and mutated auth, and raw CONNECT packets below what the client
 * library sends. Each is let in only with valid credentials, or refused with a coded, worded connect error (or hung up
 * on by socket.io's own parser), writes nothing, and a clean terminal keeps trading (hub-socket-session.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ErrorBody, PROTOCOL_VERSION, TerminalAuth } from '@tapline/shared';
import { fuzz } from './fuzz-run.ts';
import { countDelta } from './hub-fixture.ts';
import { hostileJson, hostileString, mutationsOf, preview, wrongVersion } from './hostile.ts';
import { connect, f, goodTraffic, hostileCreds, maybeGoodTraffic, useFuzzHubSockets } from './hub-socket-session.ts';
import { RawSocketIo } from './raw-socket.ts';
import { isSentence } from './wire.ts';

useFuzzHubSockets('hub-socket-handshake');

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
      const otherNamespace = answer === null ? null : /^4(\/[^,]*),(.*)$/s.exec(answer);
      if (otherNamespace) {
        // A payload starting with "/" is read as a namespace ("0/x,…"): socket.io refuses namespaces the hub does not
        // have before any of the hub's code runs.
        assert.ok(raw.startsWith('/'), `only a "/" payload names a namespace\n${what}\n→ ${answer}`);
        assert.deepEqual(JSON.parse(otherNamespace[2]!), { message: 'Invalid namespace' }, `namespace refusal\n${what}\n→ ${answer}`);
      } else if (answer?.startsWith('4')) {
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
