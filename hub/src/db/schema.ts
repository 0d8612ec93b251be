import { sql } from 'drizzle-orm';
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

/**
 * Every fact a terminal pushed (sales, voids, and a desk's signups, pairings and blocks), as the canonical JSON of its
 * parsed form. Never updated, never deleted.
 */
export const orders = sqliteTable(
  'orders',
  {
    id: text('id').primaryKey(),
    terminalId: text('terminal_id')
      .notNull()
      .references(() => terminals.id),
    seq: integer('seq').notNull(),
    eventId: text('event_id').notNull(),
    kind: text('kind', { enum: ['sale', 'void', 'signup', 'pairing', 'block'] }).notNull(),
    /** '' for a signup, which concerns no band (a nullable column would mean rebuilding this table). */
    bandUid: text('band_uid').notNull(),
    /** Minor units; null for voids, which carry no amount of their own. */
    total: integer('total'),
    /** For a void, the sale it cancels: lets a tab skip voided sales without parsing bodies. */
    voidsOrderId: text('voids_order_id'),
    body: text('body').notNull(),
    fingerprint: text('fingerprint').notNull(),
    receivedAt: text('received_at').notNull(),
  },
  // Every index here is written by every order the hub commits, on the path a terminal's ack waits for: only what a
  // query needs. No band index (band_tabs answers per-band questions); the voids index holds voids only (a lookup by
  // `voids_order_id = ?` can use it, and sales no longer write to it).
  (t) => [
    index('orders_terminal_seq').on(t.terminalId, t.seq),
    index('orders_voids').on(t.voidsOrderId).where(sql`${t.voidsOrderId} IS NOT NULL`),
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

/**
 * Orders the cloud has not acknowledged yet, drained in id order. A row is written with its order, in the commit a
 * terminal's ack waits for, so it has no index of its own and no AUTOINCREMENT (whose sqlite_sequence row is one more
 * page per commit): a new id is above every row still waiting, which is all the order of draining needs, and an order
 * gets its one row only when its own row is new (OrderStore.insertFacts).
 */
export const cloudOutbox = sqliteTable('cloud_outbox', {
  id: integer('id').primaryKey(),
  orderId: text('order_id')
    .notNull()
    .references(() => orders.id),
});

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
  (t) => [
    primaryKey({ columns: [t.kind, t.key] }),
    // A desk's search shows each attendee's bands; a card status change finds the attendee's bands.
    index('config_band_attendee').on(sql`json_extract(${t.data}, '$.attendeeId')`).where(sql`${t.kind} = 'band'`),
  ],
);

/**
 * Attendees a registration desk can find: the cloud's (`source` 'cloud', config entities the hub keeps and never sends
 * to terminals: PII and volume) and walk-ups signed up at a desk ('venue', until the cloud's own entity replaces them).
 * The search columns are normalised copies of `data`, a DeskAttendee.
 */
export const attendees = sqliteTable(
  'attendees',
  {
    id: text('id').primaryKey(),
    eventId: text('event_id').notNull(),
    data: text('data').notNull(),
    source: text('source', { enum: ['cloud', 'venue'] }).notNull(),
    /** Lower case. */
    email: text('email'),
    /** The phone's digits reversed, so "ends with what was typed" is an index range. */
    phoneRev: text('phone_rev'),
    confirmationCode: text('confirmation_code'),
    /** For a stable order of results: last name, first name, folded. */
    sortName: text('sort_name').notNull(),
    /** The cloud log entry that last set it; 0 for a walk-up the cloud has not sent back yet. */
    seq: integer('seq').notNull(),
  },
  (t) => [
    index('attendees_email').on(t.email),
    index('attendees_phone_rev').on(t.phoneRev),
    index('attendees_code').on(t.confirmationCode),
  ],
);

/** Every folded word of every attendee's name: a prefix of a word is an index range. */
export const attendeeWords = sqliteTable(
  'attendee_words',
  {
    word: text('word').notNull(),
    attendeeId: text('attendee_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.word, t.attendeeId] }), index('attendee_words_attendee').on(t.attendeeId)],
);

/**
 * What the venue's own registration facts say of a band, kept until the cloud has them: the cloud's band entities do
 * not undo a pairing the cloud has not received (`pairingAckedGen` null), and never unblock a band blocked here.
 * `config` holds the result (the band as terminals must see it); this table is why.
 */
export const bandOverlay = sqliteTable(
  'band_overlay',
  {
  bandUid: text('band_uid').primaryKey(),
  /** The latest pairing applied here, while the cloud's view has not replaced it. */
  pairingFactId: text('pairing_fact_id'),
  attendeeId: text('attendee_id'),
  /**
   * The config pull generation current when the cloud acked that pairing. A pull started after it sees the cloud's
   * resolution of the fact, so from then on `cloudData` is the truth about this band's attendee.
   */
  pairingAckedGen: integer('pairing_acked_gen'),
  /** Blocked here: for ever, whatever the cloud sends. */
  blockFactId: text('block_fact_id'),
  /** The cloud's latest band entity (JSON), what the band falls back to once the cloud has the local pairing. */
  cloudData: text('cloud_data'),
  },
  (t) => [index('band_overlay_pairing').on(t.pairingFactId), index('band_overlay_attendee').on(t.attendeeId)],
);

