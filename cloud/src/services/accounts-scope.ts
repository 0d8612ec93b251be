import { and, asc, eq, inArray, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Queryable } from '../db/open.ts';
import { events, venues } from '../db/schema.ts';
import { HttpError } from '../http/http-error.ts';

/*
 * Tenancy. Every console query reaches an organisation's data through these helpers: an event or venue of another
 * organisation is answered exactly like one that does not exist (404), so ids cannot be probed across tenants. The
 * cross-tenant test (cloud/test/console-tenancy.test.ts) walks every /v1/console route and relies on this.
 */

export type Role = 'owner' | 'manager' | 'viewer';
export const ROLES: readonly Role[] = ['owner', 'manager', 'viewer'];

const RANK: Record<Role, number> = { viewer: 0, manager: 1, owner: 2 };

/** True when `role` may do what `needed` may (owner ⊇ manager ⊇ viewer). */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

/** The signed-in person behind a console request (`res.locals.consoleCaller`, see http/console/session-middleware.ts). */
export interface ConsoleCaller {
  userId: string;
  email: string;
  name: string;
  organisationId: string;
  organisationName: string;
  role: Role;
}

export interface ScopedEvent {
  id: string;
  venueId: string;
  venueName: string;
  name: string;
  currency: string;
  timezone: string | null;
  startsAt: string | null;
  endsAt: string | null;
  /** The event entity as configured (the shared `Event`). */
  data: Record<string, unknown>;
}

/**
 * SQL condition "this venue id column belongs to the caller's organisation", for queries the helpers below do not
 * cover (e.g. `where(and(venueOfCaller(db, caller, orders.venueId), …))`).
 */
export function venueOfCaller(db: Queryable, caller: ConsoleCaller, venueIdColumn: AnyPgColumn): SQL {
  return inArray(venueIdColumn, db.select({ id: venues.id }).from(venues).where(eq(venues.organisationId, caller.organisationId)));
}

const eventColumns = {
  id: events.id,
  venueId: events.venueId,
  venueName: venues.name,
  name: events.name,
  currency: events.currency,
  data: events.data,
};

function toScopedEvent(row: { id: string; venueId: string; venueName: string; name: string; currency: string; data: unknown }): ScopedEvent {
  const data = (row.data ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  return { ...row, data, timezone: str(data.timezone), startsAt: str(data.startsAt), endsAt: str(data.endsAt) };
}

/** The caller's organisation's events, newest start first. */
export async function scopedEvents(db: Queryable, caller: ConsoleCaller): Promise<ScopedEvent[]> {
  const rows = await db
    .select(eventColumns)
    .from(events)
    .innerJoin(venues, eq(venues.id, events.venueId))
    .where(eq(venues.organisationId, caller.organisationId))
    .orderBy(asc(events.name));
  return rows.map(toScopedEvent).sort((a, b) => (b.startsAt ?? '').localeCompare(a.startsAt ?? ''));
}

/** The event if it belongs to the caller's organisation; 404 `not_found` otherwise (whether absent or another's). */
export async function scopedEvent(db: Queryable, caller: ConsoleCaller, eventId: string): Promise<ScopedEvent> {
  const [row] = await db
    .select(eventColumns)
    .from(events)
    .innerJoin(venues, eq(venues.id, events.venueId))
    .where(and(eq(events.id, eventId), eq(venues.organisationId, caller.organisationId)))
    .limit(1);
  if (!row) throw new HttpError(404, 'not_found', `No event "${eventId}" in ${caller.organisationName}.`);
  return toScopedEvent(row);
}

export interface ScopedVenue {
  id: string;
  name: string;
}

export async function scopedVenues(db: Queryable, caller: ConsoleCaller): Promise<ScopedVenue[]> {
  return db
    .select({ id: venues.id, name: venues.name })
    .from(venues)
    .where(eq(venues.organisationId, caller.organisationId))
    .orderBy(asc(venues.name));
}

/** The venue if it belongs to the caller's organisation; 404 otherwise. */
export async function scopedVenue(db: Queryable, caller: ConsoleCaller, venueId: string): Promise<ScopedVenue> {
  const [row] = await db
    .select({ id: venues.id, name: venues.name })
    .from(venues)
    .where(and(eq(venues.id, venueId), eq(venues.organisationId, caller.organisationId)))
    .limit(1);
  if (!row) throw new HttpError(404, 'not_found', `No venue "${venueId}" in ${caller.organisationName}.`);
  return row;
}
