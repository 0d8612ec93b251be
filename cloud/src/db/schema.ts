import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
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

/**
 * Derived by the tabs.recompute job from the band's facts and its event's configuration (`priceTab`); can be rebuilt
 * from scratch at any time. The figures the console lists and sums are columns; the full priced tab (orders, lines,
 * discounts by promotion) is `priced`, read one tab at a time.
 */
export const tabs = pgTable(
  'tabs',
  {
    eventId: text('event_id').notNull(),
    bandUid: text('band_uid').notNull(),
    /** What the attendee owes: orders total + tip − refunds, minor units. */
    total: bigint('total', { mode: 'number' }).notNull(),
    sales: integer('sales').notNull(),
    voided: integer('voided').notNull(),
    /** Null only on rows written before pricing existed. */
    currency: text('currency'),
    subtotal: bigint('subtotal', { mode: 'number' }).notNull().default(0),
    discounts: bigint('discounts', { mode: 'number' }).notNull().default(0),
    tax: bigint('tax', { mode: 'number' }).notNull().default(0),
    tips: bigint('tips', { mode: 'number' }).notNull().default(0),
    refunds: bigint('refunds', { mode: 'number' }).notNull().default(0),
    /** The shared `PricedTab`. */
    priced: jsonb('priced'),
    updatedAt: createdAt('updated_at'),
  },
  (t) => [primaryKey({ columns: [t.eventId, t.bandUid] })],
);

/** Head office's promotions; `body` is the shared `Promotion`. Deactivated rows stay for the record. */
export const promotions = pgTable(
  'promotions',
  {
    eventId: text('event_id')
      .notNull()
      .references(() => events.id),
    id: text('id').notNull(),
    kind: text('kind').notNull(),
    body: jsonb('body').notNull(),
    active: boolean('active').notNull().default(true),
    createdAt: createdAt('created_at'),
    deactivatedAt: timestamp('deactivated_at', { withTimezone: true, mode: 'string' }),
  },
  (t) => [primaryKey({ columns: [t.eventId, t.id] })],
);

/** Tax per product category; `body` is the shared `TaxRule`. At most one active rule per category of an event. */
export const taxRules = pgTable(
  'tax_rules',
  {
    id: uuid('id').primaryKey(),
    eventId: text('event_id')
      .notNull()
      .references(() => events.id),
    body: jsonb('body').notNull(),
    active: boolean('active').notNull().default(true),
    createdAt: createdAt('created_at'),
    deactivatedAt: timestamp('deactivated_at', { withTimezone: true, mode: 'string' }),
  },
  (t) => [
    uniqueIndex('tax_rules_active_category_idx')
      .on(t.eventId, sql`(${t.body}->>'category')`)
      .where(sql`${t.active}`),
  ],
);

/**
 * Facts made in the cloud about the terminals' orders (the shared `TabFact`: refunds, tips, price fixes), immutable.
 * `bandUid` is the tab a refund or tip belongs to; null for a price fix, which reaches every band of its event.
 */
export const tabFacts = pgTable(
  'tab_facts',
  {
    id: uuid('id').primaryKey(),
    eventId: text('event_id')
      .notNull()
      .references(() => events.id),
    bandUid: text('band_uid'),
    kind: text('kind', { enum: ['refund', 'tip', 'price_fix'] }).notNull(),
    body: jsonb('body').notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true, mode: 'string' }).notNull(),
  },
  (t) => [
    index('tab_facts_event_band_idx').on(t.eventId, t.bandUid),
    index('tab_facts_event_kind_idx').on(t.eventId, t.kind),
  ],
);

/** CSV exports head office asked for; the file is `<dataDir>/exports/<fileName>` once `status` is ready. */
export const dataExports = pgTable(
  'exports',
  {
    id: uuid('id').primaryKey(),
    eventId: text('event_id')
      .notNull()
      .references(() => events.id),
    kind: text('kind', { enum: ['orders', 'tabs'] }).notNull(),
    status: text('status', { enum: ['pending', 'ready', 'failed'] }).notNull(),
    fileName: text('file_name'),
    rows: integer('rows'),
    bytes: bigint('bytes', { mode: 'number' }),
    error: text('error'),
    requestedAt: createdAt('requested_at'),
    completedAt: timestamp('completed_at', { withTimezone: true, mode: 'string' }),
  },
  (t) => [index('exports_event_idx').on(t.eventId, t.requestedAt)],
);
