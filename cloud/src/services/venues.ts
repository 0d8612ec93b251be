import { createHash, randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Queryable } from '../db/open.ts';
import { venues } from '../db/schema.ts';

export function hashVenueKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** 32 random bytes, URL-safe: what a hub puts after `Bearer `. */
export function newVenueKey(): string {
  return `vk_${randomBytes(32).toString('base64url')}`;
}

export interface Venue {
  id: string;
  name: string;
}

export async function findVenueByKey(db: Queryable, key: string): Promise<Venue | undefined> {
  const [row] = await db
    .select({ id: venues.id, name: venues.name })
    .from(venues)
    .where(eq(venues.keyHash, hashVenueKey(key)))
    .limit(1);
  return row;
}

export async function findVenue(db: Queryable, id: string): Promise<Venue | undefined> {
  const [row] = await db.select({ id: venues.id, name: venues.name }).from(venues).where(eq(venues.id, id)).limit(1);
  return row;
}

/** Inserts the venue; false when the id is taken (nothing written). */
export async function insertVenue(db: Queryable, venue: Venue, key: string): Promise<boolean> {
  const rows = await db
    .insert(venues)
    .values({ ...venue, keyHash: hashVenueKey(key) })
    .onConflictDoNothing({ target: venues.id })
    .returning({ id: venues.id });
  return rows.length === 1;
}
