import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { auditLog, consoleSessions, users } from '../src/db/schema.ts';
import { DEMO_OWNER_TOTP_SECRET, DEMO_PASSWORD, DEMO_USERS } from '../src/services/accounts-demo.ts';
import { totpCode } from '../src/services/accounts-totp.ts';
import type { RunningCloud } from '../src/start.ts';
import { ConsoleClient, makeOrganisation, sessionClient } from './helpers/console.ts';
import { databaseSkipReason } from './helpers/database.ts';
import { useSeededCloud } from './helpers/seeded-cloud.ts';

const skip = await databaseSkipReason();

describe('console sign-in, CSRF, roles and the audit log over HTTP', { skip }, () => {
  let cloud: RunningCloud;
  const client = () => new ConsoleClient(cloud.url);
  const actions = async (organisationId = 'demo-festivals') =>
    (await cloud.database.db.select().from(auditLog).where(eq(auditLog.organisationId, organisationId))).map((r) => r.action);

  useSeededCloud((s) => ({ cloud } = s));

  test('the owner signs in with password then TOTP; the cookie is httpOnly and SameSite=Lax; the audit log says so', async () => {
    const c = client();
    const pre = await c.get('/v1/console/session');
    assert.equal(pre.body.signedIn, false);
    assert.ok(pre.body.csrfToken.length >= 32);
    const first = await c.post('/v1/console/auth/sign-in', { email: ' Owner@Demo.Tapline.Test ', password: DEMO_PASSWORD });
    assert.equal(first.status, 200);
    assert.equal(first.body.next, 'totp');
    const cookie = first.headers.getSetCookie().find((l) => l.startsWith('tl_session='))!;
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
    assert.match(cookie, /Path=\//);
    // Half signed in: nothing but finishing is open.
    assert.equal((await c.get('/v1/console/team')).status, 401);
    const pending = await c.get('/v1/console/session');
    assert.deepEqual(pending.body.pending, { next: 'totp', email: DEMO_USERS.owner.email });

    // The server takes the codes of the steps either side of now: a wrong code must be none of the three.
    const code = totpCode(DEMO_OWNER_TOTP_SECRET);
    const near = [-30_000, 0, 30_000].map((ms) => totpCode(DEMO_OWNER_TOTP_SECRET, new Date(Date.now() + ms)));
    const wrong = await c.post('/v1/console/auth/totp', { code: ['000000', '111111', '222222', '333333'].find((x) => !near.includes(x)) });
    assert.equal(wrong.status, 401);
    const before = c.cookies.get('tl_session');
    const ok = await c.post('/v1/console/auth/totp', { code });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.next, 'done');
    assert.notEqual(c.cookies.get('tl_session'), before, 'the session id changes when the second factor passes');
    const s = await c.get('/v1/console/session');
    assert.equal(s.body.signedIn, true);
    assert.equal(s.body.user.role, 'owner');
    assert.equal(s.body.organisation.name, 'Demo Festivals');
    assert.deepEqual(s.body.events.map((e: { id: string }) => e.id), ['demo-event']);
    const log = await actions();
    assert.ok(log.includes('auth.sign_in_failed') && log.includes('auth.signed_in'), log.join());

    // The same code again (a replay) is refused even with the right password. The very code used above: one computed
    // now may belong to the next 30-second step, which is not a replay.
    const replay = client();
    await replay.get('/v1/console/session');
    await replay.post('/v1/console/auth/sign-in', { email: DEMO_USERS.owner.email, password: DEMO_PASSWORD });
    const again = await replay.post('/v1/console/auth/totp', { code });
    assert.equal(again.status, 401);
  });

  test('a manager enrols TOTP at first sign-in through the QR code secret, then is signed in', async () => {
    const c = client();
    await c.get('/v1/console/session');
    const first = await c.post('/v1/console/auth/sign-in', { email: DEMO_USERS.manager.email, password: DEMO_PASSWORD });
    assert.equal(first.body.next, 'enrol');
    const enrol = await c.post('/v1/console/auth/totp/enrolment');
    assert.equal(enrol.status, 200);
    assert.match(enrol.body.uri, /^otpauth:\/\/totp\/Tapline:manager%40demo\.tapline\.test\?/);
    assert.match(enrol.body.qrSvg, /^<svg/);
    const confirm = await c.post('/v1/console/auth/totp/enrolment/confirm', { code: totpCode(enrol.body.secret) });
    assert.equal(confirm.status, 200, JSON.stringify(confirm.body));
    const s = await c.get('/v1/console/session');
    assert.equal(s.body.user.totpEnrolled, true);
    assert.ok((await actions()).includes('auth.totp_enrolled'));
    // Enrolled now: a second enrolment (which could swap the secret) is refused.
    assert.equal((await c.post('/v1/console/auth/totp/enrolment')).status, 409);
  });

  test('a viewer signs in with a password only, reads, and is refused every change (403)', async () => {
    const c = await client().signIn(DEMO_USERS.viewer.email, DEMO_PASSWORD);
    assert.equal((await c.get('/v1/console/team')).status, 200);
    assert.equal((await c.get('/v1/console/audit')).status, 200);
    const add = await c.post('/v1/console/team', { email: 'x@demo.tapline.test', name: 'X', role: 'viewer' });
    assert.equal(add.status, 403);
    assert.equal(add.body.error.code, 'forbidden');
    // Even a route that does not exist: the role guard answers before the 404.
    assert.equal((await c.post('/v1/console/anything', {})).status, 403);
  });

  test('state-changing requests without the CSRF token, or from another origin, are refused and change nothing', async () => {
    const owner = await sessionClient(cloud.url, cloud.database.db, { userId: await userId(DEMO_USERS.owner.email), organisationId: 'demo-festivals' });
    const token = owner.csrfToken;
    owner.csrfToken = '';
    const noToken = await owner.post('/v1/console/team', { email: 'csrf@demo.tapline.test', name: 'C', role: 'viewer' });
    assert.equal(noToken.status, 403);
    assert.equal(noToken.body.error.code, 'csrf');
    owner.csrfToken = 'x'.repeat(token.length);
    assert.equal((await owner.post('/v1/console/team', { email: 'csrf@demo.tapline.test', name: 'C', role: 'viewer' })).status, 403);
    owner.csrfToken = token;
    const foreign = await owner.request('POST', '/v1/console/team', { email: 'csrf@demo.tapline.test', name: 'C', role: 'viewer' }, { origin: 'https://evil.example' });
    assert.equal(foreign.status, 403);
    const [row] = await cloud.database.db.select().from(users).where(eq(users.email, 'csrf@demo.tapline.test'));
    assert.equal(row, undefined);
    // Before sign-in: the token must match the tl_csrf cookie (double submit).
    const anon = client();
    const bare = await anon.post('/v1/console/auth/sign-in', { email: DEMO_USERS.viewer.email, password: DEMO_PASSWORD });
    assert.equal(bare.status, 403);
    await anon.get('/v1/console/session');
    assert.equal((await anon.post('/v1/console/auth/sign-in', { email: DEMO_USERS.viewer.email, password: DEMO_PASSWORD })).status, 200);
  });

  test('repeated wrong passwords lock the account with a growing wait (429), even for the right password', async () => {
    const org = await makeOrganisation(cloud.database.db, 'lock-org', 'Lock Org');
    const c = client();
    await c.get('/v1/console/session');
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await c.post('/v1/console/auth/sign-in', { email: org.users.viewer.email, password: 'wrong-password' })).status);
    assert.deepEqual(statuses, [401, 401, 401, 401, 429]);
    const locked = await c.post('/v1/console/auth/sign-in', { email: org.users.viewer.email, password: 'password-123' });
    assert.equal(locked.status, 429);
    assert.equal(locked.body.error.code, 'rate_limited');
    assert.ok(locked.body.error.details.retryAfterSeconds > 0);
    // An unknown address gets the same answer as a wrong password.
    const unknown = await c.post('/v1/console/auth/sign-in', { email: 'nobody@nowhere.test', password: 'wrong-password' });
    assert.equal(unknown.status, 401);
    assert.equal(unknown.body.error.message, 'That e-mail and password do not match an account.');
    assert.ok((await actions('lock-org')).filter((a) => a === 'auth.sign_in_failed').length === 5);
  });

  test('owners add, re-role and remove members; every change is audited; the last owner stays', async () => {
    const db = cloud.database.db;
    const org = await makeOrganisation(db, 'team-org', 'Team Org');
    const owner = await sessionClient(cloud.url, db, { userId: org.users.owner.userId, organisationId: org.id });
    const manager = await sessionClient(cloud.url, db, { userId: org.users.manager.userId, organisationId: org.id });
    assert.equal((await manager.post('/v1/console/team', { email: 'new@team-org.test', name: 'New', role: 'viewer' })).status, 403);

    const added = await owner.post('/v1/console/team', { email: 'New@Team-Org.test', name: 'Nina New', role: 'viewer' });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    assert.equal(added.body.member.email, 'new@team-org.test');
    assert.match(added.body.temporaryPassword, /^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    // The new person signs in with the one-time password.
    await client().signIn('new@team-org.test', added.body.temporaryPassword);
    assert.equal((await owner.post('/v1/console/team', { email: 'new@team-org.test', name: 'Again', role: 'viewer' })).status, 409);
    assert.equal((await owner.post('/v1/console/team', { email: 'not-an-email', name: 'Bad', role: 'viewer' })).status, 400);

    const newId = added.body.member.id as string;
    const promoted = await owner.patch(`/v1/console/team/${newId}`, { role: 'manager' });
    assert.equal(promoted.status, 200);
    assert.equal(promoted.body.members.find((m: { id: string }) => m.id === newId).role, 'manager');
    // A new role ends the member's sessions: a manager must pass the second factor at the next sign-in.
    assert.equal((await db.select().from(consoleSessions).where(eq(consoleSessions.userId, newId))).length, 0);

    const demoteSelf = await owner.patch(`/v1/console/team/${org.users.owner.userId}`, { role: 'viewer' });
    assert.equal(demoteSelf.status, 409);
    assert.equal((await owner.delete(`/v1/console/team/${org.users.owner.userId}`)).status, 409);
    const removed = await owner.delete(`/v1/console/team/${newId}`);
    assert.equal(removed.status, 200);
    assert.equal(removed.body.members.some((m: { id: string }) => m.id === newId), false);

    const audit = await owner.get('/v1/console/audit?pageSize=10');
    assert.equal(audit.status, 200);
    const seen = audit.body.entries.map((e: { action: string }) => e.action);
    for (const a of ['team.member_added', 'team.role_changed', 'team.member_removed']) assert.ok(seen.includes(a), `${a} in ${seen}`);
    const change = audit.body.entries.find((e: { action: string }) => e.action === 'team.role_changed');
    assert.equal(change.actorEmail, org.users.owner.email);
    assert.deepEqual(change.details, { email: 'new@team-org.test', from: 'viewer', to: 'manager' });
    // Only this organisation's entries.
    assert.ok(audit.body.entries.every((e: { actorEmail: string | null }) => !e.actorEmail?.includes('demo.tapline.test')));
  });

  test('the audit log pages', async () => {
    const owner = await sessionClient(cloud.url, cloud.database.db, { userId: await userId(DEMO_USERS.owner.email), organisationId: 'demo-festivals' });
    const all = await owner.get('/v1/console/audit?pageSize=200');
    const p2 = await owner.get('/v1/console/audit?page=2&pageSize=2');
    assert.equal(p2.body.total, all.body.total);
    assert.deepEqual(p2.body.entries.map((e: { id: number }) => e.id), all.body.entries.slice(2, 4).map((e: { id: number }) => e.id));
    assert.equal((await owner.get('/v1/console/audit?pageSize=1000')).status, 400);
  });

  test('signing out ends the session for good', async () => {
    const c = await client().signIn(DEMO_USERS.viewer.email, DEMO_PASSWORD);
    const cookie = c.cookies.get('tl_session')!;
    assert.equal((await c.post('/v1/console/auth/sign-out')).status, 200);
    assert.equal(c.cookies.has('tl_session'), false);
    c.cookies.set('tl_session', cookie);
    assert.equal((await c.get('/v1/console/team')).status, 401);
  });

  test('the console page is served with security headers; its assets load', async () => {
    const res = await fetch(`${cloud.url}/console/audit`);
    assert.equal(res.status, 200);
    const html = await res.text();
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('x-frame-options'), 'SAMEORIGIN');
    const js = /src="(\/console\/assets\/main-[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(js, html);
    const asset = await fetch(cloud.url + js);
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('content-type') ?? '', /javascript/);
    const api = await fetch(`${cloud.url}/v1/console/session`);
    assert.equal(api.headers.get('cache-control'), 'no-store');
  });

  async function userId(email: string): Promise<string> {
    const [row] = await cloud.database.db.select({ id: users.id }).from(users).where(eq(users.email, email));
    return row!.id;
  }
});
