import { bigint, boolean, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { events, venues } from './schema.ts';

/*
 * Terminals as head office's Devices screen lists them, read without touching `orders`: what each hub says of its
 * paired terminals on its configuration pull, and per event and terminal a count of what it sold, kept by ingest.
 */

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'string' });

/**
 * The terminals a hub reported on its latest pull (shared/src/protocol/hub-cloud.ts `HubTerminalReport`), one row
 * per (venue, terminal): a terminal re-paired with another hub of the venue moves with the latest report. Nothing is
 * derived from it; a lost write only makes the screen one pull older.
 */
export const hubTerminals = pgTable(
  'hub_terminals',
  {
    venueId: text('venue_id')
      .notNull()
      .references(() => venues.id),
    terminalId: text('terminal_id').notNull(),
    hubId: text('hub_id').notNull(),
    label: text('label').notNull(),
    pairedAt: at('paired_at').notNull(),
    lastSeenAt: at('last_seen_at'),
    online: boolean('online').notNull(),
    /** Its orders waiting in the hub's cloud outbox; null when the hub does not count them. */
    backlog: integer('backlog'),
    /** When the cloud received the report. */
    reportedAt: at('reported_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.venueId, t.terminalId] })],
);

/**
 * What each terminal sold in each event, counted by ingest in the transaction that stores the orders (one upsert per
 * push), so the Devices screen reads a row per terminal however many orders there are. Duplicates and conflicts are
 * not counted: only orders the insert stored.
 */
export const terminalSales = pgTable(
  'terminal_sales',
  {
    eventId: text('event_id')
      .notNull()
      .references(() => events.id),
    terminalId: text('terminal_id').notNull(),
    venueId: text('venue_id').notNull(),
    /** The hub its latest orders came through. */
    hubId: text('hub_id').notNull(),
    sales: bigint('sales', { mode: 'number' }).notNull(),
    voids: bigint('voids', { mode: 'number' }).notNull(),
    /** Its highest per-terminal seq among them. */
    lastSeq: integer('last_seq').notNull(),
    /** When the cloud stored its latest order of the event. */
    lastOrderAt: at('last_order_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.eventId, t.terminalId] })],
);
