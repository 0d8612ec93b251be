import { createHash, randomBytes } from 'node:crypto';
import { and, eq, lt, or } from 'drizzle-orm';
import type { Queryable } from '../db/open.ts';
import { consoleSessions } from '../db/schema.ts';

/*
 * Console sessions: a random 256-bit id in an httpOnly cookie; the database keeps its sha256 only. A session ends
 * after IDLE_MINUTES without a request (sliding) and ABSOLUTE_HOURS after sign-in whatever the activity. A session that
 * has passed the password but not yet the second factor ('password' stage) lives PENDING_MINUTES and can do nothing
 * but finish signing in.
 */

export const IDLE_MINUTES = 30;
export const ABSOLUTE_HOURS = 12;
export const PENDING_MINUTES = 10;
/** lastSeenAt is written at most this often: a page polling every 5 s must not write every 5 s. */
export const TOUCH_EVERY_SECONDS = 60;

export type SessionStage = 'password' | 'full';

export interface SessionRow {
  idHash: string;
  userId: string;
  organisationId: string;
  stage: SessionStage;
  csrfToken: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
}

export function hashSessionId(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Creates a session; returns the cookie value (shown once) and the row. */
export async function createSession(
  db: Queryable,
  s: { userId: string; organisationId: string; stage: SessionStage },
  now: Date = new Date(),
): Promise<{ id: string; row: SessionRow }> {
  const id = newToken();
  const lifetimeMs = s.stage === 'full' ? ABSOLUTE_HOURS * 3_600_000 : PENDING_MINUTES * 60_000;
  const row: SessionRow = {
    idHash: hashSessionId(id),
    userId: s.userId,
    organisationId: s.organisationId,
    stage: s.stage,
    csrfToken: newToken(),
    createdAt: now.toISOString(),
    lastSeenAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + lifetimeMs).toISOString(),
  };
  await db.insert(consoleSessions).values(row);
  return { id, row };
}

export type SessionLookup = { state: 'none' } | { state: 'expired' } | { state: 'live'; row: SessionRow };

/** Why a session is over at `now`, or null while it is live. */
export function sessionEnded(row: Pick<SessionRow, 'lastSeenAt' | 'expiresAt' | 'stage'>, now: Date): 'absolute' | 'idle' | null {
  if (now.getTime() >= new Date(row.expiresAt).getTime()) return 'absolute';
  if (row.stage === 'full' && now.getTime() - new Date(row.lastSeenAt).getTime() >= IDLE_MINUTES * 60_000) return 'idle';
  return null;
}

/** The live session behind a cookie value, sliding its idle timer; an ended one is deleted and reported as expired. */
export async function findSession(db: Queryable, id: string | undefined, now: Date = new Date()): Promise<SessionLookup> {
  if (!id) return { state: 'none' };
  const idHash = hashSessionId(id);
  const [row] = await db.select().from(consoleSessions).where(eq(consoleSessions.idHash, idHash)).limit(1);
  if (!row) return { state: 'none' };
  const session = row as SessionRow;
  if (sessionEnded(session, now)) {
    await db.delete(consoleSessions).where(eq(consoleSessions.idHash, idHash));
    return { state: 'expired' };
  }
  if (now.getTime() - new Date(session.lastSeenAt).getTime() >= TOUCH_EVERY_SECONDS * 1000) {
    session.lastSeenAt = now.toISOString();
    await db.update(consoleSessions).set({ lastSeenAt: session.lastSeenAt }).where(eq(consoleSessions.idHash, idHash));
  }
  return { state: 'live', row: session };
}

export async function deleteSession(db: Queryable, idHash: string): Promise<void> {
  await db.delete(consoleSessions).where(eq(consoleSessions.idHash, idHash));
}

export async function deleteUserSessions(db: Queryable, userId: string): Promise<void> {
  await db.delete(consoleSessions).where(eq(consoleSessions.userId, userId));
}

/** Drops ended sessions (called now and then; a lookup also drops the one it finds ended). */
export async function purgeEndedSessions(db: Queryable, now: Date = new Date()): Promise<void> {
  const idleCutoff = new Date(now.getTime() - IDLE_MINUTES * 60_000).toISOString();
  await db
    .delete(consoleSessions)
    .where(or(lt(consoleSessions.expiresAt, now.toISOString()), and(eq(consoleSessions.stage, 'full'), lt(consoleSessions.lastSeenAt, idleCutoff))));
}
