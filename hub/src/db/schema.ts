import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** Small key/value facts about this hub: its id, the config cursor. */
export const meta = sqliteTable('meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

/** Paired terminals. Only the sha256 of each token is kept, so a copied DB file cannot impersonate a terminal. */
export const terminals = sqliteTable('terminals', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  tokenHash: text('token_hash').notNull(),
  pairedAt: text('paired_at').notNull(),
  lastSeenAt: text('last_seen_at'),
});

/** Every fact a terminal pushed, as the canonical JSON of its parsed form. Never updated, never deleted. */
export const orders = sqliteTable(
  'orders',
  {
    id: text('id').primaryKey(),
    terminalId: text('terminal_id')
      .notNull()
      .references(() => terminals.id),
    seq: integer('seq').notNull(),
    eventId: text('event_id').notNull(),
    kind: text('kind', { enum: ['sale', 'void'] }).notNull(),
    bandUid: text('band_uid').notNull(),
    /** Minor units; null for voids, which carry no amount of their own. */
    total: integer('total'),
    /** For a void, the sale it cancels: lets a tab skip voided sales without parsing bodies. */
    voidsOrderId: text('voids_order_id'),
    body: text('body').notNull(),
    fingerprint: text('fingerprint').notNull(),
    receivedAt: text('received_at').notNull(),
  },
  (t) => [
    index('orders_terminal_seq').on(t.terminalId, t.seq),
    index('orders_band').on(t.bandUid),
    index('orders_voids').on(t.voidsOrderId),
  ],
);

/**
 * Each band's venue-wide tab (its sales, less the voided ones), kept in the same transaction as the orders that
 * change it, so a terminal's full snapshot is one read of this table rather than a scan of every order. It can be
 * rebuilt from `orders` at any time (the migration that made it does exactly that).
 */
export const bandTabs = sqliteTable('band_tabs', {
  bandUid: text('band_uid').primaryKey(),
  total: integer('total').notNull(),
});

/** Orders the cloud has not acknowledged yet, drained in id order. */
export const cloudOutbox = sqliteTable(
  'cloud_outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id),
  },
  (t) => [uniqueIndex('cloud_outbox_order').on(t.orderId)],
);

/** Same id, other content: refused and kept here for a person to review. */
export const conflicts = sqliteTable(
  'conflicts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    orderId: text('order_id').notNull(),
    terminalId: text('terminal_id').notNull(),
    body: text('body').notNull(),
    fingerprint: text('fingerprint').notNull(),
    existingFingerprint: text('existing_fingerprint').notNull(),
    receivedAt: text('received_at').notNull(),
  },
  // A terminal resending the same conflicting fact must not grow the table.
  (t) => [uniqueIndex('conflicts_order_fingerprint').on(t.orderId, t.fingerprint)],
);

/** Orders the cloud called invalid: out of the outbox, kept for review. */
export const rejected = sqliteTable('rejected', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  orderId: text('order_id').notNull().unique(),
  body: text('body').notNull(),
  /** The cloud's ErrorBody, JSON. */
  error: text('error').notNull(),
  rejectedAt: text('rejected_at').notNull(),
});

/** The venue's configuration as last pulled from the cloud; `seq` is the cloud log entry that last set it. */
export const config = sqliteTable(
  'config',
  {
    kind: text('kind').notNull(),
    key: text('key').notNull(),
    data: text('data').notNull(),
    seq: integer('seq').notNull(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.key] })],
);

