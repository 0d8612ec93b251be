/**
 * Fuzzing the hub's `attendees:search`: hostile and mutated queries get an ack with results or a worded error, write
 * nothing, and a clean terminal's search still finds who it should (hub-socket-session.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { AttendeesSearch, AttendeesSearchAck, MAX_SEARCH_RESULTS, OrdersPushAck, PROTOCOL_VERSION } from '@tapline/shared';
import type { Socket } from 'socket.io-client';
import { validSignup } from './facts.ts';
import { fuzz } from './fuzz-run.ts';
import { countDelta } from './hub-fixture.ts';
import { hostileJson, hostileString, mutationsOf, preview, wrongVersion } from './hostile.ts';
import {
  asReceived,
  clean,
  cleanCreds,
  f,
  GOOD_EVERY,
  goodTraffic,
  hostileSocket,
  nextCleanSeq,
  push,
  useFuzzHubSockets,
} from './hub-socket-session.ts';
import { isSentence, REQUEST_TIMEOUT_MS } from './wire.ts';

useFuzzHubSockets('hub-socket-search');

function search(socket: Socket, payload: unknown): Promise<unknown> {
  return socket.timeout(REQUEST_TIMEOUT_MS).emitWithAck('attendees:search', payload);
}

test('attendees:search: hostile queries get an ack with results or a worded error, write nothing, and search still works', async () => {
  // Someone to find: a walk-up signed up at the clean terminal's desk.
  const walkUp = validSignup({ terminalId: cleanCreds.terminalId, seq: nextCleanSeq() });
  walkUp.attendee.firstName = 'Zebedee';
  assert.ok(OrdersPushAck.parse(await push(clean, { v: PROTOCOL_VERSION, orders: [walkUp] })).ok);
  const goodSearch = async () => {
    const ack = AttendeesSearchAck.parse(await search(clean, { v: PROTOCOL_VERSION, query: 'zebed', limit: 5 }));
    assert.ok(ack.ok && ack.results.some((r) => r.id === walkUp.attendee.id), `a clean search after hostile ones finds the walk-up: ${preview(ack, 300)}`);
  };
  await goodSearch();
  const valid = { v: PROTOCOL_VERSION, query: 'Zebedee', limit: 5, eventId: 'demo-event' };
  const payload = fc.oneof(
    { arbitrary: hostileJson(), weight: 2 },
    { arbitrary: fc.constant(null).chain(() => mutationsOf(valid)).map((m) => m.value), weight: 4 },
    { arbitrary: hostileString().map((query) => ({ v: PROTOCOL_VERSION, query })), weight: 3 },
    { arbitrary: wrongVersion().map((v) => ({ ...valid, v })), weight: 1 },
    { arbitrary: fc.constantFrom<unknown>(undefined, null, 0, '', [], Buffer.from('{"v":1}'), { v: PROTOCOL_VERSION, query: '%', limit: MAX_SEARCH_RESULTS }), weight: 1 },
  );
  let since = 0;
  await fuzz(
    fc.asyncProperty(payload, async (value) => {
      const socket = await hostileSocket();
      const before = f.counts();
      const what = `attendees:search ${preview(value, 300)}`;
      const raw = await search(socket, value);
      const parsed = AttendeesSearchAck.safeParse(raw);
      assert.ok(parsed.success, `the ack is not an AttendeesSearchAck\n${what}\n→ ${preview(raw, 300)}`);
      const ack = parsed.data;
      if (ack.ok) {
        assert.ok(AttendeesSearch.safeParse(asReceived(value)).success, `an invalid search was answered as if valid\n${what}`);
        assert.ok(ack.results.length <= MAX_SEARCH_RESULTS);
      } else {
        assert.ok(isSentence(ack.error.message), `the refusal needs a sentence\n${what}\n→ ${preview(ack)}`);
        assert.equal(ack.error.code, 'invalid_body', `a bad search is invalid_body, not ${ack.error.code}\n${what}`);
      }
      assert.deepEqual(countDelta(before, f.counts()), {}, `a search wrote rows\n${what}`);
      if (++since >= GOOD_EVERY) {
        since = 0;
        await goodSearch();
      }
    }),
    { weight: 2 },
  );
  await goodSearch();
  await goodTraffic();
});
