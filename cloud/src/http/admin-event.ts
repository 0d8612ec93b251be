import { Id } from '@tapline/shared';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/open.ts';
import { events } from '../db/schema.ts';
import { HttpError } from './http-error.ts';

export interface AdminEvent {
  id: string;
  venueId: string;
  currency: string;
}

/** The event named in a head-office path, or 404. */
export async function adminEvent(db: Db, eventId: string): Promise<AdminEvent> {
  const [event] = Id.safeParse(eventId).success
    ? await db.select({ id: events.id, venueId: events.venueId, currency: events.currency }).from(events).where(eq(events.id, eventId))
    : [];
  if (!event) throw new HttpError(404, 'not_found', `No event "${eventId}".`);
  return event;
}

/** Who recorded a head-office fact, until issue 6 brings accounts: the admin token's holder. */
export const HEAD_OFFICE = 'head-office';

export function sameCurrency(event: AdminEvent, currency: unknown, field: string): void {
  if (currency !== event.currency) {
    throw new HttpError(400, 'invalid_body', `${field}: the event is priced in ${event.currency}, so amounts must be in ${event.currency}, not ${String(currency)}.`);
  }
}
