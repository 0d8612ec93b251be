import { bigint, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { events, venues } from './schema.ts';

/*
 * Issue 6.2 (console set-up and devices): what the cloud knows of a venue's hub link, and an event's SMS wording.
 */

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'string' });

/**
 * A venue's hub link as the cloud sees it: when its key was last set or revoked from the console, and when a hub last
 * pulled configuration with it and up to which config seq. Pushes are in `hub_uploads`. Nothing is derived from it.
 */
export const venueSyncState = pgTable('venue_sync_state', {
  venueId: text('venue_id')
    .primaryKey()
    .references(() => venues.id),
  keySetAt: at('key_set_at'),
  keyRevokedAt: at('key_revoked_at'),
  lastPullAt: at('last_pull_at'),
  /** The config log seq the last pull answered up to. */
  lastPullCursor: bigint('last_pull_cursor', { mode: 'number' }),
});

/** Head office's wording of an event's SMS receipt; absent means the default (services/console-setup-sms.ts). */
export const eventSmsSettings = pgTable('event_sms_settings', {
  eventId: text('event_id')
    .primaryKey()
    .references(() => events.id),
  receiptTemplate: text('receipt_template').notNull(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});
