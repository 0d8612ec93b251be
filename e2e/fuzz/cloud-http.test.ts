/**
 * Fuzzing every head-office and public route of the cloud wired in cloud/src/http/app.ts (the sync routes have
 * their own file): per route, hostile bodies, mutations of a valid body, hostile path parameters and queries, bad
 * auth and raw noise. Every answer is a success or a clear 4xx `{ error: { code, message } }`; a refusal changes no
 * table; the route's valid request still succeeds after each batch.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { newId, PROTOCOL_VERSION, type Attendee } from '@tapline/shared';
import { deriveLinkSecret, tabLinks } from '../../cloud/src/services/tab-links.ts';
import {
  ADMIN,
  ADMIN_TOKEN,
  changedTables,
  CLOUD_TEXT,
  hasBadPercentEncoding,
  hasDuplicateAttendees,
  KNOWN_GAPS,
  startFuzzCloud,
  VENUE,
  VENUE_KEY,
  type FuzzCloud,
} from './cloud-fixture.ts';
import { validSale } from './facts.ts';
import { announceSeed, fuzz } from './fuzz-run.ts';
import {
  hostileAuth,
  hostileBodyText,
  hostileContentType,
  hostileJson,
  hostileQuery,
  hostileSegment,
  mutationsOf,
  preview,
} from './hostile.ts';
import { assertAnsweredWell, assertClearRefusal, describeRequest, jsonRequest, send, type RawRequest } from './wire.ts';

let f: FuzzCloud;
const BAND = '04000000000001';
/** Ids made in `before`, so the routes that read or change one thing have something real to aim at. */
const known = { saleId: '', promotionId: '', ruleId: '', exportId: '', bulkId: '', token: '' };
let counter = 0;
const fresh = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++counter}`;

type Role = 'admin' | 'venue' | 'none';

interface Route {
  method: 'GET' | 'POST' | 'PUT';
  /** `:name` parameters, each filled from `params` unless the attack replaces it. */
  path: string;
  params?: () => Record<string, string>;
  /** Who may call it: admin only, venue or admin, or anyone. */
  role: Role;
  /** A valid body, fresh each call so a success never collides with an earlier one. */
  body?: () => unknown;
  query?: string;
  queryNames?: string[];
  /** Whether the valid request answers 2xx every time (a retry of a dead letter that does not exist cannot). */
  goodAlwaysSucceeds?: boolean;
  /** Makes the valid request valid again before it is sent (a refund needs a sale with room left to refund). */
  prepare?: () => Promise<void>;
}

/** A new sale on BAND at the cloud, as a hub would upload it; its id becomes the one refunds and price fixes name. */
async function freshSale(): Promise<void> {
  const sale = validSale({ terminalId: 'fuzz-terminal', seq: ++counter, bandUid: BAND });
  const pushed = await send(f.cloud.url, jsonRequest('POST', '/v1/sync/push', { v: PROTOCOL_VERSION, hubId: 'fuzz-hub', orders: [sale] }, VENUE));
  assert.equal(pushed.status, 200, pushed.text);
  known.saleId = sale.id;
}

function attendee(id: string): Omit<Attendee, 'eventId'> {
  return {
    id,
    firstName: 'Fuzz',
    lastName: null,
    email: null,
    phone: '+31612345678',
    smsConsent: false,
    card: { status: 'none', stripeCustomerId: null, stripePaymentMethodId: null, last4: null },
  };
}

const ev = () => ({ id: 'demo-event' });
const ROUTES: Record<string, Route> = {
  healthz: { method: 'GET', path: '/healthz', role: 'none' },
  'event orders': { method: 'GET', path: '/v1/events/:id/orders', params: ev, role: 'venue', query: 'limit=5', queryNames: ['after', 'limit'] },
  'event summary': { method: 'GET', path: '/v1/events/:id/summary', params: ev, role: 'venue' },
  'create venue': { method: 'POST', path: '/v1/admin/venues', role: 'admin', body: () => ({ id: fresh('fuzz-venue'), name: 'Fuzz venue' }) },
  'append config': {
    method: 'POST',
    path: '/v1/admin/venues/:venue/config',
    params: () => ({ venue: 'demo-venue' }),
    role: 'admin',
    body: () => ({ entities: [{ kind: 'product', data: { id: fresh('fuzz-product'), eventId: 'demo-event', name: 'Fuzz tonic', category: 'Soft drinks', price: 250, active: true } }] }),
  },
  'add promotion': {
    method: 'POST',
    path: '/v1/admin/events/:id/promotions',
    params: ev,
    role: 'admin',
    body: () => ({ id: fresh('promo'), kind: 'fixed_off', name: 'Fuzz off', amount: 100, minimum: 1000 }),
  },
  'list promotions': { method: 'GET', path: '/v1/admin/events/:id/promotions', params: ev, role: 'admin' },
  'deactivate promotion': {
    method: 'POST',
    path: '/v1/admin/events/:id/promotions/:promotionId/deactivate',
    params: () => ({ id: 'demo-event', promotionId: known.promotionId }),
    role: 'admin',
  },
  'add tax rule': { method: 'POST', path: '/v1/admin/events/:id/tax-rules', params: ev, role: 'admin', body: () => ({ category: 'Beer', basisPoints: 900, mode: 'inclusive' }) },
  'list tax rules': { method: 'GET', path: '/v1/admin/events/:id/tax-rules', params: ev, role: 'admin' },
  'deactivate tax rule': {
    method: 'POST',
    path: '/v1/admin/events/:id/tax-rules/:ruleId/deactivate',
    params: () => ({ id: 'demo-event', ruleId: known.ruleId }),
    role: 'admin',
  },
  'read tab': { method: 'GET', path: '/v1/admin/events/:id/tabs/:bandUid', params: () => ({ id: 'demo-event', bandUid: BAND }), role: 'admin' },
  refund: {
    method: 'POST',
    path: '/v1/admin/events/:id/tabs/:bandUid/refunds',
    params: () => ({ id: 'demo-event', bandUid: BAND }),
    role: 'admin',
    body: () => ({ refundsOrderId: known.saleId, amount: 1, reason: 'fuzz: spilled' }),
    // Valid refunds among the mutants (amount 1000…) use up what the sale can give back.
    prepare: freshSale,
  },
  tip: {
    method: 'POST',
    path: '/v1/admin/events/:id/tabs/:bandUid/tips',
    params: () => ({ id: 'demo-event', bandUid: BAND }),
    role: 'admin',
    body: () => ({ value: { type: 'percent', basisPoints: 1000 } }),
  },
  'price fix': {
    method: 'POST',
    path: '/v1/admin/events/:id/price-fixes',
    params: ev,
    role: 'admin',
    body: () => ({ productId: 'beer-pils', fromUnitPrice: 550, toUnitPrice: 500, orderIds: [known.saleId], reason: 'fuzz: wrong price' }),
  },
  'request export': { method: 'POST', path: '/v1/admin/events/:id/exports', params: ev, role: 'admin', body: () => ({ kind: 'orders' }) },
  'read export': { method: 'GET', path: '/v1/admin/exports/:exportId', params: () => ({ exportId: known.exportId }), role: 'admin' },
  'download export': { method: 'GET', path: '/v1/admin/exports/:exportId/download', params: () => ({ exportId: known.exportId }), role: 'admin' },
  'list dead letters': { method: 'GET', path: '/v1/admin/dead-letters', role: 'admin', query: 'limit=5', queryNames: ['limit', 'queue'] },
  'retry dead letter': {
    method: 'POST',
    path: '/v1/admin/dead-letters/:letterId/retry',
    params: () => ({ letterId: newId() }),
    role: 'admin',
    goodAlwaysSucceeds: false,
  },
  'put attendees': { method: 'PUT', path: '/v1/admin/events/:id/attendees', params: ev, role: 'admin', body: () => ({ attendees: [attendee(fresh('fuzz-attendee'))] }) },
  'read attendee': { method: 'GET', path: '/v1/admin/events/:id/attendees/:attendeeId', params: () => ({ id: 'demo-event', attendeeId: 'attendee-1' }), role: 'admin' },
  'send bulk sms': { method: 'POST', path: '/v1/admin/events/:id/messages', params: ev, role: 'admin', body: () => ({ id: newId(), body: 'Last orders at the main bar in 15 minutes.' }) },
  'read bulk sms': { method: 'GET', path: '/v1/admin/events/:id/messages/:bulkId', params: () => ({ id: 'demo-event', bulkId: known.bulkId }), role: 'admin' },
  'list sms': {
    method: 'GET',
    path: '/v1/admin/events/:id/sms',
    params: ev,
    role: 'admin',
    query: 'limit=5',
    queryNames: ['status', 'kind', 'attendeeId', 'orderId', 'limit'],
  },
  'payment issues': { method: 'GET', path: '/v1/admin/events/:id/payment-issues', params: ev, role: 'admin' },
  payments: { method: 'GET', path: '/v1/admin/events/:id/payments', params: ev, role: 'admin', query: 'limit=5', queryNames: ['bandUid', 'limit'] },
  'read payment settings': { method: 'GET', path: '/v1/admin/events/:id/payment-settings', params: ev, role: 'admin' },
  'put payment settings': { method: 'PUT', path: '/v1/admin/events/:id/payment-settings', params: ev, role: 'admin', body: () => ({ holdAmount: 2000 }) },
  'public tab': { method: 'GET', path: '/t/:token', params: () => ({ token: known.token }), role: 'none' },
};

function fill(path: string, params: Record<string, string>, replace?: { name: string; raw: string }): string {
  return path.replace(/:(\w+)/g, (_m, name: string) => (replace?.name === name ? replace.raw : encodeURIComponent(params[name] ?? '')));
}

function authFor(role: Role): string | undefined {
  return role === 'admin' ? ADMIN : role === 'venue' ? VENUE : undefined;
}

function validRequest(route: Route): RawRequest {
  const path = fill(route.path, route.params?.() ?? {}) + (route.query ? `?${route.query}` : '');
  return jsonRequest(route.method, path, route.body?.(), authFor(route.role));
}

/** Whether this request would only hit a gap recorded in KNOWN_GAPS (see the todo tests at the end). */
function hitsKnownGap(r: RawRequest): boolean {
  const [path, query = ''] = r.path.split('?') as [string, string?];
  if (KNOWN_GAPS.badPercentEncoding && hasBadPercentEncoding(path)) return true;
  if (KNOWN_GAPS.nulInText) {
    let decoded = '';
    try {
      decoded = decodeURIComponent(path);
    } catch {
      decoded = '';
    }
    if (decoded.includes('\u0000') || [...new URLSearchParams(query).entries()].some(([k, v]) => `${k}${v}`.includes('\u0000'))) return true;
  }
  if (KNOWN_GAPS.bodyParserStatus && /charset=(?!utf-8)/i.test(r.headers?.['content-type'] ?? '')) return true;
  if (KNOWN_GAPS.duplicateAttendees && typeof r.body === 'string' && r.body.includes('"attendees"')) {
    try {
      if (hasDuplicateAttendees(JSON.parse(r.body))) return true;
    } catch {
      // not JSON: the parser refuses it before any attendee is looked at
    }
  }
  return false;
}

/** Everything one attack on `route` can send: one of its parts made hostile, the rest valid. */
function attacks(route: Route): fc.Arbitrary<{ kind: string; req: RawRequest }> {
  const base = () => validRequest(route);
  const options: Array<fc.Arbitrary<{ kind: string; req: RawRequest }>> = [];
  if (route.body) {
    options.push(
      hostileJson(CLOUD_TEXT).map((body) => ({ kind: 'hostile body', req: { ...base(), body: JSON.stringify(body) ?? '' } })),
      fc.constant(null).chain(() => mutationsOf(route.body!(), CLOUD_TEXT)).map((m) => ({ kind: `mutated body: ${m.mutation}`, req: { ...base(), body: JSON.stringify(m.value) ?? '' } })),
      fc
        .tuple(hostileContentType(), hostileBodyText(JSON.stringify(route.body()), CLOUD_TEXT))
        .map(([contentType, body]) => ({ kind: 'raw body', req: { ...base(), headers: { ...base().headers, 'content-type': contentType }, body } })),
    );
  }
  const names = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
  if (names.length) {
    options.push(
      fc.tuple(fc.constantFrom(...names), hostileSegment(CLOUD_TEXT)).map(([name, raw]) => {
        const r = base();
        const [, query] = r.path.split('?');
        return { kind: `hostile :${name}`, req: { ...r, path: fill(route.path, route.params?.() ?? {}, { name, raw }) + (query ? `?${query}` : '') } };
      }),
    );
  }
  options.push(
    hostileQuery(route.queryNames ?? ['limit', 'cursor'], CLOUD_TEXT).map((q) => ({ kind: 'hostile query', req: { ...base(), path: `${base().path.split('?')[0]}?${q}` } })),
    hostileAuth(route.role === 'venue' ? VENUE_KEY : ADMIN_TOKEN, [VENUE_KEY, ADMIN_TOKEN]).map((auth) => ({
      kind: 'hostile auth',
      req: { ...base(), headers: { ...base().headers, authorization: auth } },
    })),
    fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE').filter((m) => m !== route.method).map((method) => ({ kind: 'other method', req: { ...base(), method } })),
  );
  return fc.oneof(...options).filter(({ req }) => !hitsKnownGap(req));
}

/** Whether an Authorization header holds a secret this route accepts (the scheme is case-insensitive). */
function allowedAuth(role: Role, header: string | undefined): boolean {
  const token = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
  if (role === 'none') return true;
  return token === ADMIN_TOKEN || (role === 'venue' && token === VENUE_KEY);
}

before(async () => {
  announceSeed('cloud-http');
  f = await startFuzzCloud();
  const url = f.cloud.url;
  await freshSale();
  const promo = await send(url, validRequest(ROUTES['add promotion']!));
  known.promotionId = (promo.json as { promotion: { id: string } }).promotion.id;
  const rule = await send(url, validRequest(ROUTES['add tax rule']!));
  known.ruleId = (rule.json as { taxRule: { id: string } }).taxRule.id;
  const bulk = await send(url, validRequest(ROUTES['send bulk sms']!));
  known.bulkId = (bulk.json as { bulk: { id: string } }).bulk.id;
  const built = once(f.cloud.events, 'exports:finished');
  const exp = await send(url, validRequest(ROUTES['request export']!));
  known.exportId = (exp.json as { exportId: string }).exportId;
  await built;
  known.token = tabLinks({ secret: deriveLinkSecret(ADMIN_TOKEN), publicUrl: () => url }).sign('demo-event', BAND);
});
after(async () => {
  await f?.close();
});

describe('every cloud route answers hostile input with a success or a clear 4xx, and a refusal writes nothing', () => {
  for (const [name, route] of Object.entries(ROUTES)) {
    test(`${route.method} ${route.path} (${name})`, async () => {
      const good = async () => {
        await route.prepare?.();
        const req = validRequest(route);
        const res = await send(f.cloud.url, req);
        if (route.goodAlwaysSucceeds === false) assertAnsweredWell(res, 'nested', describeRequest(req));
        else assert.ok(res.status >= 200 && res.status < 300, `the valid request after hostile input\n${describeRequest(req)}\n→ ${res.status} ${preview(res.text, 300)}`);
        const health = await send(f.cloud.url, { method: 'GET', path: '/healthz' });
        assert.equal(health.status, 200);
      };
      await good();
      let since = 0;
      await fuzz(
        fc.asyncProperty(attacks(route), async ({ kind, req }) => {
          const before = await f.snapshot();
          const res = await send(f.cloud.url, req);
          const what = `${name}, ${kind}\n${describeRequest(req)}`;
          const refused = assertAnsweredWell(res, 'nested', what);
          if (refused) {
            assert.deepEqual(changedTables(before, await f.snapshot()), [], `a refused request wrote\n${what}\n→ ${res.status} ${preview(res.text)}`);
          } else {
            assert.ok(allowedAuth(route.role, req.headers?.authorization), `a success without a valid key\n${what}`);
            const sibling = Object.values(ROUTES).some((r) => r.method === req.method && r.path === route.path);
            assert.ok(req.method === route.method || sibling, `a success for a method this path does not have\n${what}`);
          }
          if (++since >= 10) {
            since = 0;
            await good();
          }
        }),
        // 30 routes: a few attacks each in CI, many more with TAPLINE_FUZZ_RUNS.
        { weight: 0.4 },
      );
      await good();
    });
  }
});

test('an unknown route is a clear 404 whatever the method and path', async () => {
  await fuzz(
    fc.asyncProperty(
      fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
      fc.array(hostileSegment(CLOUD_TEXT), { minLength: 1, maxLength: 4 }),
      async (method, segments) => {
        const req = { method, path: `/v1/nowhere/${segments.join('/')}`, headers: { authorization: ADMIN } };
        if (hitsKnownGap(req)) return;
        const res = await send(f.cloud.url, req);
        const err = assertClearRefusal(res, 'nested', describeRequest(req));
        assert.equal(err.code, 'not_found');
      },
    ),
  );
});

// ── Known gaps, reproduced exactly; the lead enables each once the cloud is fixed (see KNOWN_GAPS). ──

test('a path parameter with a broken %-escape is a clear 400', { todo: KNOWN_GAPS.badPercentEncoding ? "cloud/src/http/app.ts errorHandler ignores the router's status 400 (URIError): 500" : false }, async () => {
  for (const path of ['/v1/events/%E0%A4%A/summary', '/v1/admin/exports/%/download', '/t/%ZZ']) {
    const req = { method: 'GET', path, headers: { authorization: ADMIN } };
    // Got (open gap): HTTP 500 internal. Expected: 400 with a sentence.
    assertClearRefusal(await send(f.cloud.url, req), 'nested', describeRequest(req));
  }
});

test('U+0000 in a head-office body or query is a clear 400, not a database error', { todo: KNOWN_GAPS.nulInText ? 'cloud: strings reach PostgreSQL unchecked for U+0000 (venues, attendees, messages, sms query)' : false }, async () => {
  const cases: RawRequest[] = [
    jsonRequest('POST', '/v1/admin/venues', { id: fresh('v'), name: 'a\u0000b' }, ADMIN),
    jsonRequest('PUT', '/v1/admin/events/demo-event/attendees', { attendees: [{ ...attendee(fresh('a')), firstName: 'a\u0000b' }] }, ADMIN),
    jsonRequest('POST', '/v1/admin/events/demo-event/messages', { body: 'hi\u0000there' }, ADMIN),
    { method: 'GET', path: '/v1/admin/events/demo-event/sms?attendeeId=%00', headers: { authorization: ADMIN } },
    { method: 'POST', path: '/v1/admin/events/demo-event/promotions/a%00b/deactivate', headers: { authorization: ADMIN } },
  ];
  for (const req of cases) {
    const before = await f.snapshot();
    // Got (open gap): HTTP 500 internal. Expected: 400 invalid_body naming the field.
    assertClearRefusal(await send(f.cloud.url, req), 'nested', describeRequest(req));
    assert.deepEqual(changedTables(before, await f.snapshot()), []);
  }
});

test('PUT attendees naming one attendee twice is a clear 400, not a database error', { todo: KNOWN_GAPS.duplicateAttendees ? 'cloud/src/services/attendees.ts: one INSERT … ON CONFLICT DO UPDATE cannot touch a row twice: 500' : false }, async () => {
  const a = attendee(fresh('twice'));
  const req = jsonRequest('PUT', '/v1/admin/events/demo-event/attendees', { attendees: [a, { ...a, firstName: 'Other' }] }, ADMIN);
  const before = await f.snapshot();
  const res = await send(f.cloud.url, req);
  assertAnsweredWell(res, 'nested', describeRequest(req));
  if (res.status >= 400) assert.deepEqual(changedTables(before, await f.snapshot()), []);
});

test('PUT attendees that fails in its second thousand writes nothing', { todo: KNOWN_GAPS.attendeesPartlyWritten ? 'cloud/src/services/attendees.ts + attendees-router.ts: chunks of 1,000 outside one transaction' : false }, async () => {
  // upsertAttendees writes in chunks of 1,000 statements without a transaction of its own: a failure in a later chunk
  // must not leave the earlier chunks written. Got (open gap): HTTP 500 and the first 1,000 attendees written.
  const list = Array.from({ length: 1002 }, (_, i) => attendee(fresh(`bulk-${i}`)));
  list[1001] = { ...list[1000]!, firstName: 'Same id again' };
  const req = jsonRequest('PUT', '/v1/admin/events/demo-event/attendees', { attendees: list }, ADMIN);
  const before = await f.snapshot();
  const res = await send(f.cloud.url, req);
  const after = await f.snapshot();
  if (res.status >= 400) assert.deepEqual(changedTables(before, after), [], `a refused PUT (${res.status}) left attendees written: ${before.attendees} → ${after.attendees}`);
  assertAnsweredWell(res, 'nested', describeRequest(req));
});
