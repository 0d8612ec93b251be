import { randomInt } from 'node:crypto';
import { type ConfigEntity, DeskAttendee, type Wristband } from '@tapline/shared';
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Queryable } from '../db/open.ts';
import { attendees, bands, events } from '../db/schema.ts';
import { type AttendeeRow, toVenueAttendee } from './attendees.ts';
import { appendConfig } from './config-log.ts';
import type { CardLinks } from './registration-card-links.ts';

/*
 * Attendees flow down to the venue as `attendee` config entities (the shared `DeskAttendee`: no Stripe ids), so the
 * hub can find them with no internet. Every change that reaches the desk's view of an attendee goes through
 * `publishAttendees` in the transaction that makes it: new attendees (head office, pre-registration, a walk-up's
 * signup), edits, a card becoming ready. An attendee is given its confirmation code the first time it is published,
 * so `confirmation_code is null` means "never published" (what `publishPendingAttendees` catches up on).
 */

const CODE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const CHUNK = 1000;

/** Eight characters A-Z0-9 (36^8 ≈ 2.8e12), from the CSPRNG: a code must not be guessable from another one. */
export function newConfirmationCode(): string {
  let code = '';
  for (let i = 0; i < 8; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}

export interface PublishDeps {
  /** Signs the card page link; without it `cardUrl` is null. */
  cards?: CardLinks;
}

export function toDeskAttendee(r: AttendeeRow, cards: CardLinks | undefined): DeskAttendee {
  return DeskAttendee.parse({ ...toVenueAttendee(r), cardUrl: cards ? cards.url(r.eventId, r.id) : null });
}

async function venueOf(q: Queryable, eventId: string): Promise<string> {
  const [e] = await q.select({ venueId: events.venueId }).from(events).where(eq(events.id, eventId));
  if (!e) throw new Error(`event ${eventId} does not exist`);
  return e.venueId;
}

/** Gives each of `rows` without a code one that is unique in the event (checked against the table, then guarded by its unique index). */
async function assignCodes(q: Queryable, eventId: string, rows: AttendeeRow[]): Promise<void> {
  const without = rows.filter((r) => r.confirmationCode === null);
  for (let i = 0; i < without.length; i += CHUNK) {
    const chunk = without.slice(i, i + CHUNK);
    const codes = new Map<string, string>();
    let pending = chunk;
    while (pending.length) {
      const taken = new Set(codes.values());
      for (const r of pending) {
        let code = newConfirmationCode();
        while (taken.has(code)) code = newConfirmationCode();
        taken.add(code);
        codes.set(r.id, code);
      }
      const clash = new Set(
        (
          await q
            .select({ code: attendees.confirmationCode })
            .from(attendees)
            .where(and(eq(attendees.eventId, eventId), inArray(attendees.confirmationCode, pending.map((r) => codes.get(r.id)!))))
        ).map((r) => r.code),
      );
      pending = pending.filter((r) => clash.has(codes.get(r.id)!));
    }
    const values = sql.join(
      chunk.map((r) => sql`(${r.id}, ${codes.get(r.id)!})`),
      sql`, `,
    );
    await q.execute(sql`update ${attendees} set confirmation_code = v.code
      from (values ${values}) as v(id, code)
      where ${attendees.eventId} = ${eventId} and ${attendees.id} = v.id and ${attendees.confirmationCode} is null`);
    for (const r of chunk) r.confirmationCode = codes.get(r.id)!;
  }
}

/**
 * Appends the `attendee` entity of each of `attendeeIds` (of one event) to its venue's config log, giving a
 * confirmation code to any that has none, and re-appends their bands whose first name or card flag changed. Ids with no
 * attendee row are skipped. Call it inside the transaction that changed the attendees.
 */
export async function publishAttendees(q: Queryable, eventId: string, attendeeIds: readonly string[], deps: PublishDeps): Promise<number> {
  const ids = [...new Set(attendeeIds)];
  if (!ids.length) return 0;
  const venueId = await venueOf(q, eventId);
  let published = 0;
  for (let i = 0; i < ids.length; i += CHUNK * 2) {
    const rows = await q
      .select()
      .from(attendees)
      .where(and(eq(attendees.eventId, eventId), inArray(attendees.id, ids.slice(i, i + CHUNK * 2))));
    if (!rows.length) continue;
    await assignCodes(q, eventId, rows);
    const entities: ConfigEntity[] = rows.map((r) => ({ kind: 'attendee', data: toDeskAttendee(r, deps.cards) }));
    entities.push(...(await bandsNeedingRefresh(q, eventId, rows)));
    await appendConfig(q, venueId, entities);
    published += rows.length;
  }
  return published;
}

/** The band entities of these attendees whose first name or card flag no longer match the attendee. */
async function bandsNeedingRefresh(q: Queryable, eventId: string, rows: readonly AttendeeRow[]): Promise<ConfigEntity[]> {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const list = await q
    .select({ data: bands.data, attendeeId: bands.attendeeId })
    .from(bands)
    .where(and(eq(bands.eventId, eventId), inArray(bands.attendeeId, [...byId.keys()])));
  const out: ConfigEntity[] = [];
  for (const b of list) {
    const a = byId.get(b.attendeeId!);
    if (!a) continue;
    const current = b.data as Wristband;
    const hasCard = a.cardStatus === 'ready';
    if (current.firstName === a.firstName && current.hasCard === hasCard) continue;
    out.push({ kind: 'band', data: { ...current, firstName: a.firstName, hasCard } });
  }
  return out;
}

/**
 * Publishes every attendee that never was (no confirmation code yet): attendees written before this existed, or by a
 * path that does not publish (the demo seed). Bounded batches, each in its own transaction; returns how many.
 */
export async function publishPendingAttendees(db: Queryable, deps: PublishDeps, batch = 2000): Promise<number> {
  let total = 0;
  for (;;) {
    const pending = await db
      .select({ eventId: attendees.eventId, id: attendees.id })
      .from(attendees)
      .where(isNull(attendees.confirmationCode))
      .orderBy(attendees.eventId, attendees.id)
      .limit(batch);
    if (!pending.length) return total;
    const byEvent = new Map<string, string[]>();
    for (const p of pending) {
      const list = byEvent.get(p.eventId);
      if (list) list.push(p.id);
      else byEvent.set(p.eventId, [p.id]);
    }
    await db.transaction(async (tx) => {
      for (const [eventId, ids] of byEvent) total += await publishAttendees(tx, eventId, ids, deps);
    });
  }
}
