import { type DeskAttendee, Event, isStorableText, newId } from '@tapline/shared';
import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Queryable } from '../db/open.ts';
import { attendees, events } from '../db/schema.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { toVenueAttendee } from './attendees.ts';
import type { CardLinks } from './registration-card-links.ts';
import { publishAttendees } from './registration-attendees.ts';
import { queueSms } from './sms-outbox.ts';

/*
 * Pre-registration from the public page (`GET/POST /e/:eventId/register`): one attendee per e-mail per event, made in
 * one transaction with its confirmation code, its attendee config entity (so desks find them) and, when they agreed
 * to SMS, the confirmation SMS in the outbox. Nothing here calls a third party.
 */

/** Phone numbers as people type them: spaces, dots, dashes and brackets go; a leading 00 is the international +. */
export function normalisePhone(input: string): string {
  const compact = input.replace(/[\s().-]/g, '');
  return compact.startsWith('00') ? `+${compact.slice(2)}` : compact;
}

const blankAsMissing = (s: unknown) => (typeof s === 'string' && s.trim() === '' ? undefined : s);

/** A typed name, trimmed, storable everywhere (like the shared `text`), with a sentence for each problem. */
const name = (what: string) =>
  z.preprocess(
    blankAsMissing,
    z
      .string({ message: `Enter your ${what}.` })
      .trim()
      .min(1, { message: `Enter your ${what}.` })
      .max(60, { message: `Your ${what} can have at most 60 characters.` })
      .refine(isStorableText, { message: `Your ${what} contains characters we cannot store.` }),
  );

/** The form as posted (urlencoded strings); every message is a sentence the page shows beside its field. */
export const SignupForm = z
  .object({
    firstName: name('first name'),
    lastName: name('last name'),
    email: z.preprocess(
      (s) => (typeof s === 'string' ? s.trim() : s),
      z
        .string({ message: 'Enter your e-mail address.' })
        .min(1, { message: 'Enter your e-mail address.' })
        .pipe(z.email({ message: 'Enter a valid e-mail address, like name@example.com.' }).max(254, { message: 'That e-mail address is too long.' })),
    ),
    phone: z.preprocess(
      (s) => (typeof s === 'string' && s.trim() !== '' ? normalisePhone(s) : undefined),
      z
        .string()
        .regex(/^\+[1-9]\d{6,14}$/, { message: 'Enter your mobile number with its country code, like +31 6 1234 5678.' })
        .optional(),
    ),
    smsConsent: z.preprocess((v) => v === 'on' || v === 'true' || v === true, z.boolean()),
  })
  .superRefine((f, ctx) => {
    if (f.smsConsent && !f.phone) ctx.addIssue({ code: 'custom', path: ['phone'], message: 'Enter your mobile number to get your confirmation by SMS.' });
  });
export type SignupForm = z.output<typeof SignupForm>;

/**
 * The form checked whole: every field's first problem at once (zod skips the object's refinement while a field is
 * wrong, so the consent rule is checked here as well).
 */
export function parseSignupForm(values: Record<string, unknown>): { ok: true; data: SignupForm } | { ok: false; errors: Record<string, string> } {
  const parsed = SignupForm.safeParse(values);
  if (parsed.success) return { ok: true, data: parsed.data };
  const errors = formErrors(parsed.error);
  const phone = typeof values.phone === 'string' ? values.phone.trim() : '';
  if (!errors.phone && (values.smsConsent === true || values.smsConsent === 'on') && phone === '') {
    errors.phone = 'Enter your mobile number to get your confirmation by SMS.';
  }
  return { ok: false, errors };
}

/** Field name → the first problem with it, for the form to show beside the field. */
export function formErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'form');
    out[field] ??= issue.message;
  }
  return out;
}

export interface PublicEvent {
  id: string;
  name: string;
  currency: string;
  startsAt: string;
  endsAt: string;
  timezone: string;
  /** What a band without a card may spend (minor units), or null when unknown. */
  noCardAllowance: number | null;
}

/** The event a public page names, or undefined. */
export async function findPublicEvent(db: Queryable, eventId: string): Promise<PublicEvent | undefined> {
  const [row] = await db.select({ id: events.id, name: events.name, currency: events.currency, data: events.data }).from(events).where(eq(events.id, eventId));
  if (!row) return undefined;
  const parsed = Event.safeParse(row.data);
  const data = parsed.success ? parsed.data : undefined;
  return {
    id: row.id,
    name: row.name,
    currency: row.currency,
    startsAt: data?.startsAt ?? '',
    endsAt: data?.endsAt ?? '',
    timezone: data?.timezone ?? 'UTC',
    noCardAllowance: data?.noCardAllowance ?? null,
  };
}

/** Registration closes when the event ends. */
export function registrationOpen(event: PublicEvent, now = new Date()): boolean {
  return !event.endsAt || Date.parse(event.endsAt) > now.getTime();
}

export type SignupResult =
  | { kind: 'created'; attendeeId: string; confirmationCode: string; smsQueued: boolean }
  | { kind: 'duplicate'; attendeeId: string }
  | { kind: 'unknown_event' }
  | { kind: 'closed' };

export interface SignupDeps {
  db: Db;
  queue: Pick<JobQueue, 'sendMany'>;
  /** The confirmation page of an attendee (put in the SMS). */
  confirmationUrl(eventId: string, attendeeId: string): string;
  /** Signs the card page link of the attendee's config entity. */
  cards: CardLinks;
}

const UNIQUE_VIOLATION = '23505';
const isUniqueViolation = (err: unknown): boolean => {
  const e = err as { code?: string; cause?: { code?: string } };
  return e?.code === UNIQUE_VIOLATION || e?.cause?.code === UNIQUE_VIOLATION;
};

/** The SMS an attendee who consented gets; kept short, with the event name cut so the link is never cut. */
export function confirmationSmsText(eventName: string, url: string): string {
  const name = eventName.length > 40 ? `${eventName.slice(0, 39)}…` : eventName;
  return `You're registered for ${name}. Your confirmation and card: ${url}`;
}

export async function signUp(deps: SignupDeps, eventId: string, form: SignupForm, now = new Date()): Promise<SignupResult> {
  const event = await findPublicEvent(deps.db, eventId);
  if (!event) return { kind: 'unknown_event' };
  if (!registrationOpen(event, now)) return { kind: 'closed' };
  // Two registrations drawing the same confirmation code at the same moment (publishAttendees checks the table first)
  // meet the unique index: the transaction is retried with a new code; nothing else is retried.
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.db.transaction(async (tx) => {
        // Two posts of the same e-mail at once must not both pass the check below.
        await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`register ${eventId} ${form.email.toLowerCase()}`}, 0))`);
        const [existing] = await tx
          .select({ id: attendees.id })
          .from(attendees)
          .where(and(eq(attendees.eventId, eventId), sql`lower(${attendees.email}) = ${form.email.toLowerCase()}`))
          .limit(1);
        if (existing) return { kind: 'duplicate' as const, attendeeId: existing.id };
        const attendeeId = newId();
        await tx.insert(attendees).values({
          eventId,
          id: attendeeId,
          firstName: form.firstName,
          lastName: form.lastName,
          email: form.email,
          phone: form.phone ?? null,
          smsConsent: form.smsConsent,
          cardStatus: 'none',
        });
        // The attendee's config entity (to the hub and desks); it also gives the attendee its confirmation code.
        await publishAttendees(tx, eventId, [attendeeId], { cards: deps.cards });
        const [made] = await tx
          .select({ code: attendees.confirmationCode })
          .from(attendees)
          .where(and(eq(attendees.eventId, eventId), eq(attendees.id, attendeeId)));
        const confirmationCode = made!.code!;
        let smsQueued = false;
        if (form.smsConsent && form.phone) {
          const ids = await queueSms(tx, deps.queue, [
            {
              id: newId(),
              eventId,
              kind: 'registration',
              dedupeKey: `registration:${eventId}:${attendeeId}`,
              attendeeId,
              toPhone: form.phone,
              text: confirmationSmsText(event.name, deps.confirmationUrl(eventId, attendeeId)),
            },
          ]);
          smsQueued = ids.length === 1;
        }
        return { kind: 'created' as const, attendeeId, confirmationCode, smsQueued };
      });
    } catch (err) {
      if (attempt < 3 && isUniqueViolation(err)) continue;
      throw err;
    }
  }
}

/** What the public pages show of an attendee (no Stripe ids). */
export type PublicAttendee = Pick<DeskAttendee, 'id' | 'eventId' | 'firstName' | 'lastName' | 'email' | 'phone' | 'smsConsent' | 'cardStatus' | 'cardLast4' | 'confirmationCode'> & {
  cardError: string | null;
};

export async function findPublicAttendee(db: Queryable, eventId: string, attendeeId: string): Promise<PublicAttendee | undefined> {
  const [r] = await db.select().from(attendees).where(and(eq(attendees.eventId, eventId), eq(attendees.id, attendeeId)));
  return r && { ...toVenueAttendee(r), cardError: r.cardError };
}
