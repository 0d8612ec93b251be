/**
 * Fuzzing the cloud's sync API, the hub's uplink: `POST /v1/sync/push` (envelopes, mixed batches, auth) and
 * `GET /v1/sync/pull` (queries). A bad envelope is a clear 4xx with nothing written; in a batch every valid item is
 * stored and every bad one refused alone; a good push still works after each batch.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { io as ioClient } from 'socket.io-client';
import { ItemResult, PROTOCOL_VERSION, SyncPullResponse, SyncPushResponse, type Sale } from '@tapline/shared';
import {
  ADMIN,
  CLOUD_TEXT,
  changedTables,
  hasUpperCaseId,
  IMPOSSIBLE_INSTANTS,
  KNOWN_GAPS,
  startFuzzCloud,
  VENUE,
  VENUE_KEY,
  type FuzzCloud,
} from './cloud-fixture.ts';
import { waitFor } from '../harness/wait.ts';
import { isValidFact, validSale } from './facts.ts';
import { startFuzzHubWith } from './hub-fixture.ts';
import { announceSeed, fuzz } from './fuzz-run.ts';
import { hostileAuth, hostileBodyText, hostileContentType, hostileJson, hostileQuery, mutationsOf, preview, wideArray, wrongVersion } from './hostile.ts';
import { assertAnsweredWell, assertClearRefusal, describeRequest, isSentence, jsonRequest, send, type RawResponse } from './wire.ts';

let f: FuzzCloud;
const GOOD_EVERY = 10;
let sinceGood = 0;
let seq = 0;
const HUB_ID = 'fuzz-hub';

before(async () => {
  announceSeed('cloud-sync');
  f = await startFuzzCloud();
});
after(async () => {
  await f?.close();
});

const sale = (o: Partial<Parameters<typeof validSale>[0]> = {}) => validSale({ terminalId: 'fuzz-terminal', seq: ++seq, ...o });

function pushRequest(body: unknown, auth: string | undefined = VENUE) {
  return jsonRequest('POST', '/v1/sync/push', body, auth);
}

/** A hub pushes one good sale and the cloud stores it: one more order, nothing refused. */
async function goodTraffic(): Promise<void> {
  sinceGood = 0;
  const s = sale();
  const before = await f.orderCount();
  const res = await send(f.cloud.url, pushRequest({ v: PROTOCOL_VERSION, hubId: HUB_ID, orders: [s] }));
  assert.equal(res.status, 200, `a good push after hostile input: ${res.text}`);
  assert.deepEqual(SyncPushResponse.parse(res.json).results, [{ id: s.id, status: 'stored' }]);
  assert.equal(await f.orderCount(), before + 1);
  const pull = await send(f.cloud.url, { method: 'GET', path: '/v1/sync/pull?cursor=0&limit=5', headers: { authorization: VENUE } });
  assert.equal(pull.status, 200, `a good pull after hostile input: ${pull.text}`);
  assert.ok(SyncPullResponse.safeParse(pull.json).success);
}

async function maybeGoodTraffic(): Promise<void> {
  if (++sinceGood >= GOOD_EVERY) await goodTraffic();
}

const roundTrip = (v: unknown): unknown => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

/**
 * One push's answer against what was sent. A refusal: a clear 4xx and no table changed. A 200: one result per item,
 * every valid item of the venue's event kept, every other item `invalid` with a sentence, as many new orders as
 * items stored. Returns the ids stored.
 */
async function checkPush(body: unknown, res: RawResponse, before: Record<string, string>, ordersBefore: number, what: string): Promise<string[]> {
  if (res.status !== 200) {
    assertClearRefusal(res, 'nested', what);
    assert.deepEqual(changedTables(before, await f.snapshot()), [], `a refused push wrote\n${what}`);
    return [];
  }
  const parsed = SyncPushResponse.safeParse(res.json);
  assert.ok(parsed.success, `a 200 is a SyncPushResponse\n${what}\n→ ${preview(res.text, 300)}`);
  const orders = (roundTrip(body) as { orders: unknown[] }).orders;
  assert.equal(parsed.data.results.length, orders.length, `one result per item\n${what}`);
  const stored: string[] = [];
  orders.forEach((item, i) => {
    const r: ItemResult = parsed.data.results[i]!;
    const itemWhat = `item #${i} ${preview(item, 200)}\n${what}\n→ ${preview(r)}`;
    if (isValidFact(item) && item.eventId === 'demo-event') {
      assert.ok(['stored', 'duplicate', 'conflict'].includes(r.status), `a valid item was not kept\n${itemWhat}`);
      if (r.status === 'stored') stored.push(item.id);
    } else {
      assert.equal(r.status, 'invalid', `an invalid item was not refused\n${itemWhat}`);
      assert.ok(isSentence(r.error?.message), `an invalid item needs a sentence\n${itemWhat}`);
    }
  });
  assert.equal(await f.orderCount(), ordersBefore + stored.length, `orders written = items stored\n${what}`);
  return stored;
}

test('push envelopes: hostile, mutated, wrong versions, oversized batches; a 4xx writes nothing', async () => {
  const valid = () => ({ v: PROTOCOL_VERSION, hubId: HUB_ID, orders: [sale()] });
  const body = fc.oneof(
    { arbitrary: hostileJson(CLOUD_TEXT), weight: 3 },
    { arbitrary: fc.constant(null).chain(() => mutationsOf(valid(), CLOUD_TEXT)).map((m) => m.value), weight: 4 },
    { arbitrary: wrongVersion().map((v) => ({ ...valid(), v })), weight: 1 },
    { arbitrary: wideArray().map((orders) => ({ v: PROTOCOL_VERSION, hubId: HUB_ID, orders })), weight: 1 },
  ).filter((b) => !KNOWN_GAPS.upperCaseIds || !hasUpperCaseId(b));
  await fuzz(
    fc.asyncProperty(body, async (value) => {
      const before = await f.snapshot();
      const ordersBefore = await f.orderCount();
      const req = pushRequest(value);
      const res = await send(f.cloud.url, req);
      await checkPush(value, res, before, ordersBefore, describeRequest(req));
      await maybeGoodTraffic();
    }),
    { weight: 2 },
  );
  await goodTraffic();
});

test('push batches: every valid sale beside bad items is stored, every bad item refused alone', async () => {
  const batch = fc
    .record({
      good: fc.integer({ min: 1, max: 4 }),
      bad: fc.array(
        fc.oneof(
          { arbitrary: fc.constant(null).chain(() => mutationsOf(sale(), CLOUD_TEXT)).map((m) => m.value), weight: 4 },
          { arbitrary: hostileJson(CLOUD_TEXT, 2), weight: 2 },
          { arbitrary: fc.constant(null).map(() => sale({ eventId: 'another-venues-event' })), weight: 1 },
        ),
        { minLength: 1, maxLength: 8 },
      ),
      goodFirst: fc.boolean(),
    })
    .map(({ good, bad, goodFirst }) => {
      const goods: Sale[] = Array.from({ length: good }, () => sale());
      return { goods, orders: goodFirst ? [...goods, ...bad] : [...bad, ...goods] };
    })
    .filter((b) => !KNOWN_GAPS.upperCaseIds || !hasUpperCaseId(b));
  await fuzz(
    fc.asyncProperty(batch, async ({ goods, orders }) => {
      const before = await f.snapshot();
      const ordersBefore = await f.orderCount();
      const body = { v: PROTOCOL_VERSION, hubId: HUB_ID, orders };
      const req = pushRequest(body);
      const res = await send(f.cloud.url, req);
      const what = describeRequest(req);
      assert.equal(res.status, 200, `a batch with a good envelope is never refused whole\n${what}\n→ ${res.status} ${preview(res.text, 300)}`);
      const stored = await checkPush(body, res, before, ordersBefore, what);
      for (const g of goods) assert.ok(stored.includes(g.id), `valid sale ${g.id} beside bad items was lost\n${what}`);
      await maybeGoodTraffic();
    }),
    { weight: 2 },
  );
  await goodTraffic();
});

test('push noise: auth headers, content types and raw bodies get a clear 4xx or a stored batch', async () => {
  const req = fc
    .record({
      auth: hostileAuth(VENUE_KEY, [ADMIN.slice('Bearer '.length)]),
      contentType: hostileContentType().filter((c) => !KNOWN_GAPS.bodyParserStatus || !/charset=(?!utf-8)/i.test(c ?? '')),
      body: fc.oneof(
        fc.constant(null).map(() => JSON.stringify({ v: PROTOCOL_VERSION, hubId: HUB_ID, orders: [sale()] })),
        hostileBodyText(JSON.stringify({ v: PROTOCOL_VERSION, hubId: HUB_ID, orders: [sale()] }), CLOUD_TEXT),
      ),
    })
    .map(({ auth, contentType, body }) => ({ method: 'POST', path: '/v1/sync/push', headers: { authorization: auth, 'content-type': contentType }, body }));
  await fuzz(
    fc.asyncProperty(req, async (r) => {
      const before = await f.snapshot();
      const res = await send(f.cloud.url, r);
      const what = describeRequest(r);
      const err = assertAnsweredWell(res, 'nested', what);
      if (err) assert.deepEqual(changedTables(before, await f.snapshot()), [], `a refused push wrote\n${what}`);
      if (res.status === 200) assert.ok(/^(Bearer|bearer)\s+\S+\s*$/.test(r.headers.authorization ?? ''), `accepted without a bearer key\n${what}`);
      await maybeGoodTraffic();
    }),
    { weight: 2 },
  );
  await goodTraffic();
});

test('pull queries: arrays, pollution keys, non-numbers and out-of-range cursors get a page or a clear 400', async () => {
  const query = hostileQuery(['cursor', 'limit'], CLOUD_TEXT);
  await fuzz(
    fc.asyncProperty(query, hostileAuth(VENUE_KEY), async (q, auth) => {
      const r = { method: 'GET', path: `/v1/sync/pull?${q}`, headers: { authorization: auth } };
      const res = await send(f.cloud.url, r);
      const what = describeRequest(r);
      if (assertAnsweredWell(res, 'nested', what) === null) {
        assert.ok(SyncPullResponse.safeParse(res.json).success, `a 200 is a SyncPullResponse\n${what}\n→ ${preview(res.text)}`);
      }
      await maybeGoodTraffic();
    }),
    { weight: 2 },
  );
  await goodTraffic();
});

test('a push body over the 10 MB limit is refused with 413 and a sentence', async () => {
  const before = await f.snapshot();
  const req = pushRequest({ v: PROTOCOL_VERSION, hubId: HUB_ID, orders: [sale(), 'x'.repeat(10.5 * 1024 * 1024)] });
  const res = await send(f.cloud.url, req);
  assertClearRefusal(res, 'nested', 'a 10.5 MB push');
  assert.equal(res.status, 413);
  assert.deepEqual(changedTables(before, await f.snapshot()), []);
  await goodTraffic();
});

// ── Known gaps, reproduced exactly; the lead enables each once the cloud is fixed (see KNOWN_GAPS). ──

async function pushKeepsTheValidSale(poison: Sale, gap: string): Promise<void> {
  const good = sale();
  const before = await f.orderCount();
  const req = pushRequest({ v: PROTOCOL_VERSION, hubId: HUB_ID, orders: [good, poison] });
  const res = await send(f.cloud.url, req);
  // Expected: 200 with [stored, invalid-with-a-sentence]. Got (open gap): HTTP 500 internal, nothing stored, and the
  // hub's uploader retries this batch forever: every order behind it is stuck at the hub.
  assert.equal(res.status, 200, `${gap}\n${describeRequest(req)}\n→ ${res.status} ${preview(res.text, 300)}`);
  const results = SyncPushResponse.parse(res.json).results;
  assert.deepEqual(results[0], { id: good.id, status: 'stored' });
  assert.ok(['stored', 'invalid'].includes(results[1]!.status));
  assert.ok((await f.orderCount()) >= before + 1);
}

test('a sale with U+0000 in a line name does not cost its batch', { todo: KNOWN_GAPS.nulInText ? 'cloud: PostgreSQL refuses \\u0000 in jsonb/text (ingest.ts)' : false }, async () => {
  const poison = sale();
  poison.lines[0]!.name = 'Pils\u00000.5 l';
  await pushKeepsTheValidSale(poison, 'U+0000 in lines[0].name');
});

test('a sale with an unpaired surrogate in a line name does not cost its batch', { todo: KNOWN_GAPS.loneSurrogates ? 'cloud: PostgreSQL refuses \\ud800 escapes in jsonb (ingest.ts)' : false }, async () => {
  const poison = sale();
  poison.lines[0]!.name = 'Pils \uD800';
  await pushKeepsTheValidSale(poison, 'U+D800 alone in lines[0].name');
});

test('a sale made in year 0000 does not cost its batch', { todo: KNOWN_GAPS.impossibleInstants ? 'shared Instant accepts year 0000; PostgreSQL timestamptz refuses it (ingest.ts terminal_created_at)' : false }, async () => {
  await pushKeepsTheValidSale({ ...sale(), createdAt: IMPOSSIBLE_INSTANTS[0]! }, 'createdAt in year 0000');
});

test('a sale whose id is an upper-case UUID does not cost its batch', { todo: KNOWN_GAPS.upperCaseIds ? 'cloud/src/services/ingest.ts: ids come back lower-case from the uuid column: "neither inserted nor found"' : false }, async () => {
  const poison = sale();
  await pushKeepsTheValidSale({ ...poison, id: poison.id.toUpperCase() }, 'an upper-case order id');
});

test('a push in a charset or encoding the cloud cannot read is a clear 4xx', { todo: KNOWN_GAPS.bodyParserStatus ? 'cloud/src/http/app.ts errorHandler: only entity.parse.failed and entity.too.large become 4xx' : false }, async () => {
  for (const headers of [
    { 'content-type': 'application/json; charset=latin1' },
    { 'content-type': 'application/json', 'content-encoding': 'br' },
    { 'content-type': 'application/json', 'content-encoding': 'x-unknown' },
  ]) {
    const req = { method: 'POST', path: '/v1/sync/push', headers: { authorization: VENUE, ...headers }, body: '{}' };
    // Got (open gap): HTTP 500 {"error":{"code":"internal",…}}. Expected: 415/400 invalid_body with a sentence.
    assertClearRefusal(await send(f.cloud.url, req), 'nested', describeRequest(req));
  }
});

test(
  'an order the cloud cannot store does not block the orders queued behind it at the hub',
  { todo: KNOWN_GAPS.upperCaseIds || KNOWN_GAPS.nulInText ? 'the hub stores what the cloud 500s on; its uploader then retries that batch forever' : false },
  async () => {
    // End to end: a terminal pushes a sale with an upper-case id and then a plain sale. Once, the hub took both and the
    // cloud answered every upload of that batch with 500, so the plain sale never reached the cloud. Now the shared
    // schema refuses the upper-case id at the first hop (or, were it taken, the cloud settles it): either way the
    // plain sale is stored in the cloud and the hub's outbox empties.
    const h = await startFuzzHubWith({ cloudUrl: f.cloud.url, venueKey: VENUE_KEY, retryMinDelayMs: 50, retryMaxDelayMs: 200 });
    try {
      const creds = await h.pair('Poisoned bar');
      const socket = ioClient(h.hub.url, { auth: { v: PROTOCOL_VERSION, terminalId: creds.terminalId, token: creds.token }, transports: ['websocket'], reconnection: false, forceNew: true });
      const poison = validSale({ terminalId: creds.terminalId, seq: 1 });
      const plain = validSale({ terminalId: creds.terminalId, seq: 2 });
      const acks = await socket.timeout(5000).emitWithAck('orders:push', { v: PROTOCOL_VERSION, orders: [{ ...poison, id: poison.id.toUpperCase() }, plain] });
      socket.close();
      const statuses = (acks as { results: Array<{ status: string }> }).results.map((r) => r.status);
      assert.equal(statuses[1], 'stored', 'the hub takes the plain sale');
      assert.ok(['stored', 'invalid'].includes(statuses[0]!), `the hub stores or refuses the upper-case id, never errs: ${statuses[0]}`);
      await waitFor(async () => (await send(f.cloud.url, { method: 'GET', path: `/v1/events/demo-event/orders?limit=5000`, headers: { authorization: VENUE } })).text.includes(plain.id), {
        // Deadlines only against a hang: the hub's uploader and the cloud share a busy machine with everything else.
        timeoutMs: 30_000,
        what: 'the plain sale in the cloud',
      });
      await waitFor(() => h.counts().cloud_outbox === 0, { timeoutMs: 30_000, what: 'an empty hub outbox' });
    } finally {
      await h.close();
    }
  },
);
