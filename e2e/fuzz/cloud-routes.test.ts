/**
 * Fuzzing every cloud route that cloud-http.test.ts and cloud-sync.test.ts do not list: the routes are read from the
 * running cloud's Express router stack, so a route added later (console JSON API, attendee pages, webhooks…) is
 * attacked without touching this file. Per route: hostile JSON and form bodies, mutations of a valid body where one is
 * known, hostile path parameters and queries, other methods; console routes as the demo owner with the right CSRF
 * token, with a wrong one, and signed out. Every answer is a success, a redirect or a clear 4xx (JSON `{error}` under
 * /v1, JSON or an HTML page elsewhere, never a stack trace); a refusal changes no table; good traffic still works.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import type { Express } from 'express';
import fc from 'fast-check';
import { users } from '../../cloud/src/db/schema.ts';
import { DEMO_USERS, DEMO_ORGANISATION_ID } from '../../cloud/src/services/accounts-demo.ts';
import { createSession } from '../../cloud/src/services/accounts-session.ts';
import { TEST_PAYMENT_METHODS } from '../../cloud/src/services/card-setup.ts';
import { cardLinks } from '../../cloud/src/services/registration-card-links.ts';
import { confirmationLinks } from '../../cloud/src/services/registration-signup-links.ts';
import { deriveLinkSecret, tabLinks } from '../../cloud/src/services/tab-links.ts';
import { formTokens } from '../../cloud/src/web/form-token.ts';
import { ADMIN, ADMIN_TOKEN, changedTables, CLOUD_TEXT, hasBadPercentEncoding, KNOWN_GAPS, startFuzzCloud, type FuzzCloud } from './cloud-fixture.ts';
import { announceSeed, fuzz } from './fuzz-run.ts';
import { hostileAuth, hostileBodyText, hostileContentType, hostileJson, hostileQuery, hostileSegment, hostileString, latin1Header, mutationsOf, preview } from './hostile.ts';
import { assertClearRefusal, describeRequest, send, type RawRequest, type RawResponse } from './wire.ts';

let f: FuzzCloud;
let ownerId = '';
const BAND = '04000000000001';
const secret = deriveLinkSecret(ADMIN_TOKEN);
const publicUrl = () => 'http://127.0.0.1';

interface RouteInfo {
  method: string;
  path: string;
}

/** Every (method, path) the app routes, walking nested routers (the same walk as cloud/test/console-tenancy.test.ts). */
function routesOf(app: Express): RouteInfo[] {
  const out: RouteInfo[] = [];
  type Layer = { route?: { path: string | string[]; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const path of paths) {
          for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== '_all') out.push({ method: method.toUpperCase(), path });
        }
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return out;
}

/** Method and path with its parameters unnamed: `/v1/admin/exports/:id` and `/v1/admin/exports/:exportId` are one route. */
const routeKey = (method: string, path: string) => `${method} ${path.replace(/:\w+/g, ':_')}`;

/** The routes the other two cloud fuzz files attack with valid bodies of their own: read from their source, so the lists cannot drift. */
function coveredElsewhere(): Set<string> {
  const text = readFileSync(new URL('./cloud-http.test.ts', import.meta.url), 'utf8');
  const out = new Set([...text.matchAll(/method:\s*'(\w+)',\s*path:\s*'([^']+)'/g)].map((m) => routeKey(m[1]!, m[2]!)));
  for (const r of ['POST /v1/sync/push', 'GET /v1/sync/pull']) out.add(r);
  // cloud-http asks /t/:token for JSON; the attendee's HTML page on the same path is attacked here.
  out.delete(routeKey('GET', '/t/:token'));
  return out;
}

/** The console's own static pages, not an API: a GET of any path under them. */
const isConsolePage = (r: RouteInfo) => r.path.startsWith('/console') || /\*/.test(r.path);

type Kind = 'console' | 'admin' | 'public';
const kindOf = (path: string): Kind => (path.startsWith('/v1/console') ? 'console' : path.startsWith('/v1/') && path !== '/v1/stripe/webhook' ? 'admin' : 'public');

/** A real value for each parameter, so attacks on one part meet valid others (unknown names get the demo event). */
function paramValue(route: string, name: string): string {
  if (name === 'token') {
    if (route.startsWith('/card/')) return cardLinks({ secret, publicUrl }).sign('demo-event', 'attendee-1');
    if (route.includes('/confirmation/')) return confirmationLinks({ secret, publicUrl }).sign('demo-event', 'attendee-1');
    return tabLinks({ secret, publicUrl }).sign('demo-event', BAND);
  }
  return ({ venueId: 'demo-venue', venue: 'demo-venue', bandUid: BAND, userId: ownerId, attendeeId: 'attendee-1', hubId: 'hub-test' } as Record<string, string>)[name] ?? 'demo-event';
}

function fill(path: string, replace?: { name: string; raw: string }): string {
  return path.replace(/:(\w+)/g, (_m, name: string) => (replace?.name === name ? replace.raw : encodeURIComponent(paramValue(path, name))));
}

/** Valid bodies of the routes whose body has a shape worth mutating field by field; others get hostile noise only. */
const VALID: Record<string, () => { form?: Record<string, string>; json?: unknown }> = {
  'POST /e/:eventId/register': () => ({
    form: { formToken: formTokens({ secret }).issue('register:demo-event'), firstName: 'Fuzz', lastName: 'Tester', email: `fuzz-${Math.random().toString(36).slice(2)}@example.test`, phone: '+31612345678' },
  }),
  'POST /card/:token/test-card': () => ({
    form: { formToken: formTokens({ secret }).issue(`card:${paramValue('/card/:token', 'token')}`), paymentMethod: TEST_PAYMENT_METHODS[0]!.id },
  }),
  'POST /t/:token/tip': () => ({ json: { value: { type: 'percent', basisPoints: 1000 } } }),
  'POST /v1/console/auth/sign-in': () => ({ json: { email: DEMO_USERS.viewer.email, password: 'not-the-password' } }),
  'POST /v1/console/team': () => ({ json: { email: `fuzz-${unique()}@example.test`, name: 'Fuzz Member', role: 'viewer' } }),
  'POST /v1/console/venues/:venueId/events': () => ({
    json: { name: `Fuzz night ${unique()}`, currency: 'EUR', timezone: 'Europe/Amsterdam', startsAt: new Date().toISOString(), endsAt: new Date(Date.now() + 86_400_000).toISOString(), offlineBandAllowance: 1000, offlineTerminalTotal: 10000, noCardAllowance: 0 },
  }),
  'POST /v1/console/events/:eventId/setup/products': () => ({ json: { name: `Fuzz tonic ${unique()}`, category: 'Soft drinks', price: 250, active: true } }),
  'POST /v1/console/events/:eventId/setup/stations': () => ({ json: { name: `Fuzz bar ${unique()}`, mode: 'bar', productIds: ['beer-pils'] } }),
  'POST /v1/console/events/:eventId/setup/promotions': () => ({ json: { kind: 'fixed_off', name: 'Fuzz off', amount: 100, minimum: 1000 } }),
  'POST /v1/console/events/:eventId/setup/taxes': () => ({ json: { category: 'Beer', basisPoints: 900, mode: 'inclusive' } }),
  'PUT /v1/console/events/:eventId/setup/sms': () => ({ json: { receiptTemplate: 'Thanks for your order. Your tab: {link}' } }),
  'POST /v1/console/events/:eventId/exports': () => ({ json: { kind: 'orders' } }),
};
let counter = 0;
const unique = () => `${Date.now().toString(36)}${++counter}`;
const FORM_ROUTES = new Set(['POST /e/:eventId/register', 'POST /t/:token/tip', 'POST /card/:token/test-card']);

/** A full owner session made in the database, and its CSRF token from GET /v1/console/session. */
async function ownerSession(): Promise<{ cookie: string; csrf: string }> {
  const { id } = await createSession(f.cloud.database.db, { userId: ownerId, organisationId: DEMO_ORGANISATION_ID, stage: 'full' });
  const cookie = `tl_session=${id}`;
  const res = await send(f.cloud.url, { method: 'GET', path: '/v1/console/session', headers: { cookie } });
  const body = res.json as { signedIn?: boolean; csrfToken?: string };
  assert.equal(body?.signedIn, true, `a fresh owner session is signed in: ${res.status} ${preview(res.text, 200)}`);
  return { cookie, csrf: body.csrfToken ?? '' };
}

type Caller = 'owner' | 'owner, wrong CSRF' | 'signed out' | 'admin key' | 'nobody';

function headersFor(kind: Kind, caller: Caller, session: { cookie: string; csrf: string }): Record<string, string> {
  if (caller === 'owner') return { cookie: session.cookie, 'x-csrf-token': session.csrf };
  if (caller === 'owner, wrong CSRF') return { cookie: session.cookie, 'x-csrf-token': `${session.csrf.slice(1)}x` };
  if (caller === 'admin key' || (kind === 'admin' && caller !== 'nobody')) return { authorization: ADMIN };
  return {};
}

function encodeForm(fields: Record<string, unknown>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) {
    if (Array.isArray(v)) for (const x of v) p.append(k, String(x));
    else if (v !== undefined) p.append(k, typeof v === 'string' ? v : JSON.stringify(v) ?? '');
  }
  return p.toString();
}

/** A form's fields, one made hostile, dropped, repeated or added. */
function formMutations(valid: Record<string, string>): fc.Arbitrary<{ what: string; fields: Record<string, unknown> }> {
  const keys = Object.keys(valid);
  return fc.oneof(
    fc.tuple(fc.constantFrom(...keys), hostileString(CLOUD_TEXT)).map(([k, v]) => ({ what: `${k} hostile`, fields: { ...valid, [k]: v } })),
    fc.constantFrom(...keys).map((k) => ({ what: `${k} dropped`, fields: Object.fromEntries(Object.entries(valid).filter(([x]) => x !== k)) })),
    fc.tuple(fc.constantFrom(...keys), hostileString(CLOUD_TEXT)).map(([k, v]) => ({ what: `${k} twice`, fields: { ...valid, [k]: [valid[k], v] } })),
    fc.tuple(hostileString(CLOUD_TEXT), hostileString(CLOUD_TEXT)).map(([k, v]) => ({ what: 'extra field', fields: { ...valid, [k]: v } })),
  );
}

interface Attack {
  kind: string;
  caller: Caller;
  /** Replaces the whole request built from the parts below. */
  path?: string;
  method?: string;
  contentType?: string;
  body?: string;
  authorization?: string;
  extra?: Record<string, string>;
}

function attacks(route: RouteInfo): fc.Arbitrary<Attack> {
  const key = `${route.method} ${route.path}`;
  const kind = kindOf(route.path);
  const callers: Caller[] = kind === 'console' ? ['owner', 'owner', 'owner, wrong CSRF', 'signed out'] : kind === 'admin' ? ['admin key', 'admin key', 'nobody'] : ['nobody'];
  const caller = fc.constantFrom(...callers);
  const options: Array<fc.Arbitrary<Attack>> = [];
  const hasBody = route.method !== 'GET';
  const valid = VALID[key];
  const isForm = FORM_ROUTES.has(key);
  if (hasBody) {
    options.push(hostileJson(CLOUD_TEXT).map((b) => ({ kind: 'hostile JSON body', caller: callers[0]!, contentType: 'application/json', body: JSON.stringify(b) ?? '' })));
    options.push(
      fc.tuple(caller, hostileContentType(), hostileBodyText(JSON.stringify(valid?.().json ?? {}), CLOUD_TEXT)).map(([c, contentType, body]) => ({ kind: 'raw body', caller: c, ...(contentType ? { contentType } : {}), body })),
    );
    if (isForm) {
      const fields = valid?.().form ?? { formToken: formTokens({ secret }).issue('card:x'), choice: '10' };
      options.push(
        fc
          .constant(null)
          .chain(() => formMutations(valid?.().form ?? fields))
          .map((m) => ({ kind: `form: ${m.what}`, caller: 'nobody' as const, contentType: 'application/x-www-form-urlencoded', body: encodeForm(m.fields) })),
      );
    }
    if (valid?.().json !== undefined) {
      options.push(
        fc
          .constant(null)
          .chain(() => mutationsOf(valid().json, CLOUD_TEXT))
          .map((m) => ({ kind: `mutated body: ${m.mutation}`, caller: callers[0]!, contentType: 'application/json', body: JSON.stringify(m.value) ?? '' })),
      );
    }
  }
  const names = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
  if (names.length) {
    options.push(fc.tuple(caller, fc.constantFrom(...names), hostileSegment(CLOUD_TEXT)).map(([c, name, raw]) => ({ kind: `hostile :${name}`, caller: c, path: fill(route.path, { name, raw }) })));
  }
  options.push(
    fc.tuple(caller, hostileQuery(['limit', 'after', 'cursor', 'status', 'q', 'replace', 'tip', 'eventId', 'setup_intent', 'kind', 'bandUid'], CLOUD_TEXT)).map(([c, q]) => ({ kind: 'hostile query', caller: c, path: `${fill(route.path)}?${q}` })),
    fc.tuple(caller, fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE').filter((m) => m !== route.method)).map(([c, method]) => ({ kind: 'other method', caller: c, method })),
  );
  if (kind === 'admin') options.push(hostileAuth(ADMIN_TOKEN).map((a) => ({ kind: 'hostile auth', caller: 'nobody' as const, ...(a === undefined ? {} : { authorization: a }) })));
  if (kind === 'console') {
    options.push(
      fc.tuple(fc.constantFrom('x-csrf-token', 'cookie'), fc.oneof(latin1Header(), fc.constantFrom('tl_session=', 'tl_session=%ZZ', `tl_session=${'a'.repeat(4000)}`, 'tl_csrf=x; tl_session=x'))).map(([h, v]) => ({ kind: `hostile ${h}`, caller: 'owner' as const, extra: { [h]: v } })),
    );
  }
  if (route.path === '/v1/stripe/webhook') {
    options.push(
      fc.tuple(fc.oneof(latin1Header(), fc.constant('t=1,v1=00'), fc.constant(`t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`)), hostileJson(CLOUD_TEXT)).map(([sig, b]) => ({
        kind: 'hostile stripe-signature',
        caller: 'nobody' as const,
        contentType: 'application/json',
        body: JSON.stringify({ type: 'setup_intent.succeeded', data: { object: b } }),
        extra: { 'stripe-signature': sig },
      })),
    );
  }
  return fc.oneof(...options).filter((a) => !(KNOWN_GAPS.badPercentEncoding && a.path && hasBadPercentEncoding(a.path)));
}

function build(route: RouteInfo, a: Attack, session: { cookie: string; csrf: string }): RawRequest {
  const kind = kindOf(route.path);
  const headers: Record<string, string | undefined> = { ...headersFor(kind, a.caller, session), ...(a.extra ?? {}) };
  if (a.authorization !== undefined) headers.authorization = a.authorization;
  if (a.contentType) headers['content-type'] = a.contentType;
  if (a.extra?.cookie !== undefined) headers.cookie = `${session.cookie}; ${a.extra.cookie}`;
  const isForm = FORM_ROUTES.has(`${route.method} ${route.path}`);
  // HTML pages answer browsers: ask as one does, so the attendee pages (not their JSON twins) are what is attacked.
  if (kind === 'public') headers.accept = isForm || route.method === 'GET' ? 'text/html' : 'application/json';
  return { method: a.method ?? route.method, path: a.path ?? fill(route.path), headers, ...(a.body !== undefined ? { body: a.body } : {}) };
}

const STACK_TRACE = /\n\s+at .+:\d+:\d+|node_modules|\.ts:\d+|(?:Type|Reference|Syntax|Range)Error:/;

/** Success, redirect or a clear refusal; never 5xx; never a stack trace. Returns whether it was a refusal. */
function assertAnswered(path: string, res: RawResponse, what: string): boolean {
  const ctx = `${what}\n→ HTTP ${res.status} ${res.contentType} ${preview(res.text, 300)}`;
  assert.ok(res.status >= 200 && res.status < 500, `never a 5xx, never a 1xx\n${ctx}`);
  assert.doesNotMatch(res.text, STACK_TRACE, `an answer carries a stack trace\n${ctx}`);
  if (res.status < 400) return false;
  if (kindOf(path) !== 'public' || /^application\/json/.test(res.contentType)) assertClearRefusal(res, 'nested', what);
  else {
    assert.match(res.contentType, /^text\/html/, `a page's refusal is an HTML page or JSON\n${ctx}`);
    assert.match(res.text, /<h1[^>]*>[^<]{3,}/, `a page's refusal says what went wrong in a heading\n${ctx}`);
  }
  return true;
}

/** Refused sign-in attempts count towards the lockout, with an audit row: that write is the point. */
const mayWriteOnRefusal = (path: string): string[] => (path.startsWith('/v1/console/auth/') ? ['users', 'audit_log'] : []);

let routes: RouteInfo[] = [];

before(async () => {
  announceSeed('cloud-routes');
  f = await startFuzzCloud();
  const [owner] = await f.cloud.database.db.select({ id: users.id }).from(users).where(eq(users.email, DEMO_USERS.owner.email));
  ownerId = owner!.id;
  const elsewhere = coveredElsewhere();
  routes = routesOf(f.cloud.app).filter((r) => !elsewhere.has(routeKey(r.method, r.path)) && !isConsolePage(r));
  console.log(`cloud-routes: ${routes.length} routes from the router stack: ${routes.map((r) => `${r.method} ${r.path}`).join(', ')}`);
});
after(async () => {
  await f?.close();
});

test('the walk finds the routes added since cloud-http.test.ts listed its own', () => {
  const found = routes.map((r) => `${r.method} ${r.path}`);
  for (const want of [
    'GET /v1/console/session',
    'POST /v1/console/auth/sign-in',
    'GET /e/:eventId/register',
    'POST /e/:eventId/register',
    'GET /card/:token',
    'GET /card/:token/return',
    'GET /e/:eventId/confirmation/:token',
    'GET /t/:token/receipt',
    'POST /t/:token/tip',
    'POST /v1/stripe/webhook',
    'GET /v1/admin/events/:eventId/registration-conflicts',
  ]) {
    assert.ok(found.includes(want), `${want} in ${found.join(', ')}`);
  }
  // Every route of the app is attacked by one of the three cloud fuzz files.
  const all = routesOf(f.cloud.app).filter((r) => !isConsolePage(r));
  assert.ok(all.length > routes.length + 20, `${all.length} routes in all, ${routes.length} here`);
});

/** Good traffic between batches: the process still serves. */
async function good(): Promise<void> {
  assert.equal((await send(f.cloud.url, { method: 'GET', path: '/healthz' })).status, 200);
  const s = await ownerSession();
  const tenancy = await send(f.cloud.url, { method: 'GET', path: '/v1/console/team', headers: { cookie: s.cookie } });
  assert.equal(tenancy.status, 200, `GET /v1/console/team as the owner: ${tenancy.status} ${preview(tenancy.text, 200)}`);
  const page = await send(f.cloud.url, { method: 'GET', path: '/e/demo-event/register', headers: { accept: 'text/html' } });
  assert.equal(page.status, 200, `the registration page: ${page.status} ${preview(page.text, 200)}`);
  const tab = await send(f.cloud.url, { method: 'GET', path: fill('/t/:token'), headers: { accept: 'text/html' } });
  assert.equal(tab.status, 200, `the tab page: ${tab.status}`);
}

describe('every route the router stack holds answers hostile input well, and a refusal writes nothing', () => {
  // The routes are known only once the cloud runs: one test walks them all, naming the route in any failure.
  test('each walked route, under attack', async () => {
    await good();
    for (const route of routes) {
      const session = await ownerSession();
      const valid = VALID[`${route.method} ${route.path}`]?.().json;
      if (valid !== undefined && kindOf(route.path) === 'console' && !route.path.startsWith('/v1/console/auth/')) {
        // The body the mutations start from is itself accepted: otherwise they would only test the first check.
        const req = build(route, { kind: 'valid', caller: 'owner', contentType: 'application/json', body: JSON.stringify(valid) }, session);
        const res = await send(f.cloud.url, req);
        assert.ok(res.status >= 200 && res.status < 300, `the valid request\n${describeRequest(req)}\n→ ${res.status} ${preview(res.text, 300)}`);
      }
      let since = 0;
      await fuzz(
        fc.asyncProperty(attacks(route), async (a) => {
          const req = build(route, a, session);
          const what = `${route.method} ${route.path}: ${a.kind} as ${a.caller}\n${describeRequest(req)}`;
          const before = await f.snapshot();
          const res = await send(f.cloud.url, req);
          if (assertAnswered(route.path, res, what)) {
            const exempt = mayWriteOnRefusal(route.path);
            assert.deepEqual(changedTables(before, await f.snapshot()).filter((t) => !exempt.includes(t)), [], `a refused request wrote\n${what}\n→ ${res.status} ${preview(res.text)}`);
          } else if (a.caller === 'signed out' || a.caller === 'owner, wrong CSRF') {
            // Only reading routes and signing in may answer without a session or with a wrong CSRF token.
            assert.ok(req.method === 'GET' || route.path.startsWith('/v1/console/auth/'), `a success without a session or CSRF\n${what}`);
          } else if (kindOf(route.path) === 'admin') {
            assert.equal(req.headers?.authorization, ADMIN, `a success without the admin key\n${what}`);
          }
          if (++since >= 10) {
            since = 0;
            await good();
          }
        }),
        { weight: 0.3 },
      );
    }
    await good();
  });
});
