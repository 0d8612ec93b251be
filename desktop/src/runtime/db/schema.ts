import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Small settings of this terminal: hubUrl, hubId, terminalId, token, stationId, configCursor, lastAckAt. */
export const meta = sqliteTable('meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

/** The catalog, stations, staff and bands as last received from the hub; `data` is the entity's JSON. */
export const config = sqliteTable(
  'config',
  {
    kind: text('kind').notNull(),
    key: text('key').notNull(),
    data: text('data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.key] })],
);

export type OrderStatus = 'pending' | 'acked' | 'rejected';

/**
 * Every fact this terminal has made: sales and voids, and a registration desk's signups, pairings and blocks (one seq,
 * one outbox). Rows are never deleted: the hub's ack only changes `status`.
 */
export const orders = sqliteTable(
  'orders',
  {
    id: text('id').primaryKey(),
    seq: integer('seq').notNull().unique(),
    kind: text('kind', { enum: ['sale', 'void', 'signup', 'pairing', 'block'] }).notNull(),
    /** '' for a signup, which concerns no band. */
    bandUid: text('band_uid').notNull(),
    /** The sale's total in minor units; 0 for any other fact (a void's effect is found through voids_order_id). */
    total: integer('total').notNull(),
    /** For a void, the sale it cancels: lets the tab query skip voided sales without parsing bodies. */
    voidsOrderId: text('voids_order_id'),
    /** Canonical JSON of the fact, exactly what is sent to the hub. */
    body: text('body').notNull(),
    status: text('status', { enum: ['pending', 'acked', 'rejected'] })
      .notNull()
      .default('pending'),
    rejectReason: text('reject_reason'),
    offline: integer('offline', { mode: 'boolean' }).notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [
    index('orders_band_idx').on(t.bandUid),
    index('orders_voids_idx').on(t.voidsOrderId),
    index('orders_offline_status_idx').on(t.offline, t.status),
  ],
);

/** What is still to be acknowledged by the hub, in seq order; a row goes only after the hub's ack. */
export const outbox = sqliteTable('outbox', {
  seq: integer('seq').primaryKey(),
  orderId: text('order_id')
    .notNull()
    .references(() => orders.id),
});

/**
 * The venue-wide tabs as the hub last said (its sales from every terminal, less voids), kept so a terminal restarted
 * without the hub still knows them. The `committedSeq` they go with is `tabsCommittedSeq` in meta.
 */
export const venueTabs = sqliteTable('venue_tabs', {
  bandUid: text('band_uid').primaryKey(),
  total: integer('total').notNull(),
});

/**
 * Attendees this registration desk found at the hub (with their bands as found), so a desk restarted mid-shift can
 * still open and pair them without searching again. Bounded by desk-memory.ts; `seen` is a counter (larger is more
 * recent), not a clock.
 */
export const deskAttendees = sqliteTable(
  'desk_attendees',
  {
    attendeeId: text('attendee_id').primaryKey(),
    /** The hub's search result (DeskSearchResult) as JSON. */
    data: text('data').notNull(),
    seen: integer('seen').notNull(),
  },
  (t) => [index('desk_attendees_seen_idx').on(t.seen)],
);
