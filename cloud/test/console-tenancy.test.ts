import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import type { Express } from 'express';
import { users } from '../src/db/schema.ts';
import { appendConfig } from '../src/services/config-log.ts';
import { assignVenue } from '../src/services/accounts.ts';
import { DEMO_USERS } from '../src/services/accounts-demo.ts';
import { insertVenue } from '../src/services/venues.ts';
import { DEMO_EVENT_ID, DEMO_VENUE_ID, demoBandUid } from '../src/seed/demo-constants.ts';
import type { RunningCloud } from '../src/start.ts';
import { api, startTestCloud, VENUE_KEY } from './helpers/cloud.ts';
import { makeOrganisation, sessionClient } from './helpers/console.ts';
import { createTestDatabase, databaseSkipReason, type TestDatabase } from './helpers/database.ts';
import { push, sale } from './helpers/facts.ts';

/*
 * Tenancy across EVERY console route: the routes are read from the running cloud's Express router stack (so routes added later are
 * covered without touching this file), then called as another organisation's owner with the demo organisation's ids
 * in every path parameter. Each must answer 403 or 404, or (for a route with no id of the demo's in it) answer about
 * the caller's own organisation only, and no answer may carry the demo organisation's data.
 */

const skip = await databaseSkipReason();

interface RouteInfo {
  method: string;
  path: string;
}

/** Every (method, path) the app routes, walking nested routers. */
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

describe('every /v1/console route, called across organisations', { skip }, () => {
  let target: TestDatabase;
  let cloud: RunningCloud;
  let baseUrl: string;
  let app: Express;
  let demoOwnerId: string;
  let other: Awaited<ReturnType<typeof makeOrganisation>>;

  before(async () => {
    target = await createTestDatabase();
    cloud = await startTestCloud(target);
    const db = cloud.database.db;
    // The demo organisation has sales, tabs and people; the other one has its own venue and event.
    const res = await api(cloud.url, VENUE_KEY).post('/v1/sync/push', push([sale({ band: 1 }), sale({ band: 2 })]));
    assert.equal(res.status, 200);
    other = await makeOrganisation(db, 'other-org', 'Other Org');
    assert.ok(await insertVenue(db, { id: 'other-venue', name: 'Other Venue' }, 'other-venue-key-0123456789'));
    await assignVenue(db, 'other-venue', other.id);
    await appendConfig(db, 'other-venue', [
      { kind: 'event', data: { id: 'other-event', name: 'Other Event', currency: 'GBP', timezone: 'Europe/London', startsAt: new Date().toISOString(), endsAt: new Date(Date.now() + 86_400_000).toISOString(), offlineBandAllowance: 1000, offlineTerminalTotal: 10000, noCardAllowance: 0 } },
    ] as never);
    const [owner] = await db.select({ id: users.id }).from(users).where(eq(users.email, DEMO_USERS.owner.email));
    demoOwnerId = owner!.id;
    app = cloud.app;
    baseUrl = cloud.url;
  });
  after(async () => {
    await cloud?.close();
    await target?.drop();
  });

  const consoleRoutes = () => routesOf(app).filter((r) => r.path.startsWith('/v1/console'));

  /** The demo organisation's id for each parameter name (unknown names get the demo event). */
  const demoValue = (name: string): string =>
    ({ eventId: DEMO_EVENT_ID, id: DEMO_EVENT_ID, venueId: DEMO_VENUE_ID, bandUid: demoBandUid(1), userId: demoOwnerId, attendeeId: 'attendee-1', hubId: 'hub-test' })[name] ?? DEMO_EVENT_ID;

  const fill = (path: string) => path.replace(/:(\w+)/g, (_m, name: string) => encodeURIComponent(demoValue(name))).replace(/\{?\*(\w+)\}?/g, 'x');

  /** What only the demo organisation has: none of it may appear in an answer to another organisation. */
  const DEMO_DATA = ['Riverside Festival', 'Demo Festivals', 'demo.tapline.test', 'Pils 0.5 l', 'Main bar', DEMO_VENUE_ID, 'hub-test', demoBandUid(2)];

  test('the walk finds the console routes (sanity: it would find C2-style additions too)', () => {
    const found = consoleRoutes().map((r) => `${r.method} ${r.path}`);
    for (const known of ['GET /v1/console/session', 'POST /v1/console/auth/sign-in', 'GET /v1/console/team', 'PATCH /v1/console/team/:userId', 'GET /v1/console/audit']) {
      assert.ok(found.includes(known), `${known} in ${found.join(', ')}`);
    }
  });

  test("another organisation's owner gets 403/404 for every demo id, and never the demo's data", async () => {
    const failures: string[] = [];
    for (const route of consoleRoutes()) {
      // A fresh session each time: a route may sign out or change the caller.
      const client = await sessionClient(baseUrl, cloud.database.db, { userId: other.users.owner.userId, organisationId: other.id });
      const path = fill(route.path);
      const res = await client.request(route.method, path, route.method === 'GET' ? undefined : {});
      const text = JSON.stringify(res.body);
      const hasParams = route.path.includes(':');
      if (hasParams && ![403, 404].includes(res.status)) failures.push(`${route.method} ${path}: ${res.status} (want 403 or 404) ${text.slice(0, 200)}`);
      if (res.status >= 500) failures.push(`${route.method} ${path}: ${res.status} ${text.slice(0, 200)}`);
      const leaked = DEMO_DATA.filter((d) => !path.includes(d) && text.includes(d));
      if (leaked.length) failures.push(`${route.method} ${path}: answer carries ${leaked.join(', ')}: ${text.slice(0, 300)}`);
    }
    assert.deepEqual(failures, []);
  });

  test('the same calls as the demo owner reach the demo data (the ids used above are real)', async () => {
    const client = await sessionClient(baseUrl, cloud.database.db, { userId: demoOwnerId, organisationId: 'demo-festivals' });
    const s = await client.get('/v1/console/session');
    assert.deepEqual(s.body.events.map((e: { id: string }) => e.id), [DEMO_EVENT_ID]);
    const team = await client.get('/v1/console/team');
    assert.ok(JSON.stringify(team.body).includes('demo.tapline.test'));
    const other = await sessionClient(baseUrl, cloud.database.db, { userId: (await makeOrganisation(cloud.database.db, 'third-org', 'Third')).users.owner.userId, organisationId: 'third-org' });
    assert.deepEqual((await other.get('/v1/console/session')).body.events, []);
  });

  test('a demo viewer is refused every state-changing console route outside signing in (403)', async () => {
    const [viewer] = await cloud.database.db.select({ id: users.id }).from(users).where(eq(users.email, DEMO_USERS.viewer.email));
    const failures: string[] = [];
    for (const route of consoleRoutes().filter((r) => r.method !== 'GET' && !r.path.startsWith('/v1/console/auth/'))) {
      const client = await sessionClient(baseUrl, cloud.database.db, { userId: viewer!.id, organisationId: 'demo-festivals' });
      const res = await client.request(route.method, fill(route.path), {});
      if (res.status !== 403) failures.push(`${route.method} ${route.path}: ${res.status}`);
    }
    assert.deepEqual(failures, []);
  });

  test('without a session every signed-in console route answers 401 and nothing else', async () => {
    const failures: string[] = [];
    for (const route of consoleRoutes().filter((r) => r.path !== '/v1/console/session' && !r.path.startsWith('/v1/console/auth/'))) {
      const res = await fetch(baseUrl + fill(route.path), { method: route.method, headers: { 'x-csrf-token': 'none' } });
      // Non-GET without a session fails the CSRF check first (403); GET without one is a 401.
      const want = route.method === 'GET' ? 401 : 403;
      if (res.status !== want) failures.push(`${route.method} ${route.path}: ${res.status} (want ${want})`);
    }
    assert.deepEqual(failures, []);
  });
});
