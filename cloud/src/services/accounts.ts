import { randomBytes } from 'node:crypto';
import { newId } from '@tapline/shared';
import { and, asc, count, eq, max, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../db/open.ts';
import { consoleSessions, memberships, organisations, users, venues } from '../db/schema.ts';
import { HttpError } from '../http/http-error.ts';
import { lockRemainingSeconds, lockSecondsAfter } from './accounts-lockout.ts';
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './accounts-password.ts';
import type { ConsoleCaller, Role } from './accounts-scope.ts';
import { createSession, deleteSession, deleteUserSessions, type SessionRow } from './accounts-session.ts';
import { newTotpSecret, totpQrSvg, totpUri, verifyTotp } from './accounts-totp.ts';
import { audit } from './audit.ts';

/*
 * Organisations, users, memberships and signing in. Owners and managers must use a second factor (TOTP); a viewer
 * may. Signing in is two steps when a second factor is due: the password gives a 'password' session that can only
 * finish signing in (enrol, or enter a code), and the code replaces it with a 'full' one (a new id: no fixation).
 */

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Roles that cannot sign in without a second factor. */
export function totpRequired(role: Role): boolean {
  return role === 'owner' || role === 'manager';
}

export async function createOrganisation(db: Queryable, org: { id: string; name: string }): Promise<boolean> {
  const rows = await db.insert(organisations).values(org).onConflictDoNothing().returning({ id: organisations.id });
  return rows.length === 1;
}

/** Makes `organisationId` the owner of the venue (its events then show in that organisation's console). */
export async function assignVenue(db: Queryable, venueId: string, organisationId: string): Promise<void> {
  await db.update(venues).set({ organisationId }).where(eq(venues.id, venueId));
}

export interface NewUser {
  organisationId: string;
  email: string;
  name: string;
  role: Role;
  password: string;
  /** Pre-enrolled second factor (the demo's owner; tests). */
  totpSecret?: string;
}

/** Creates a user and their membership; 409 `conflict` when the e-mail is taken (nothing written). */
export async function createUser(db: Queryable, u: NewUser): Promise<{ id: string }> {
  const email = normaliseEmail(u.email);
  if (u.password.length < MIN_PASSWORD_LENGTH) {
    throw new HttpError(400, 'invalid_body', `password: use at least ${MIN_PASSWORD_LENGTH} characters.`);
  }
  const passwordHash = await hashPassword(u.password);
  const id = newId();
  const inserted = await db
    .insert(users)
    .values({ id, email, name: u.name.trim(), passwordHash, totpSecret: u.totpSecret ?? null, totpEnrolled: Boolean(u.totpSecret) })
    .onConflictDoNothing()
    .returning({ id: users.id });
  if (inserted.length !== 1) throw new HttpError(409, 'conflict', `There is already an account for ${email}.`);
  await db.insert(memberships).values({ organisationId: u.organisationId, userId: id, role: u.role });
  return { id };
}

interface LoginUser {
  id: string;
  email: string;
  name: string;
  passwordHash: string;
  totpSecret: string | null;
  totpEnrolled: boolean;
  totpLastStep: number | null;
  failedAttempts: number;
  lockedUntil: string | null;
  organisationId: string;
  organisationName: string;
  role: Role;
}

async function loginUser(db: Queryable, where: ReturnType<typeof eq>): Promise<LoginUser | undefined> {
  const [row] = await db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      passwordHash: users.passwordHash,
      totpSecret: users.totpSecret,
      totpEnrolled: users.totpEnrolled,
      totpLastStep: users.totpLastStep,
      failedAttempts: users.failedAttempts,
      lockedUntil: users.lockedUntil,
      organisationId: memberships.organisationId,
      organisationName: organisations.name,
      role: memberships.role,
    })
    .from(users)
    .innerJoin(memberships, eq(memberships.userId, users.id))
    .innerJoin(organisations, eq(organisations.id, memberships.organisationId))
    .where(where)
    .limit(1);
  return row;
}

/** The caller of a live session, or undefined when its user or membership is gone. */
export async function callerOfSession(db: Queryable, session: Pick<SessionRow, 'userId'>): Promise<ConsoleCaller | undefined> {
  const u = await loginUser(db, eq(users.id, session.userId));
  if (!u) return undefined;
  return { userId: u.id, email: u.email, name: u.name, organisationId: u.organisationId, organisationName: u.organisationName, role: u.role };
}

const locked = (seconds: number) =>
  new HttpError(429, 'rate_limited', `Too many failed attempts: try again in ${seconds} seconds.`, { retryAfterSeconds: seconds });

const actorOf = (u: LoginUser) => ({ organisationId: u.organisationId, userId: u.id, email: u.email });

/** Counts a failed attempt (and locks when due) in its own transaction, with its audit row; returns the lock seconds. */
async function recordFailure(db: Db, u: LoginUser, factor: 'password' | 'totp', now: Date): Promise<number> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(users)
      .set({ failedAttempts: sql`${users.failedAttempts} + 1` })
      .where(eq(users.id, u.id))
      .returning({ failedAttempts: users.failedAttempts });
    const failures = row?.failedAttempts ?? u.failedAttempts + 1;
    const lockSeconds = lockSecondsAfter(failures);
    if (lockSeconds > 0) {
      await tx.update(users).set({ lockedUntil: new Date(now.getTime() + lockSeconds * 1000).toISOString() }).where(eq(users.id, u.id));
    }
    await audit(tx, actorOf(u), 'auth.sign_in_failed', `user:${u.id}`, { factor, failures, ...(lockSeconds ? { lockedSeconds: lockSeconds } : {}) });
    return lockSeconds;
  });
}

export type SignInNext = 'done' | 'totp' | 'enrol';

export interface SignInResult {
  next: SignInNext;
  /** The new session's cookie value. */
  sessionId: string;
  session: SessionRow;
}

function nextStepFor(u: Pick<LoginUser, 'role' | 'totpEnrolled'>): SignInNext {
  if (u.totpEnrolled) return 'totp';
  return totpRequired(u.role) ? 'enrol' : 'done';
}

/** Step one: e-mail and password. 401 for a wrong pair (same answer for an unknown e-mail), 429 while locked. */
export async function signInWithPassword(db: Db, email: string, password: string, now: Date = new Date()): Promise<SignInResult> {
  const u = await loginUser(db, eq(users.email, normaliseEmail(email)));
  const remaining = u ? lockRemainingSeconds(u.lockedUntil, now) : 0;
  if (u && remaining > 0) throw locked(remaining);
  const ok = await verifyPassword(u?.passwordHash, password);
  if (!u || !ok) {
    if (u) {
      const lockSeconds = await recordFailure(db, u, 'password', now);
      if (lockSeconds > 0) throw locked(lockSeconds);
    }
    throw new HttpError(401, 'unauthorized', 'That e-mail and password do not match an account.');
  }
  const next = nextStepFor(u);
  return db.transaction(async (tx) => {
    const { id, row } = await createSession(tx, { userId: u.id, organisationId: u.organisationId, stage: next === 'done' ? 'full' : 'password' }, now);
    if (next === 'done') {
      await tx.update(users).set({ failedAttempts: 0, lockedUntil: null }).where(eq(users.id, u.id));
      await audit(tx, actorOf(u), 'auth.signed_in', `user:${u.id}`, { factors: ['password'] });
    }
    return { next, sessionId: id, session: row };
  });
}

async function pendingUser(db: Queryable, session: SessionRow): Promise<LoginUser> {
  const u = await loginUser(db, eq(users.id, session.userId));
  if (!u) throw new HttpError(401, 'unauthorized', 'This account no longer exists.');
  return u;
}

/** Replaces the 'password' session by a full one, clears the failures, audits the sign-in. */
async function completeSignIn(db: Db, u: LoginUser, session: SessionRow, step: number, how: string, now: Date): Promise<SignInResult> {
  return db.transaction(async (tx) => {
    // The step is claimed in the same statement that checks it: two requests with one code cannot both pass.
    const claimed = await tx
      .update(users)
      .set({ totpLastStep: step, failedAttempts: 0, lockedUntil: null, totpEnrolled: true })
      .where(and(eq(users.id, u.id), sql`(${users.totpLastStep} is null or ${users.totpLastStep} < ${step})`))
      .returning({ id: users.id });
    if (claimed.length !== 1) throw new HttpError(401, 'unauthorized', 'That code was already used; wait for the next one.');
    await deleteSession(tx, session.idHash);
    const { id, row } = await createSession(tx, { userId: u.id, organisationId: u.organisationId, stage: 'full' }, now);
    if (how === 'enrolled') await audit(tx, actorOf(u), 'auth.totp_enrolled', `user:${u.id}`);
    await audit(tx, actorOf(u), 'auth.signed_in', `user:${u.id}`, { factors: ['password', 'totp'] });
    return { next: 'done' as const, sessionId: id, session: row };
  });
}

/** Step two for an enrolled user: the code from their app. */
export async function signInWithTotp(db: Db, session: SessionRow, code: string, now: Date = new Date()): Promise<SignInResult> {
  if (session.stage !== 'password') throw new HttpError(409, 'conflict', 'You are already signed in.');
  const u = await pendingUser(db, session);
  if (!u.totpEnrolled || !u.totpSecret) throw new HttpError(409, 'conflict', 'Set up two-factor sign-in first.');
  const remaining = lockRemainingSeconds(u.lockedUntil, now);
  if (remaining > 0) throw locked(remaining);
  const step = verifyTotp(u.totpSecret, code, u.totpLastStep, now);
  if (step === null) {
    const lockSeconds = await recordFailure(db, u, 'totp', now);
    if (lockSeconds > 0) throw locked(lockSeconds);
    throw new HttpError(401, 'unauthorized', 'That code is not right. Enter the 6 digits your authenticator app shows now.');
  }
  return completeSignIn(db, u, session, step, 'code', now);
}

/** Starts (or restarts) enrolment: a fresh secret kept on the user until a code confirms it. */
export async function startTotpEnrolment(db: Db, session: SessionRow): Promise<{ secret: string; uri: string; qrSvg: string }> {
  const u = await pendingUser(db, session);
  if (u.totpEnrolled) throw new HttpError(409, 'conflict', 'Two-factor sign-in is already set up for this account.');
  const secret = newTotpSecret();
  await db.update(users).set({ totpSecret: secret }).where(and(eq(users.id, u.id), eq(users.totpEnrolled, false)));
  const uri = totpUri(secret, u.email);
  return { secret, uri, qrSvg: await totpQrSvg(uri) };
}

/** Confirms enrolment with a first code; a 'password' session becomes a full one, a full session is kept (new id). */
export async function confirmTotpEnrolment(db: Db, session: SessionRow, code: string, now: Date = new Date()): Promise<SignInResult> {
  const u = await pendingUser(db, session);
  if (u.totpEnrolled) throw new HttpError(409, 'conflict', 'Two-factor sign-in is already set up for this account.');
  if (!u.totpSecret) throw new HttpError(409, 'conflict', 'Start the set-up first: there is no code to check yet.');
  const remaining = lockRemainingSeconds(u.lockedUntil, now);
  if (remaining > 0) throw locked(remaining);
  const step = verifyTotp(u.totpSecret, code, u.totpLastStep, now);
  if (step === null) {
    const lockSeconds = await recordFailure(db, u, 'totp', now);
    if (lockSeconds > 0) throw locked(lockSeconds);
    throw new HttpError(401, 'unauthorized', 'That code is not right. Check the time on your phone and enter the code it shows now.');
  }
  return completeSignIn(db, u, session, step, 'enrolled', now);
}

export async function signOut(db: Db, caller: Pick<ConsoleCaller, 'organisationId' | 'userId' | 'email'> | undefined, session: SessionRow): Promise<void> {
  await db.transaction(async (tx) => {
    await deleteSession(tx, session.idHash);
    if (caller && session.stage === 'full') await audit(tx, caller, 'auth.signed_out', `user:${caller.userId}`);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The team (owner only for changes; http/console/auth-team-router.ts checks the role).

export interface Member {
  id: string;
  email: string;
  name: string;
  role: Role;
  totpEnrolled: boolean;
  createdAt: string;
  /** When any of the member's sessions last made a request; null if never signed in (or all sessions ended). */
  lastSeenAt: string | null;
}

export async function listMembers(db: Queryable, organisationId: string): Promise<Member[]> {
  const rows = await db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: memberships.role,
      totpEnrolled: users.totpEnrolled,
      createdAt: users.createdAt,
      lastSeenAt: max(consoleSessions.lastSeenAt),
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .leftJoin(consoleSessions, and(eq(consoleSessions.userId, users.id), eq(consoleSessions.stage, 'full')))
    .where(eq(memberships.organisationId, organisationId))
    .groupBy(users.id, memberships.role)
    .orderBy(asc(users.name));
  const order: Record<Role, number> = { owner: 0, manager: 1, viewer: 2 };
  return rows
    .map((r) => ({ ...r, createdAt: new Date(r.createdAt).toISOString(), lastSeenAt: r.lastSeenAt ? new Date(r.lastSeenAt).toISOString() : null }))
    .sort((a, b) => order[a.role] - order[b.role] || a.name.localeCompare(b.name));
}

/** A member of the caller's organisation, or 404 (another organisation's user looks absent). */
export async function scopedMember(db: Queryable, caller: ConsoleCaller, userId: string): Promise<{ id: string; email: string; role: Role }> {
  const [row] = await db
    .select({ id: users.id, email: users.email, role: memberships.role })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.organisationId, caller.organisationId), eq(memberships.userId, userId)))
    .limit(1);
  if (!row) throw new HttpError(404, 'not_found', `No team member "${userId}" in ${caller.organisationName}.`);
  return row;
}

async function ownerCount(db: Queryable, organisationId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(memberships)
    .where(and(eq(memberships.organisationId, organisationId), eq(memberships.role, 'owner')));
  return Number(row?.n ?? 0);
}

/** A readable one-time password: 4 groups of 4 from an alphabet without look-alikes (about 80 bits). */
export function temporaryPassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = randomBytes(16);
  let out = '';
  for (let i = 0; i < 16; i++) out += alphabet[bytes[i]! % alphabet.length];
  return out.match(/.{4}/g)!.join('-');
}

/** Adds a person to the caller's organisation with a one-time password shown to the owner once. */
export async function addMember(
  db: Db,
  caller: ConsoleCaller,
  m: { email: string; name: string; role: Role },
): Promise<{ member: Member; temporaryPassword: string }> {
  const password = temporaryPassword();
  const id = await db.transaction(async (tx) => {
    const { id } = await createUser(tx, { organisationId: caller.organisationId, email: m.email, name: m.name, role: m.role, password });
    await audit(tx, caller, 'team.member_added', `user:${id}`, { email: normaliseEmail(m.email), name: m.name.trim(), role: m.role });
    return id;
  });
  const member = (await listMembers(db, caller.organisationId)).find((x) => x.id === id)!;
  return { member, temporaryPassword: password };
}

export async function changeRole(db: Db, caller: ConsoleCaller, userId: string, role: Role): Promise<void> {
  await db.transaction(async (tx) => {
    const member = await scopedMember(tx, caller, userId);
    if (member.role === role) return;
    if (member.role === 'owner' && (await ownerCount(tx, caller.organisationId)) <= 1) {
      throw new HttpError(409, 'conflict', 'An organisation needs at least one owner: make someone else owner first.');
    }
    await tx.update(memberships).set({ role }).where(and(eq(memberships.organisationId, caller.organisationId), eq(memberships.userId, userId)));
    // A new role applies from the next sign-in: a manager made owner or a viewer made manager must pass the second
    // factor the new role needs, so their sessions end now.
    await deleteUserSessions(tx, userId);
    await audit(tx, caller, 'team.role_changed', `user:${userId}`, { email: member.email, from: member.role, to: role });
  });
}

export async function removeMember(db: Db, caller: ConsoleCaller, userId: string): Promise<void> {
  if (userId === caller.userId) throw new HttpError(409, 'conflict', 'You cannot remove yourself; another owner can.');
  await db.transaction(async (tx) => {
    const member = await scopedMember(tx, caller, userId);
    if (member.role === 'owner' && (await ownerCount(tx, caller.organisationId)) <= 1) {
      throw new HttpError(409, 'conflict', 'An organisation needs at least one owner.');
    }
    // Users belong to one organisation: removing the membership removes the account (sessions go with it).
    await tx.delete(memberships).where(and(eq(memberships.organisationId, caller.organisationId), eq(memberships.userId, userId)));
    await tx.delete(users).where(eq(users.id, userId));
    await audit(tx, caller, 'team.member_removed', `user:${userId}`, { email: member.email, role: member.role });
  });
}
