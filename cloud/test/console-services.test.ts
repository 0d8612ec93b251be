import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import type { Request, Response } from 'express';
import { openDatabase, type Database } from '../src/db/open.ts';
import { consoleSessions } from '../src/db/schema.ts';
import { HttpError } from '../src/http/http-error.ts';
import { csrfGuard } from '../src/http/console/csrf.ts';
import { FIRST_LOCK_SECONDS, lockRemainingSeconds, lockSecondsAfter, MAX_LOCK_SECONDS } from '../src/services/accounts-lockout.ts';
import { hashPassword, verifyPassword } from '../src/services/accounts-password.ts';
import { createSession, findSession, hashSessionId, IDLE_MINUTES, ABSOLUTE_HOURS, PENDING_MINUTES, purgeEndedSessions } from '../src/services/accounts-session.ts';
import { newTotpSecret, totpCode, totpUri, verifyTotp } from '../src/services/accounts-totp.ts';
import { createOrganisation, createUser } from '../src/services/accounts.ts';
import { createTestDatabase, databaseSkipReason, type TestDatabase } from './helpers/database.ts';

describe('passwords (argon2id)', () => {
  test('a hash is argon2id, salted, verifies the right password only', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    assert.match(a, /^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$/);
    assert.notEqual(a, b, 'a fresh salt each time');
    assert.equal(await verifyPassword(a, 'correct horse battery'), true);
    assert.equal(await verifyPassword(a, 'correct horse batterY'), false);
    assert.equal(await verifyPassword('not a hash', 'x'), false);
    assert.equal(await verifyPassword(undefined, 'correct horse battery'), false);
  });
});

describe('TOTP', () => {
  const secret = newTotpSecret();
  const t0 = new Date('2030-01-01T12:00:10Z');
  const step0 = Math.floor(t0.getTime() / 30_000);

  test('the current code verifies and names its step; one step of drift either way is accepted, two are not', () => {
    assert.equal(verifyTotp(secret, totpCode(secret, t0), null, t0), step0);
    assert.equal(verifyTotp(secret, totpCode(secret, new Date(t0.getTime() - 30_000)), null, t0), step0 - 1);
    assert.equal(verifyTotp(secret, totpCode(secret, new Date(t0.getTime() + 30_000)), null, t0), step0 + 1);
    assert.equal(verifyTotp(secret, totpCode(secret, new Date(t0.getTime() + 90_000)), null, t0), null);
  });

  test('a code is good once: its step or an earlier one is a replay', () => {
    const code = totpCode(secret, t0);
    assert.equal(verifyTotp(secret, code, step0, t0), null);
    assert.equal(verifyTotp(secret, code, step0 - 1, t0), step0);
    assert.equal(verifyTotp(secret, totpCode(secret, new Date(t0.getTime() - 30_000)), step0 - 1, t0), null);
  });

  test('malformed codes are refused; spaces are forgiven', () => {
    const code = totpCode(secret, t0);
    assert.equal(verifyTotp(secret, `${code.slice(0, 3)} ${code.slice(3)}`, null, t0), step0);
    for (const bad of ['', '12345', '1234567', 'abcdef', '12345a']) assert.equal(verifyTotp(secret, bad, null, t0), null, bad);
  });

  test('the otpauth URI is what authenticator apps read', () => {
    const uri = new URL(totpUri(secret, 'sam@example.com'));
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.searchParams.get('secret'), secret);
    assert.equal(uri.searchParams.get('issuer'), 'Tapline');
    assert.equal(uri.searchParams.get('digits'), '6');
    assert.equal(uri.searchParams.get('period'), '30');
  });
});

describe('lockout backoff', () => {
  test('four free attempts, then 30 s doubling up to 15 min', () => {
    assert.deepEqual([1, 2, 3, 4].map(lockSecondsAfter), [0, 0, 0, 0]);
    assert.deepEqual([5, 6, 7, 8].map(lockSecondsAfter), [FIRST_LOCK_SECONDS, 60, 120, 240]);
    assert.equal(lockSecondsAfter(50), MAX_LOCK_SECONDS);
    assert.equal(lockSecondsAfter(10_000), MAX_LOCK_SECONDS);
  });
  test('remaining seconds round up and never go below zero', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    assert.equal(lockRemainingSeconds(null, now), 0);
    assert.equal(lockRemainingSeconds('2030-01-01T00:00:10.200Z', now), 11);
    assert.equal(lockRemainingSeconds('2029-12-31T23:59:00Z', now), 0);
  });
});

describe('CSRF guard', () => {
  const run = (req: { method: string; headers: Record<string, string> }, session?: { csrfToken: string }) => {
    const request = { method: req.method, get: (h: string) => req.headers[h.toLowerCase()] } as unknown as Request;
    const response = { locals: session ? { consoleSession: session } : {} } as unknown as Response;
    let passed = false;
    try {
      csrfGuard(request, response, () => {
        passed = true;
      });
    } catch (err) {
      assert.ok(err instanceof HttpError);
      assert.equal(err.status, 403);
      assert.equal(err.code, 'csrf');
    }
    return passed;
  };
  const host = { host: 'console.example' };

  test('reads pass; writes need the session token in x-csrf-token', () => {
    const session = { csrfToken: 'a'.repeat(43) };
    assert.equal(run({ method: 'GET', headers: host }, session), true);
    assert.equal(run({ method: 'POST', headers: host }, session), false);
    assert.equal(run({ method: 'POST', headers: { ...host, 'x-csrf-token': 'b'.repeat(43) } }, session), false);
    assert.equal(run({ method: 'DELETE', headers: { ...host, 'x-csrf-token': session.csrfToken } }, session), true);
  });

  test('before sign-in the header must match the tl_csrf cookie (double submit)', () => {
    const t = 'c'.repeat(43);
    assert.equal(run({ method: 'POST', headers: { ...host, 'x-csrf-token': t } }), false);
    assert.equal(run({ method: 'POST', headers: { ...host, 'x-csrf-token': t, cookie: `tl_csrf=${'d'.repeat(43)}` } }), false);
    assert.equal(run({ method: 'POST', headers: { ...host, 'x-csrf-token': t, cookie: `other=1; tl_csrf=${t}` } }), true);
    assert.equal(run({ method: 'POST', headers: { ...host, 'x-csrf-token': '', cookie: 'tl_csrf=' } }), false);
  });

  test('another Origin is refused even with the right token', () => {
    const session = { csrfToken: 'e'.repeat(43) };
    assert.equal(run({ method: 'POST', headers: { ...host, origin: 'https://evil.example', 'x-csrf-token': session.csrfToken } }, session), false);
    assert.equal(run({ method: 'POST', headers: { ...host, origin: 'http://console.example', 'x-csrf-token': session.csrfToken } }, session), true);
  });
});

const skip = await databaseSkipReason();

describe('sessions in the database', { skip }, () => {
  let target: TestDatabase;
  let database: Database;
  let userId: string;

  before(async () => {
    target = await createTestDatabase();
    database = await openDatabase(target.options);
    await createOrganisation(database.db, { id: 'org', name: 'Org' });
    ({ id: userId } = await createUser(database.db, { organisationId: 'org', email: 'a@org.test', name: 'A', role: 'owner', password: 'password-123' }));
  });
  after(async () => {
    await database?.close();
    await target?.drop();
  });

  const t0 = new Date('2030-06-01T10:00:00Z');
  const at = (ms: number) => new Date(t0.getTime() + ms);
  const MIN = 60_000;

  test('only the sha256 of the session id is stored', async () => {
    const { id, row } = await createSession(database.db, { userId, organisationId: 'org', stage: 'full' }, t0);
    assert.equal(row.idHash, hashSessionId(id));
    const [stored] = await database.db.select().from(consoleSessions).where(eq(consoleSessions.idHash, row.idHash));
    assert.ok(stored);
    assert.equal((await database.db.select().from(consoleSessions).where(eq(consoleSessions.idHash, id))).length, 0);
  });

  test('idle for 30 minutes ends a session; activity slides the idle timer', async () => {
    const { id } = await createSession(database.db, { userId, organisationId: 'org', stage: 'full' }, t0);
    assert.equal((await findSession(database.db, id, at(20 * MIN))).state, 'live');
    // Active at +20 min: alive at +45 (25 min idle), ended at +51 (31 min idle).
    assert.equal((await findSession(database.db, id, at(45 * MIN))).state, 'live');
    assert.equal((await findSession(database.db, id, at(45 * MIN + (IDLE_MINUTES + 1) * MIN))).state, 'expired');
    assert.equal((await findSession(database.db, id, at(46 * MIN))).state, 'none', 'an ended session is deleted');
  });

  test('12 hours after sign-in a session ends however active', async () => {
    const { id } = await createSession(database.db, { userId, organisationId: 'org', stage: 'full' }, t0);
    for (let m = 20; m < ABSOLUTE_HOURS * 60; m += 20) assert.equal((await findSession(database.db, id, at(m * MIN))).state, 'live', `at +${m} min`);
    assert.equal((await findSession(database.db, id, at(ABSOLUTE_HOURS * 60 * MIN))).state, 'expired');
  });

  test('a half-signed-in session lives 10 minutes', async () => {
    const { id } = await createSession(database.db, { userId, organisationId: 'org', stage: 'password' }, t0);
    assert.equal((await findSession(database.db, id, at((PENDING_MINUTES - 1) * MIN))).state, 'live');
    assert.equal((await findSession(database.db, id, at(PENDING_MINUTES * MIN))).state, 'expired');
  });

  test('purge drops ended sessions and keeps live ones', async () => {
    await database.db.delete(consoleSessions);
    const live = await createSession(database.db, { userId, organisationId: 'org', stage: 'full' }, at(60 * MIN));
    await createSession(database.db, { userId, organisationId: 'org', stage: 'full' }, t0);
    await purgeEndedSessions(database.db, at(60 * MIN + 1000));
    const left = await database.db.select({ idHash: consoleSessions.idHash }).from(consoleSessions);
    assert.deepEqual(left.map((r) => r.idHash), [live.row.idHash]);
  });
});
