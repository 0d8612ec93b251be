import type { Attendee, DeskAttendee } from '@tapline/shared';
import { and, eq, sql } from 'drizzle-orm';
import type { Queryable } from '../db/open.ts';
import { attendees, bands } from '../db/schema.ts';

export type AttendeeRow = typeof attendees.$inferSelect;
type Row = AttendeeRow;

/** Who the attendee is: the same in every view of them. */
function personOf(r: Row): Omit<Attendee, 'card'> {
  return { id: r.id, eventId: r.eventId, firstName: r.firstName, lastName: r.lastName, email: r.email, phone: r.phone, smsConsent: r.smsConsent };
}

export function toAttendee(r: Row): Attendee {
  return {
    ...personOf(r),
    card: { status: r.cardStatus, stripeCustomerId: r.stripeCustomerId, stripePaymentMethodId: r.stripePaymentMethodId, last4: r.cardLast4 },
  };
}

/** What a registration desk and the attendee's own pages may see: the card's state and last four, never a Stripe id. */
export function toVenueAttendee(r: Row): Omit<DeskAttendee, 'cardUrl'> {
  return { ...personOf(r), cardStatus: r.cardStatus, cardLast4: r.cardLast4, confirmationCode: r.confirmationCode };
}

function toRow(a: Attendee): typeof attendees.$inferInsert {
  return {
    eventId: a.eventId,
    id: a.id,
    firstName: a.firstName,
    lastName: a.lastName,
    email: a.email,
    phone: a.phone,
    smsConsent: a.smsConsent,
    cardStatus: a.card.status,
    stripeCustomerId: a.card.stripeCustomerId,
    stripePaymentMethodId: a.card.stripePaymentMethodId,
    cardLast4: a.card.last4,
  };
}

/** The first attendee id named twice in `list` (one statement cannot write a row twice), if any. */
export function firstDuplicateId(list: readonly Pick<Attendee, 'id'>[]): string | undefined {
  const seen = new Set<string>();
  for (const a of list) {
    if (seen.has(a.id)) return a.id;
    seen.add(a.id);
  }
  return undefined;
}

/**
 * Creates or replaces attendees (the whole record: registration owns them), all or none: the chunks share one
 * transaction (a savepoint inside the caller's). `onlyNew` keeps existing rows as they are, which is what a repeated
 * demo seed wants. The caller refuses lists that name an attendee twice (`firstDuplicateId`).
 */
export async function upsertAttendees(db: Queryable, list: readonly Attendee[], options: { onlyNew?: boolean } = {}): Promise<number> {
  const twice = firstDuplicateId(list);
  if (twice !== undefined) throw new Error(`upsertAttendees: attendee ${twice} is named twice`);
  return db.transaction((tx) => writeChunks(tx, list, options));
}

async function writeChunks(db: Queryable, list: readonly Attendee[], options: { onlyNew?: boolean }): Promise<number> {
  let written = 0;
  // Bounded chunks keep each statement well under Postgres's 65,535 parameters.
  for (let i = 0; i < list.length; i += 1000) {
    const values = list.slice(i, i + 1000).map(toRow);
    const insert = db.insert(attendees).values(values);
    const rows = options.onlyNew
      ? await insert.onConflictDoNothing().returning({ id: attendees.id })
      : await insert
          .onConflictDoUpdate({
            target: [attendees.eventId, attendees.id],
            set: {
              firstName: sql`excluded.first_name`,
              lastName: sql`excluded.last_name`,
              email: sql`excluded.email`,
              phone: sql`excluded.phone`,
              smsConsent: sql`excluded.sms_consent`,
              cardStatus: sql`excluded.card_status`,
              stripeCustomerId: sql`excluded.stripe_customer_id`,
              stripePaymentMethodId: sql`excluded.stripe_payment_method_id`,
              cardLast4: sql`excluded.card_last4`,
              updatedAt: sql`now()`,
            },
          })
          .returning({ id: attendees.id });
    written += rows.length;
  }
  return written;
}

export async function findAttendee(db: Queryable, eventId: string, id: string): Promise<Attendee | undefined> {
  const [row] = await db.select().from(attendees).where(and(eq(attendees.eventId, eventId), eq(attendees.id, id)));
  return row && toAttendee(row);
}

/** The attendee a band is paired with, through the bands projection of the config log. */
export async function attendeeOfBand(db: Queryable, eventId: string, bandUid: string): Promise<Attendee | undefined> {
  const [row] = await db
    .select({ a: attendees })
    .from(bands)
    .innerJoin(attendees, and(eq(attendees.eventId, bands.eventId), eq(attendees.id, bands.attendeeId)))
    .where(and(eq(bands.eventId, eventId), eq(bands.uid, bandUid)));
  return row && toAttendee(row.a);
}
