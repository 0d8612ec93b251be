import type { Block, ConfigEntity, Pairing, RegistrationFact, Signup, Wristband } from '@tapline/shared';
import { and, eq, inArray, or, sql } from 'drizzle-orm';
import type { Queryable } from '../db/open.ts';
import { attendees, bands, registrationConflicts, registrationFacts } from '../db/schema.ts';
import { appendConfig } from './config-log.ts';
import { publishAttendees, type PublishDeps } from './registration-attendees.ts';
import { type ClashBlock, type ClashPairing, resolveClashes } from './registration-clash.ts';

/*
 * Applies registration facts the cloud has just stored, inside the push's transaction:
 * - a signup creates its attendee (when the id is new) and publishes it down to the venue;
 * - pairings and blocks are resolved by the clash rule (registration-clash.ts) over the whole connected group of bands
 *   and attendees they touch, so the result is the rule applied to every fact known, never to the arrival order; the
 *   bands whose entity changed are appended to the venue's config log (which also updates the `bands` projection),
 *   and `registration_conflicts` is brought in line for the pairings of the group.
 *
 * Concurrent pushes of one event are serialised by an advisory lock per event (taken before the config log's own
 * per-venue lock, in event id order, never the other way round), so two transactions never resolve a group each
 * without seeing the other's facts.
 */

type StoredFact = { fact: RegistrationFact };

interface GroupFact {
  id: string;
  kind: 'pairing' | 'block';
  bandUid: string;
  attendeeId: string | null;
  replacesBandUid: string | null;
  createdAt: string;
}

/** Every pairing and block connected to `bandUids` / `attendeeIds` through shared bands and attendees. */
async function connectedFacts(q: Queryable, eventId: string, bandUids: Set<string>, attendeeIds: Set<string>): Promise<GroupFact[]> {
  for (;;) {
    const where = [
      bandUids.size ? inArray(registrationFacts.bandUid, [...bandUids]) : undefined,
      attendeeIds.size ? and(eq(registrationFacts.kind, 'pairing'), inArray(registrationFacts.attendeeId, [...attendeeIds])) : undefined,
    ].filter((w) => w !== undefined);
    if (!where.length) return [];
    const rows = (await q
      .select({
        id: registrationFacts.id,
        kind: registrationFacts.kind,
        bandUid: registrationFacts.bandUid,
        attendeeId: registrationFacts.attendeeId,
        replacesBandUid: registrationFacts.replacesBandUid,
        createdAt: sql<string>`${registrationFacts.body}->>'createdAt'`,
      })
      .from(registrationFacts)
      .where(and(eq(registrationFacts.eventId, eventId), inArray(registrationFacts.kind, ['pairing', 'block']), or(...where)))) as GroupFact[];
    let grew = false;
    for (const r of rows) {
      if (!bandUids.has(r.bandUid)) {
        bandUids.add(r.bandUid);
        grew = true;
      }
      if (r.kind === 'pairing' && r.attendeeId !== null && !attendeeIds.has(r.attendeeId)) {
        attendeeIds.add(r.attendeeId);
        grew = true;
      }
    }
    if (!grew) return rows;
  }
}

function sameBand(a: Wristband, b: Wristband): boolean {
  return (
    a.uid === b.uid &&
    a.eventId === b.eventId &&
    a.attendeeId === b.attendeeId &&
    a.firstName === b.firstName &&
    a.status === b.status &&
    a.hasCard === b.hasCard &&
    a.tabLimit === b.tabLimit
  );
}

async function createSignedUp(q: Queryable, signups: readonly Signup[]): Promise<string[]> {
  if (!signups.length) return [];
  const rows = await q
    .insert(attendees)
    .values(
      signups.map((s) => ({
        eventId: s.eventId,
        id: s.attendee.id,
        firstName: s.attendee.firstName,
        lastName: s.attendee.lastName,
        email: s.attendee.email,
        phone: s.attendee.phone,
        smsConsent: s.attendee.smsConsent,
      })),
    )
    .onConflictDoNothing({ target: [attendees.eventId, attendees.id] })
    .returning({ id: attendees.id });
  return rows.map((r) => r.id);
}

/** Resolves the group around the touched bands and attendees and writes what changed: band entities and conflicts. */
async function resolveGroup(q: Queryable, venueId: string, eventId: string, bandSeed: Set<string>, attendeeSeed: Set<string>): Promise<void> {
  const facts = await connectedFacts(q, eventId, bandSeed, attendeeSeed);
  const pairings: ClashPairing[] = [];
  const blocks: ClashBlock[] = [];
  for (const f of facts) {
    if (f.kind === 'pairing') pairings.push({ id: f.id, createdAt: f.createdAt, bandUid: f.bandUid, attendeeId: f.attendeeId!, replacesBandUid: f.replacesBandUid });
    else blocks.push({ id: f.id, createdAt: f.createdAt, bandUid: f.bandUid });
  }
  const resolution = resolveClashes(pairings, blocks);
  const uids = [...resolution.bands.keys()];

  const current = new Map<string, Wristband>();
  if (uids.length) {
    for (const r of await q.select({ uid: bands.uid, data: bands.data }).from(bands).where(and(eq(bands.eventId, eventId), inArray(bands.uid, uids)))) {
      current.set(r.uid, r.data as Wristband);
    }
  }
  const attendeeOf = (uid: string) => {
    const r = resolution.bands.get(uid)!;
    return r.paired ? r.attendeeId : (current.get(uid)?.attendeeId ?? null);
  };
  const wanted = [...new Set(uids.map(attendeeOf).filter((a): a is string => a !== null))];
  const people = new Map<string, { firstName: string; cardStatus: string }>();
  if (wanted.length) {
    for (const a of await q
      .select({ id: attendees.id, firstName: attendees.firstName, cardStatus: attendees.cardStatus })
      .from(attendees)
      .where(and(eq(attendees.eventId, eventId), inArray(attendees.id, wanted)))) {
      people.set(a.id, a);
    }
  }

  const entities: ConfigEntity[] = [];
  for (const uid of uids.sort()) {
    const r = resolution.bands.get(uid)!;
    const cur = current.get(uid);
    const attendeeId = attendeeOf(uid);
    const person = attendeeId === null ? undefined : people.get(attendeeId);
    // An attendee the cloud has not seen yet (their signup is still on its way) has no name and no card here; the
    // band is refreshed when the signup arrives.
    const kept = cur !== undefined && attendeeId !== null && cur.attendeeId === attendeeId;
    const band: Wristband = {
      uid,
      eventId,
      attendeeId,
      firstName: person ? person.firstName : kept ? cur.firstName : null,
      status: r.blocked ? 'blocked' : (cur?.status ?? 'active'),
      hasCard: person ? person.cardStatus === 'ready' : kept ? cur.hasCard : false,
      tabLimit: cur?.tabLimit ?? null,
    };
    if (!cur || !sameBand(cur, band)) entities.push({ kind: 'band', data: band });
  }
  if (entities.length) await appendConfig(q, venueId, entities);

  const pairingIds = pairings.map((p) => p.id);
  if (!pairingIds.length) return;
  const existing = new Map(
    (
      await q
        .select({ loser: registrationConflicts.loserFactId, kind: registrationConflicts.kind, winner: registrationConflicts.winnerFactId })
        .from(registrationConflicts)
        .where(inArray(registrationConflicts.loserFactId, pairingIds))
    ).map((r) => [r.loser, r]),
  );
  const gone = [...existing.keys()].filter((id) => !resolution.losers.has(id));
  if (gone.length) await q.delete(registrationConflicts).where(inArray(registrationConflicts.loserFactId, gone));
  const changed = [...resolution.losers.values()].filter((l) => {
    const e = existing.get(l.loserId);
    return !e || e.kind !== l.kind || e.winner !== l.winnerId;
  });
  if (changed.length) {
    await q
      .insert(registrationConflicts)
      .values(changed.map((l) => ({ loserFactId: l.loserId, eventId, kind: l.kind, winnerFactId: l.winnerId })))
      .onConflictDoUpdate({
        target: registrationConflicts.loserFactId,
        set: { kind: sql`excluded.kind`, winnerFactId: sql`excluded.winner_fact_id`, updatedAt: sql`now()` },
      });
  }
}

/**
 * Applies freshly stored registration facts (the ones this push inserted; duplicates were applied when first stored).
 * Must run inside the transaction that stored them.
 */
export async function applyRegistrationFacts(q: Queryable, venueId: string, stored: readonly StoredFact[], deps: PublishDeps): Promise<void> {
  const byEvent = new Map<string, RegistrationFact[]>();
  for (const { fact } of stored) {
    const list = byEvent.get(fact.eventId);
    if (list) list.push(fact);
    else byEvent.set(fact.eventId, [fact]);
  }
  for (const eventId of [...byEvent.keys()].sort()) {
    const facts = byEvent.get(eventId)!;
    await q.execute(sql`select pg_advisory_xact_lock(hashtext(${'registration:' + eventId}))`);
    const signups = facts.filter((f): f is Signup => f.kind === 'signup');
    const created = await createSignedUp(q, signups);
    const bandSeed = new Set<string>();
    const attendeeSeed = new Set<string>(signups.map((s) => s.attendee.id));
    for (const f of facts) {
      if (f.kind === 'pairing') {
        bandSeed.add((f as Pairing).bandUid);
        attendeeSeed.add((f as Pairing).attendeeId);
      } else if (f.kind === 'block') bandSeed.add((f as Block).bandUid);
    }
    await resolveGroup(q, venueId, eventId, bandSeed, attendeeSeed);
    // After the bands, so their refresh sees the bands as just resolved and appends nothing twice.
    if (created.length) await publishAttendees(q, eventId, created, deps);
  }
}
