import { bigint, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { venues } from './schema.ts';

/**
 * Each hub's upload state as the cloud last saw it, one row per (venue, hub), written on every accepted push: when it
 * last uploaded and how many orders it said were still waiting behind that batch. The live view reads it; nothing is
 * derived from it, so a lost write only makes the panel a push older.
 */
export const hubUploads = pgTable(
  'hub_uploads',
  {
    venueId: text('venue_id')
      .notNull()
      .references(() => venues.id),
    hubId: text('hub_id').notNull(),
    firstPushAt: timestamp('first_push_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
    lastPushAt: timestamp('last_push_at', { withTimezone: true, mode: 'string' }).notNull(),
    /** Orders in the last push. */
    lastBatch: integer('last_batch').notNull(),
    /** Orders still in the hub's outbox behind the last push; null when the hub does not report it (older hubs). */
    backlog: integer('backlog'),
    pushes: bigint('pushes', { mode: 'number' }).notNull().default(0),
    ordersPushed: bigint('orders_pushed', { mode: 'number' }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.venueId, t.hubId] })],
);
