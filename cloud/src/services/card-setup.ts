import { createHash } from 'node:crypto';
import { and, eq, ne, or, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../db/open.ts';
import { attendees } from '../db/schema.ts';
import { idempotencyKey, type PaymentProvider, type SetupIntentResult } from '../providers/payments.ts';
import { publishAttendees } from './registration-attendees.ts';
import type { CardLinks } from './registration-card-links.ts';

/*
 * The attendee's card, saved at Stripe for off-session use through a SetupIntent (card numbers go from the attendee's
 * browser to Stripe; Tapline keeps the Customer, the SetupIntent, the PaymentMethod and the last four digits).
 *
 * - `prepareCardSetup` (the card page) makes the Customer and the SetupIntent once, with idempotency keys derived
 *   from the attendee, and stores their ids; a repeated or concurrent page load finds them and makes nothing new.
 *   This is the one place a person waits on Stripe: the attendee's own card page, which cannot be shown without the
 *   SetupIntent's client secret. Nothing in the venue waits on it.
 * - `applySetupIntent` turns what Stripe says about the attendee's SetupIntent into the card status, idempotently:
 *   from the webhook, from the return URL, or from the test-card form, in any order, any number of times. It only
 *   trusts a SetupIntent it has just read from Stripe and only the one stored for the attendee.
 * - `confirmTestCard` exists ONLY for the demo's log provider and Stripe test keys (`cardCollection: test-cards`):
 *   the cloud confirms the SetupIntent with one of Stripe's named test PaymentMethods. With a live key it refuses.
 */

export const TEST_PAYMENT_METHODS = [
  { id: 'pm_card_visa', label: 'Visa ending 4242', outcome: 'saved' },
  { id: 'pm_card_mastercard', label: 'Mastercard ending 4444', outcome: 'saved' },
  { id: 'pm_card_chargeDeclined', label: 'Visa ending 0002', outcome: 'declined' },
] as const;
export type TestPaymentMethod = (typeof TEST_PAYMENT_METHODS)[number]['id'];

export interface CardSetupDeps {
  db: Db;
  payments: PaymentProvider;
  cards: CardLinks;
  log?: Logger;
  /** A card status was changed (tests and the console wait on it instead of polling). */
  onChanged?: (change: CardChange) => void;
}

export interface CardChange {
  eventId: string;
  attendeeId: string;
  status: 'none' | 'pending' | 'ready' | 'failed';
  via: 'webhook' | 'return' | 'test-card' | 'page';
}

type Row = typeof attendees.$inferSelect;

/** A short digest of the attendee (ids may contain ':', which idempotency key parts may not). */
const attendeeRef = (eventId: string, attendeeId: string) => createHash('sha256').update(`${eventId}\u0000${attendeeId}`).digest('hex').slice(0, 32);
const digest = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);

async function load(db: Db, eventId: string, attendeeId: string): Promise<Row | undefined> {
  const [row] = await db.select().from(attendees).where(and(eq(attendees.eventId, eventId), eq(attendees.id, attendeeId)));
  return row;
}

export type CardSetup =
  | { state: 'ready'; attendee: Row }
  /** A SetupIntent waits for a card; `clientSecret` is for Stripe.js only (never logged, never stored). */
  | { state: 'open'; attendee: Row; setupIntentId: string; clientSecret: string | null };

/**
 * The attendee's SetupIntent, made if needed. `undefined` when the attendee does not exist. A SetupIntent Stripe
 * already completed (the webhook has not arrived yet) is applied here and the attendee comes back ready.
 * `replace`: the attendee has a card and wants another one (after a declined hold, say): a new SetupIntent is made
 * and the card on file stays ready until the new one is saved.
 */
export async function prepareCardSetup(
  deps: CardSetupDeps,
  eventId: string,
  attendeeId: string,
  options: { replace?: boolean } = {},
): Promise<CardSetup | undefined> {
  const replace = options.replace === true;
  let row = await load(deps.db, eventId, attendeeId);
  if (!row) return undefined;
  if (row.cardStatus === 'ready' && !replace) return { state: 'ready', attendee: row };
  const ref = attendeeRef(eventId, attendeeId);

  if (!row.stripeCustomerId) {
    const params = {
      email: row.email ?? undefined,
      name: [row.firstName, row.lastName].filter(Boolean).join(' '),
      phone: row.phone ?? undefined,
      metadata: { tapline_event: eventId, tapline_attendee: attendeeId },
    };
    // The key carries a digest of the details: a retry after the attendee changed them must not be an idempotency error.
    const customer = await deps.payments.createCustomer({ ...params, idempotencyKey: idempotencyKey('customer', ref, digest(params)) });
    // Only the first writer's id counts; a concurrent load made the same call with the same key and got the same id.
    await deps.db
      .update(attendees)
      .set({ stripeCustomerId: customer.id, updatedAt: sql`now()` })
      .where(and(eq(attendees.eventId, eventId), eq(attendees.id, attendeeId), sql`${attendees.stripeCustomerId} is null`));
    row = (await load(deps.db, eventId, attendeeId))!;
  }

  if (row.stripeSetupIntentId) {
    const si = await deps.payments.retrieveSetupIntent(row.stripeSetupIntentId);
    // Succeeded with another card than the one on file: a card saved in the browser whose webhook is still on its way.
    if (si.status === 'succeeded' && (row.cardStatus !== 'ready' || si.paymentMethodId !== row.stripePaymentMethodId)) {
      await applySetupIntent(deps, eventId, attendeeId, si, 'page');
      const after = (await load(deps.db, eventId, attendeeId))!;
      if (after.cardStatus === 'ready') return { state: 'ready', attendee: after };
    }
    if (si.status !== 'canceled' && si.status !== 'succeeded') return { state: 'open', attendee: row, setupIntentId: si.id, clientSecret: si.clientSecret };
  }

  // A new SetupIntent: the first one, or one to replace a canceled one. The attempt is part of its key.
  const attempt = row.cardSetupAttempt + 1;
  const si = await deps.payments.createSetupIntent({
    customerId: row.stripeCustomerId!,
    metadata: { tapline_event: eventId, tapline_attendee: attendeeId },
    idempotencyKey: idempotencyKey('setup', ref, attempt),
  });
  const stored = await deps.db
    .update(attendees)
    .set({ stripeSetupIntentId: si.id, cardSetupAttempt: attempt, updatedAt: sql`now()` })
    .where(and(eq(attendees.eventId, eventId), eq(attendees.id, attendeeId), eq(attendees.cardSetupAttempt, row.cardSetupAttempt)))
    .returning({ id: attendees.id });
  if (stored.length === 0) {
    // A concurrent load stored its SetupIntent first (the same one when it used the same attempt): use what is stored.
    const now = (await load(deps.db, eventId, attendeeId))!;
    if (now.cardStatus === 'ready' && !replace) return { state: 'ready', attendee: now };
    const theirs = await deps.payments.retrieveSetupIntent(now.stripeSetupIntentId!);
    return { state: 'open', attendee: now, setupIntentId: theirs.id, clientSecret: theirs.clientSecret };
  }
  deps.log?.info({ eventId, attendeeId, setupIntent: si.id, attempt }, 'card page: SetupIntent made');
  return { state: 'open', attendee: { ...row, stripeSetupIntentId: si.id, cardSetupAttempt: attempt }, setupIntentId: si.id, clientSecret: si.clientSecret };
}

/**
 * Records what a SetupIntent (just read from Stripe) says about the attendee's card. Ignores a SetupIntent that is
 * not the one stored for the attendee, and never moves a ready card back: a late failure of an older attempt cannot
 * undo a saved card. Returns the card status after.
 */
export async function applySetupIntent(
  deps: CardSetupDeps,
  eventId: string,
  attendeeId: string,
  si: SetupIntentResult,
  via: CardChange['via'],
): Promise<Row['cardStatus'] | undefined> {
  let next: Pick<Row, 'cardStatus' | 'stripePaymentMethodId' | 'cardLast4' | 'cardError'> | null = null;
  if (si.status === 'succeeded' && si.paymentMethodId) {
    const pm = await deps.payments.retrievePaymentMethod(si.paymentMethodId);
    next = { cardStatus: 'ready', stripePaymentMethodId: pm.id, cardLast4: pm.last4 && /^\d{4}$/.test(pm.last4) ? pm.last4 : null, cardError: null };
  } else if (si.status === 'processing' || si.status === 'requires_action' || si.status === 'requires_confirmation') {
    next = { cardStatus: 'pending', stripePaymentMethodId: null, cardLast4: null, cardError: null };
  } else if (si.status === 'requires_payment_method' && si.lastDecline) {
    next = { cardStatus: 'failed', stripePaymentMethodId: null, cardLast4: null, cardError: si.lastDecline.message.slice(0, 300) };
  } else if (si.status === 'canceled') {
    next = { cardStatus: 'failed', stripePaymentMethodId: null, cardLast4: null, cardError: 'The card setup was canceled. Please try again.' };
  }
  let changedTo: CardChange['status'] | null = null;
  const status = await deps.db.transaction(async (tx) => {
    const [row] = await tx
      .select()
      .from(attendees)
      .where(and(eq(attendees.eventId, eventId), eq(attendees.id, attendeeId)))
      .for('update');
    if (!row) return undefined;
    if (!next || row.stripeSetupIntentId !== si.id) return row.cardStatus;
    if (row.cardStatus === 'ready' && next.cardStatus !== 'ready') return row.cardStatus;
    const changed = await tx
      .update(attendees)
      .set({ ...next, updatedAt: sql`now()` })
      .where(
        and(
          eq(attendees.eventId, eventId),
          eq(attendees.id, attendeeId),
          // Idempotent: the same answer again changes nothing and publishes nothing.
          or(
            ne(attendees.cardStatus, next.cardStatus),
            sql`${attendees.stripePaymentMethodId} is distinct from ${next.stripePaymentMethodId}`,
            sql`${attendees.cardLast4} is distinct from ${next.cardLast4}`,
            sql`${attendees.cardError} is distinct from ${next.cardError}`,
          ),
        ),
      )
      .returning({ id: attendees.id });
    if (changed.length === 0) return row.cardStatus;
    // The desks see the card's status and last four; the hub learns that the attendee's bands now have a card.
    await publishAttendees(tx, eventId, [attendeeId], { cards: deps.cards });
    deps.log?.info({ eventId, attendeeId, setupIntent: si.id, status: next.cardStatus, via }, 'card status changed');
    changedTo = next.cardStatus;
    return next.cardStatus;
  });
  // After the commit: whoever is told can already read the new status.
  if (changedTo) deps.onChanged?.({ eventId, attendeeId, status: changedTo, via });
  return status;
}

/** Reads the attendee's stored SetupIntent from Stripe and applies it (the return URL and the webhook use this). */
export async function refreshCardStatus(
  deps: CardSetupDeps,
  eventId: string,
  attendeeId: string,
  setupIntentId: string,
  via: CardChange['via'],
): Promise<Row['cardStatus'] | undefined> {
  const row = await load(deps.db, eventId, attendeeId);
  if (!row || row.stripeSetupIntentId !== setupIntentId) return row?.cardStatus;
  const si = await deps.payments.retrieveSetupIntent(setupIntentId);
  return applySetupIntent(deps, eventId, attendeeId, si, via);
}

export class TestCardsUnavailable extends Error {
  override readonly name = 'TestCardsUnavailable';
}

/**
 * TEST AND DEMO ONLY: confirms the attendee's SetupIntent with one of Stripe's test PaymentMethods, as Stripe.js
 * would after the attendee typed a test card. Refused unless the provider offers test cards (the log provider, a
 * Stripe test key without a publishable key). `attemptId` (from the form's token) keys the confirmation: a double
 * submit is one confirmation, a retry after a decline is a new one.
 */
export async function confirmTestCard(
  deps: CardSetupDeps,
  eventId: string,
  attendeeId: string,
  input: { paymentMethod: TestPaymentMethod; attemptId: string; returnUrl: string; replace?: boolean },
): Promise<{ status: Row['cardStatus']; declined: string | null } | undefined> {
  if (deps.payments.cardCollection.kind !== 'test-cards') throw new TestCardsUnavailable('Test cards are only accepted by the demo and Stripe test mode.');
  const setup = await prepareCardSetup(deps, eventId, attendeeId, { replace: input.replace });
  if (!setup) return undefined;
  if (setup.state === 'ready') return { status: 'ready', declined: null };
  const si = await deps.payments.confirmSetupIntent({
    id: setup.setupIntentId,
    paymentMethodId: input.paymentMethod,
    returnUrl: input.returnUrl,
    idempotencyKey: idempotencyKey('setup-confirm', attendeeRef(eventId, attendeeId), digest([setup.setupIntentId, input.paymentMethod, input.attemptId])),
  });
  const status = await applySetupIntent(deps, eventId, attendeeId, si, 'test-card');
  return status && { status, declined: si.status === 'succeeded' ? null : (si.lastDecline?.message ?? null) };
}
