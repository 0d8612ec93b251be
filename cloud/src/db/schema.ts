import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const createdAt = (name: string) => timestamp(name, { withTimezone: true, mode: 'string' }).notNull().defaultNow();

export const venues = pgTable('venues', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** sha256 (hex) of the venue key: the key itself is shown once and never stored. */
  keyHash: text('key_hash').notNull().unique(),
  createdAt: createdAt('created_at'),
});

/** Events also live in the config log; this table answers "which venue owns this event" with one indexed lookup. */
export const events = pgTable(
  'events',
  {
    id: text('id').primaryKey(),
    venueId: text('venue_id')
      .notNull()
      .references(() => venues.id),
    name: text('name').notNull(),
    currency: text('currency').notNull(),
    data: jsonb('data').notNull(),
    updatedAt: createdAt('updated_at'),
  },
  (t) => [index('events_venue_idx').on(t.venueId)],
);

/** The configuration log hubs pull from; `seq` is their cursor. Rows are only ever appended. */
export const configChanges = pgTable(
  'config_changes',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    venueId: text('venue_id')
      .notNull()
      .references(() => venues.id),
    kind: text('kind').notNull(),
    entityKey: text('entity_key').notNull(),
    data: jsonb('data').notNull(),
    createdAt: createdAt('created_at'),
  },
  (t) => [index('config_changes_venue_seq_idx').on(t.venueId, t.seq)],
);

/** Facts from terminals, immutable. Columns are copied out of `body` for queries; `body` is the fact as parsed. */
export const orders = pgTable(
  'orders',
  {
    id: uuid('id').primaryKey(),
    venueId: text('venue_id').notNull(),
    hubId: text('hub_id').notNull(),
    eventId: text('event_id')
      .notNull()
      .references(() => events.id),
    terminalId: text('terminal_id').notNull(),
    seq: integer('seq').notNull(),
    kind: text('kind', { enum: ['sale', 'void'] }).notNull(),
    bandUid: text('band_uid').notNull(),
    /** Minor units; null for a void. */
    total: bigint('total', { mode: 'number' }),
    currency: text('currency'),
    voidsOrderId: uuid('voids_order_id'),
    body: jsonb('body').notNull(),
    fingerprint: text('fingerprint').notNull(),
    terminalCreatedAt: timestamp('terminal_created_at', { withTimezone: true, mode: 'string' }).notNull(),
    receivedAt: createdAt('received_at'),
  },
  (t) => [
    index('orders_event_id_idx').on(t.eventId, t.id),
    index('orders_event_band_idx').on(t.eventId, t.bandUid),
    index('orders_voids_idx')
      .on(t.voidsOrderId)
      .where(sql`${t.voidsOrderId} is not null`),
  ],
);

/** Same id, other content: rejected, and kept here for a person to review. */
export const orderConflicts = pgTable(
  'order_conflicts',
  {
    id: serial('id').primaryKey(),
    orderId: uuid('order_id').notNull(),
    hubId: text('hub_id').notNull(),
    body: jsonb('body').notNull(),
    fingerprint: text('fingerprint').notNull(),
    existingFingerprint: text('existing_fingerprint').notNull(),
    receivedAt: createdAt('received_at'),
  },
  // A hub resends until settled: the same conflicting content is kept once.
  (t) => [uniqueIndex('order_conflicts_order_fp_idx').on(t.orderId, t.fingerprint)],
);

/** Derived from orders by the tabs.recompute job; can be rebuilt from scratch at any time. */
export const tabs = pgTable(
  'tabs',
  {
    eventId: text('event_id').notNull(),
    bandUid: text('band_uid').notNull(),
    total: bigint('total', { mode: 'number' }).notNull(),
    sales: integer('sales').notNull(),
    voided: integer('voided').notNull(),
    updatedAt: createdAt('updated_at'),
  },
  (t) => [primaryKey({ columns: [t.eventId, t.bandUid] })],
);
