import { sql } from 'drizzle-orm';
import { bigserial, boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/*
 * Head-office accounts (issue 6.1): organisations own venues (venues.organisation_id), users belong to one
 * organisation through a membership that carries their role, sessions are server-side rows behind a cookie, and the
 * audit log records every change a person makes in the console.
 */

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'string' });

export const organisations = pgTable('organisations', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: at('created_at').notNull().defaultNow(),
});

export const users = pgTable(
  'users',
  {
    id: text('id').primaryKey(),
    /** Stored lower-cased and trimmed: the login compares it as typed, case-insensitively. */
    email: text('email').notNull(),
    name: text('name').notNull(),
    /** argon2id PHC string. */
    passwordHash: text('password_hash').notNull(),
    /** Base32 TOTP secret; set (not yet enrolled) while enrolment is in progress. */
    totpSecret: text('totp_secret'),
    totpEnrolled: boolean('totp_enrolled').notNull().default(false),
    /** The last TOTP time step accepted: a code is good once (no replay within its 30 s window). */
    totpLastStep: integer('totp_last_step'),
    /** Consecutive failed password or TOTP attempts; reset by a successful login. */
    failedAttempts: integer('failed_attempts').notNull().default(0),
    lockedUntil: at('locked_until'),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('users_email_idx').on(t.email)],
);

export const memberships = pgTable(
  'memberships',
  {
    organisationId: text('organisation_id')
      .notNull()
      .references(() => organisations.id),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ['owner', 'manager', 'viewer'] }).notNull(),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  // One organisation per user for now: the session knows its organisation without asking.
  (t) => [primaryKey({ columns: [t.organisationId, t.userId] }), uniqueIndex('memberships_user_idx').on(t.userId)],
);

export const consoleSessions = pgTable(
  'console_sessions',
  {
    /** sha256 (hex) of the cookie's value: a leaked table does not hand out sessions. */
    idHash: text('id_hash').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    organisationId: text('organisation_id')
      .notNull()
      .references(() => organisations.id),
    /** 'password': the password was right, the second factor is still due. 'full': signed in. */
    stage: text('stage', { enum: ['password', 'full'] }).notNull(),
    /** Synchronizer token every state-changing request of this session sends as x-csrf-token. */
    csrfToken: text('csrf_token').notNull(),
    createdAt: at('created_at').notNull().defaultNow(),
    lastSeenAt: at('last_seen_at').notNull().defaultNow(),
    /** The absolute end, whatever the activity. */
    expiresAt: at('expires_at').notNull(),
  },
  (t) => [index('console_sessions_user_idx').on(t.userId)],
);

export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    organisationId: text('organisation_id')
      .notNull()
      .references(() => organisations.id),
    /** Null for the platform (admin token) or a system action. */
    userId: text('user_id'),
    /** Kept as written: the row must still say who it was after the user is removed. */
    actorEmail: text('actor_email'),
    action: text('action').notNull(),
    /** What was acted on, e.g. `user:<id>` or `event:<id>`. */
    target: text('target').notNull(),
    details: jsonb('details').notNull().default(sql`'{}'::jsonb`),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (t) => [index('audit_log_org_id_idx').on(t.organisationId, t.id)],
);
