/**
 * Fuzzing the hub's HTTP API (pairing, pairing codes, status, the status page): hostile bodies, mutated pairing
 * requests and raw noise (methods, paths, content types, query strings). Every answer is a success or a clear 4xx,
 * nothing is written by a refusal, and good pairing still works after each batch.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { PairRequest, PairResponse, PROTOCOL_VERSION } from '@tapline/shared';
import { announceSeed, fuzz } from './fuzz-run.ts';
import { countDelta, startFuzzHub, type FuzzHub } from './hub-fixture.ts';
import {
  hostileBodyText,
  hostileContentType,
  hostileJson,
  hostileQuery,
  hostileSegment,
  mutationsOf,
  preview,
  wrongVersion,
} from './hostile.ts';
import { assertAnsweredWell, assertClearRefusal, describeRequest, jsonRequest, send, type RawRequest } from './wire.ts';

let f: FuzzHub;
/** Good traffic runs after every this many hostile inputs, and once after each property. */
const GOOD_EVERY = 10;
let sinceGood = 0;

before(async () => {
  announceSeed('hub-http');
  f = await startFuzzHub();
});
after(async () => {
  await f?.close();
});

/** The hub still serves: its status answers, and a terminal can pair (one new terminal row, nothing else). */
async function goodTraffic(): Promise<void> {
  sinceGood = 0;
  const status = await send(f.hub.url, { method: 'GET', path: '/v1/status' });
  assert.equal(status.status, 200, `status after hostile input: ${status.text}`);
  const before = f.counts();
  const paired = await send(f.hub.url, jsonRequest('POST', '/v1/pair', { v: PROTOCOL_VERSION, code: f.hub.pairingCode().code, name: 'Good bar' }));
  assert.equal(paired.status, 200, `good pairing after hostile input: ${paired.text}`);
  assert.ok(PairResponse.safeParse(paired.json).success, `good pairing answers a PairResponse: ${paired.text}`);
  assert.deepEqual(countDelta(before, f.counts()), { terminals: 1 }, 'a good pairing writes one terminal row and nothing else');
}

async function maybeGoodTraffic(): Promise<void> {
  if (++sinceGood >= GOOD_EVERY) await goodTraffic();
}

test('hostile JSON bodies on POST /v1/pair get a clear 400 and pair nothing', async () => {
  const body = fc.oneof(
    { arbitrary: hostileJson(), weight: 4 },
    { arbitrary: wrongVersion().map((v) => ({ v, code: f.hub.pairingCode().code, name: 'Bar' })), weight: 1 },
  );
  await fuzz(
    fc.asyncProperty(body, async (value) => {
      const before = f.counts();
      const req = jsonRequest('POST', '/v1/pair', value);
      const res = await send(f.hub.url, req);
      const what = describeRequest(req);
      const err = assertClearRefusal(res, 'flat', what);
      assert.ok(['invalid_body', 'unsupported_version', 'bad_pairing_code'].includes(err.code), `unexpected code ${err.code}\n${what}`);
      assert.deepEqual(countDelta(before, f.counts()), {}, `a refused pairing wrote rows\n${what}`);
      await maybeGoodTraffic();
    }),
    { weight: 2 },
  );
  await goodTraffic();
});

test('mutated pairing requests pair a terminal only when still valid, and are refused clearly otherwise', async () => {
  const mutants = fc.constant(null).chain(() => {
    const valid = { v: PROTOCOL_VERSION, code: f.hub.pairingCode().code, name: 'Mutant bar' };
    return mutationsOf(valid).map((m) => ({ ...m, code: valid.code }));
  });
  await fuzz(
    fc.asyncProperty(mutants, async ({ value, mutation, code }) => {
      const before = f.counts();
      const req = jsonRequest('POST', '/v1/pair', value);
      const res = await send(f.hub.url, req);
      const what = `${mutation}\n${describeRequest(req)}`;
      const parsed = PairRequest.safeParse(value);
      const acceptable = parsed.success && parsed.data.code === code;
      if (res.status === 200) {
        assert.ok(parsed.success, `the hub paired with a request its own schema refuses\n${what}`);
        assert.ok(PairResponse.safeParse(res.json).success, `a pairing answers a PairResponse\n${what}\n${res.text}`);
        assert.deepEqual(countDelta(before, f.counts()), { terminals: 1 }, `a pairing writes one terminal\n${what}`);
      } else {
        assertClearRefusal(res, 'flat', what);
        assert.ok(!acceptable, `a valid pairing request was refused\n${what}\n${res.text}`);
        assert.deepEqual(countDelta(before, f.counts()), {}, `a refused pairing wrote rows\n${what}`);
      }
      await maybeGoodTraffic();
    }),
    { weight: 2 },
  );
  await goodTraffic();
});

const ROUTES: ReadonlyArray<{ method: string; path: string }> = [
  { method: 'POST', path: '/v1/pair' },
  { method: 'POST', path: '/v1/pairing-codes' },
  { method: 'GET', path: '/v1/status' },
  { method: 'GET', path: '/' },
];

test('ROUTES names every route hub/src/http/app.ts defines, so a new hub route is fuzzed or this fails', () => {
  const source = readFileSync(new URL('../../hub/src/http/app.ts', import.meta.url), 'utf8');
  const defined = [...source.matchAll(/\bapp\.(get|post|put|patch|delete)\(\s*'([^']+)'/g)].map((m) => `${m[1]!.toUpperCase()} ${m[2]}`).sort();
  assert.ok(defined.length >= 4, `the route scan found ${defined.join(', ')}`);
  assert.deepEqual(defined, ROUTES.map((r) => `${r.method} ${r.path}`).sort());
});

/** Raw requests: any method on known and made-up paths, any content type, any body text, any query. */
function rawRequests(): fc.Arbitrary<RawRequest> {
  const validPair = JSON.stringify({ v: PROTOCOL_VERSION, code: '000000', name: 'Bar' });
  const path = fc.oneof(
    fc.constantFrom(...ROUTES.map((r) => r.path)),
    fc.array(hostileSegment(), { minLength: 1, maxLength: 4 }).map((s) => `/${s.join('/')}`),
    fc.tuple(fc.constantFrom('/v1', '/v1/pair', '/v1/status'), hostileSegment()).map(([p, s]) => `${p}/${s}`),
    fc.constantFrom('//v1//pair', '/v1/pair/', '/V1/PAIR', '/v1/./pair', '/v1/x/../pair', '/%2e%2e/%2e%2e/etc/passwd', '/socket.io/?EIO=1'),
  );
  return fc.record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND'),
    path: fc.tuple(path, fc.option(hostileQuery(['code', 'v', 'cursor', 'limit', 'EIO', 'transport']), { nil: undefined })).map(([p, q]) => (q ? `${p}?${q}` : p)),
    contentType: hostileContentType(),
    body: fc.option(hostileBodyText(validPair), { nil: undefined }),
  }).map(({ method, path, contentType, body }) => ({
    method,
    path,
    headers: { 'content-type': contentType },
    ...(body === undefined || method === 'GET' || method === 'HEAD' ? {} : { body }),
  }));
}

test('raw noise on every route and beyond gets a success or a clear 4xx, never a 5xx, and writes nothing', async () => {
  await fuzz(
    fc.asyncProperty(rawRequests(), async (req) => {
      const before = f.counts();
      const res = await send(f.hub.url, req);
      const what = describeRequest(req);
      // Express routes ignore case and a trailing slash.
      const route = req.path.split('?')[0]!.toLowerCase().replace(/(.)\/$/, '$1');
      const known = ROUTES.some((r) => r.method === req.method && route === r.path);
      // The hub's own page and status are HTML and JSON successes; socket.io answers its own transport with its own errors.
      if (req.path.startsWith('/socket.io/') || req.method === 'HEAD') {
        // socket.io answers its own transport; HEAD carries no body to hold an error.
        assert.ok(res.status < 500, `answered ${res.status}\n${what}`);
      } else if (res.status >= 200 && res.status < 300) {
        assert.ok(known || req.method === 'HEAD', `a success on an unknown route\n${what}\n→ ${res.status} ${preview(res.text)}`);
      } else {
        assertAnsweredWell(res, 'flat', what);
      }
      assert.deepEqual(countDelta(before, f.counts()), {}, `raw noise wrote rows\n${what}`);
      await maybeGoodTraffic();
    }),
    { weight: 3 },
  );
  await goodTraffic();
});

test('a body over the 1 MB limit is refused with 413 and a sentence', async () => {
  const before = f.counts();
  const req = jsonRequest('POST', '/v1/pair', { v: PROTOCOL_VERSION, code: f.hub.pairingCode().code, name: 'x'.repeat(1_200_000) });
  const res = await send(f.hub.url, req);
  const err = assertClearRefusal(res, 'flat', 'a 1.2 MB pairing request');
  assert.equal(res.status, 413);
  assert.equal(err.code, 'invalid_body');
  assert.deepEqual(countDelta(before, f.counts()), {});
  await goodTraffic();
});

test('every body-parser refusal is a 4xx with the JSON error shape (charsets, encodings)', async () => {
  const cases: RawRequest[] = [
    { method: 'POST', path: '/v1/pair', headers: { 'content-type': 'application/json; charset=latin1' }, body: '{}' },
    { method: 'POST', path: '/v1/pair', headers: { 'content-type': 'application/json; charset=nonsense' }, body: '{}' },
    { method: 'POST', path: '/v1/pair', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: '{}' },
    { method: 'POST', path: '/v1/pair', headers: { 'content-type': 'application/json', 'content-encoding': 'br' }, body: 'not brotli' },
    { method: 'POST', path: '/v1/pair', headers: { 'content-type': 'application/json', 'content-encoding': 'x-unknown' }, body: '{}' },
    { method: 'POST', path: '/v1/pair', headers: { 'content-type': 'application/json', 'content-encoding': 'deflate, gzip' }, body: '{}' },
  ];
  for (const req of cases) {
    const before = f.counts();
    const res = await send(f.hub.url, req);
    assertClearRefusal(res, 'flat', describeRequest(req));
    assert.deepEqual(countDelta(before, f.counts()), {});
  }
  await goodTraffic();
});
