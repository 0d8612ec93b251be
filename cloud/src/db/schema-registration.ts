import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { events } from './schema.ts';

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'string' });

/**
 * Registration facts from terminals (signup, pairing, block), immutable, stored idempotently like `orders` (same id
 * and fingerprint: duplicate; other fingerprint: a conflict in `order_conflicts`). Kept apart from `orders` so that
 * every reader of orders (tabs, pricing, exports, receipts, payments) sees sales and voids only.
 * The columns copied out of `body` are the ones the clash rule looks facts up by.
 */
export const registrationFacts = pgTable(
  'registration_facts',
  {
    id: uuid('id').primaryKey(),
    venueId: text('venue_id').notNull(),
    hubId: text('hub_id').notNull(),
    eventId: text('event_id')
      .notNull()
      .references(() => events.id),
    terminalId: text('terminal_id').notNull(),
    seq: integer('seq').notNull(),
    kind: text('kind', { enum: ['signup', 'pairing', 'block'] }).notNull(),
    /** Pairing and block. */
    bandUid: text('band_uid'),
    /** Signup (the new attendee) and pairing. */
    attendeeId: text('attendee_id'),
    replacesBandUid: text('replaces_band_uid'),
    body: jsonb('body').notNull(),
    fingerprint: text('fingerprint').notNull(),
    terminalCreatedAt: at('terminal_created_at').notNull(),
    receivedAt: at('received_at').notNull().defaultNow(),
  },
  (t) => [
    index('registration_facts_event_band_idx')
      .on(t.eventId, t.bandUid)
      .where(sql`${t.bandUid} is not null`),
    index('registration_facts_event_attendee_idx')
      .on(t.eventId, t.attendeeId)
      .where(sql`${t.attendeeId} is not null`),
  ],
);

/**
 * Pairings that lost under the clash rule (services/registration-clash.ts), one row per losing pairing, for head
 * office to review. Derived: when a later fact changes the resolution, the rows of the pairings it touches are
 * rewritten (a row whose pairing no longer loses is removed), so the table always says what the bands say.
 */
export const registrationConflicts = pgTable(
  'registration_conflicts',
  {
    loserFactId: uuid('loser_fact_id').primaryKey(),
    eventId: text('event_id')
      .notNull()
      .references(() => events.id),
    kind: text('kind', { enum: ['band_two_attendees', 'attendee_two_bands', 'band_blocked'] }).notNull(),
    /** The pairing (or, for band_blocked, the block) that beat it. */
    winnerFactId: uuid('winner_fact_id').notNull(),
    detectedAt: at('detected_at').notNull().defaultNow(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [index('registration_conflicts_event_idx').on(t.eventId, t.detectedAt, t.loserFactId)],
);
