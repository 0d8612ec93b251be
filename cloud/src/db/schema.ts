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
import { organisations } from './schema-accounts.ts';

const createdAt = (name: string) => timestamp(name, { withTimezone: true, mode: 'string' }).notNull().defaultNow();

export const venues = pgTable('venues', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** sha256 (hex) of the venue key: the key itself is shown once and never stored. Null once revoked (sync answers 401). */
  keyHash: text('key_hash').unique(),
  /** The head-office organisation that owns the venue (console tenancy); null until one is assigned. */
  organisationId: text('organisation_id').references(() => organisations.id),
  createdAt: createdAt('created_at'),
}, (t) => [index('venues_organisation_idx').on(t.organisationId)]);

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

/**
 * The latest band entity of each (event, uid) in the configuration log, kept by `appendConfig` in the transaction that
 * appends it: the jobs find a band's attendee with one indexed lookup instead of scanning the log.
 */
export const bands = pgTable(
  'bands',
  {
    eventId: text('event_id')
      .notNull()
      .references(() => events.id),
    uid: text('uid').notNull(),
    venueId: text('venue_id').notNull(),
    attendeeId: text('attendee_id'),
    status: text('status', { enum: ['active', 'blocked'] }).notNull(),
    /** The config log seq this row reflects. */
    seq: bigint('seq', { mode: 'number' }).notNull(),
    data: jsonb('data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.eventId, t.uid] }), index('bands_attendee_idx').on(t.eventId, t.attendeeId)],
);

/** People with a tab, per event: the shared `Attendee`. Card data never lands here: Stripe's ids and last four only. */
export const attendees = pgTable(
  'attendees',
  {
    eventId: text('event_id')
      .notNull()
      .references(() => events.id),
    id: text('id').notNull(),
    firstName: text('first_name').notNull(),
    lastName: text('last_name'),
    email: text('email'),
    /** E.164. */
    phone: text('phone'),
    smsConsent: boolean('sms_consent').notNull().default(false),
    cardStatus: text('card_status', { enum: ['none', 'pending', 'ready', 'failed'] }).notNull().default('none'),
    stripeCustomerId: text('stripe_customer_id'),
    stripePaymentMethodId: text('stripe_payment_method_id'),
    cardLast4: text('card_last4'),
    /** What the attendee's confirmation QR code encodes; made by services/registration-attendees.ts, unique per event. */
    confirmationCode: text('confirmation_code'),
    /** The SetupIntent of the attendee's card page (services/card-setup.ts); a new one only if Stripe canceled it. */
    stripeSetupIntentId: text('stripe_setup_intent_id'),
    /** Counts the SetupIntents made for the attendee: part of their idempotency key. */
    cardSetupAttempt: integer('card_setup_attempt').notNull().default(0),
    /** Why the last card failed, in Stripe's words, for the card page; null unless cardStatus is failed. */
    cardError: text('card_error'),
    createdAt: createdAt('created_at'),
    updatedAt: createdAt('updated_at'),
  },
  (t) => [
    primaryKey({ columns: [t.eventId, t.id] }),
    uniqueIndex('attendees_event_confirmation_code_idx')
      .on(t.eventId, t.confirmationCode)
      .where(sql`${t.confirmationCode} is not null`),
    // The pre-registration page refuses a second registration with the same e-mail (any case).
    index('attendees_event_email_idx')
      .on(t.eventId, sql`lower(${t.email})`)
      .where(sql`${t.email} is not null`),
  ],
);

/**
 * Every SMS the cloud means to send, one row per reason (`dedupeKey`: `receipt:<orderId>`, `bulk:<bulkId>:<attendee>`,
 * `declined:<paymentId>`), so a reason can never produce two. `status` is the never-twice state machine of
 * jobs/sms-message.ts: pending → sending (committed before the gateway is called) → sent | failed; `unknown` when the
 * job gave up while the outcome of a send was unknown.
 */
export const smsMessages = pgTable(
  'sms_messages',
  {
    id: uuid('id').primaryKey(),
    eventId: text('event_id')
      .notNull()
      .references(() => events.id),
    kind: text('kind', { enum: ['receipt', 'bulk', 'payment_declined', 'registration'] }).notNull(),
    dedupeKey: text('dedupe_key').notNull().unique(),
    attendeeId: text('attendee_id').notNull(),
    toPhone: text('to_phone').notNull(),
    body: text('body').notNull(),
    /** Printed in the body ("Ref …"): how a later attempt finds this message at the gateway. */
    reference: text('reference').notNull(),
    status: text('status', { enum: ['pending', 'sending', 'sent', 'failed', 'unknown'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    /** While a send may be in flight, no other attempt touches the row. */
    leaseUntil: timestamp('lease_until', { withTimezone: true, mode: 'string' }),
    /** When the first send was started: where a search at the gateway begins. */
    firstSendAt: timestamp('first_send_at', { withTimezone: true, mode: 'string' }),
    sid: text('sid'),
    errorCode: text('error_code'),
    error: text('error'),
    orderId: uuid('order_id'),
    bulkId: uuid('bulk_id'),
    createdAt: createdAt('created_at'),
    updatedAt: createdAt('updated_at'),
  },
  (t) => [
    index('sms_messages_event_idx').on(t.eventId, t.createdAt),
    index('sms_messages_bulk_idx')
      .on(t.bulkId)
      .where(sql`${t.bulkId} is not null`),
  ],
);

/** A message head office sent to every consenting attendee of an event; the sms.bulk job fans it out. */
export const smsBulks = pgTable('sms_bulks', {
  id: uuid('id').primaryKey(),
  eventId: text('event_id')
    .notNull()
    .references(() => events.id),
  body: text('body').notNull(),
  status: text('status', { enum: ['queued', 'fanned_out'] }).notNull(),
  recipients: integer('recipients'),
  createdAt: createdAt('created_at'),
  fannedOutAt: timestamp('fanned_out_at', { withTimezone: true, mode: 'string' }),
});

/** Head office's payment settings of an event; absent means the defaults (see services/payment-settings.ts). */
export const eventPaymentSettings = pgTable('event_payment_settings', {
  eventId: text('event_id')
    .primaryKey()
    .references(() => events.id),
  /** What is held on a card before the event (and added on top of the tab when a hold is renewed). */
  holdAmount: bigint('hold_amount', { mode: 'number' }),
  updatedAt: createdAt('updated_at'),
});

/**
 * Each call to the card processor about a tab, one row per attempt, committed before the call. `idempotencyKey` is
 * `tapline:<kind>:<tab>:<attempt>`: a worker that dies between the call and its commit finds the row still `pending`
 * and repeats the same call with the same key and the same amount, so Stripe answers the first result again.
 */
export const payments = pgTable(
  'payments',
  {
    id: uuid('id').primaryKey(),
    eventId: text('event_id')
      .notNull()
      .references(() => events.id),
    bandUid: text('band_uid').notNull(),
    attendeeId: text('attendee_id').notNull(),
    kind: text('kind', { enum: ['authorize', 'capture', 'cancel', 'refund'] }).notNull(),
    attempt: integer('attempt').notNull(),
    idempotencyKey: text('idempotency_key').notNull().unique(),
    /** The PaymentIntent: made by an authorize, acted on by the others. */
    intentId: text('intent_id'),
    status: text('status', { enum: ['pending', 'succeeded', 'declined', 'failed'] }).notNull(),
    amount: bigint('amount', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    /** For an authorize: the saved card it used. */
    customerId: text('customer_id'),
    paymentMethodId: text('payment_method_id'),
    /** For an authorize: Stripe's `created` of the hold (its 7-day life starts there). */
    heldAt: timestamp('held_at', { withTimezone: true, mode: 'string' }),
    /** For an authorize: set once the hold was captured, canceled or found lapsed. */
    releasedAt: timestamp('released_at', { withTimezone: true, mode: 'string' }),
    declineCode: text('decline_code'),
    declineMessage: text('decline_message'),
    errorCode: text('error_code'),
    error: text('error'),
    createdAt: createdAt('created_at'),
    updatedAt: createdAt('updated_at'),
  },
  (t) => [uniqueIndex('payments_tab_kind_attempt_idx').on(t.eventId, t.bandUid, t.kind, t.attempt)],
);

/**
 * A tab's payment as head office sees it (one row per band that a sweeper has worked on). `status`: authorized (a live
 * hold: `holdPaymentId`), declined / failed (flagged: `reason`), captured, settled (nothing was due; the hold released).
 */
export const tabPayments = pgTable(
  'tab_payments',
  {
    eventId: text('event_id')
      .notNull()
      .references(() => events.id),
    bandUid: text('band_uid').notNull(),
    attendeeId: text('attendee_id').notNull(),
    status: text('status', { enum: ['authorizing', 'authorized', 'declined', 'failed', 'captured', 'settled'] }).notNull(),
    holdPaymentId: uuid('hold_payment_id'),
    holdAmount: bigint('hold_amount', { mode: 'number' }),
    capturedAmount: bigint('captured_amount', { mode: 'number' }),
    /** What is owed beyond what was captured (a re-authorisation declined at capture). */
    outstanding: bigint('outstanding', { mode: 'number' }).notNull().default(0),
    /** The card the last authorisation tried: a declined tab is tried again only once the attendee's card changes. */
    paymentMethodId: text('payment_method_id'),
    declineCode: text('decline_code'),
    reason: text('reason'),
    flaggedAt: timestamp('flagged_at', { withTimezone: true, mode: 'string' }),
    updatedAt: createdAt('updated_at'),
  },
  (t) => [primaryKey({ columns: [t.eventId, t.bandUid] }), index('tab_payments_status_idx').on(t.eventId, t.status)],
);
export * from './schema-live.ts';
export * from './schema-accounts.ts';
export * from './schema-registration.ts';
export * from './schema-setup.ts';
export * from './schema-devices.ts';
