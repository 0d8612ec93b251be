import { type ConfigChange, type ConfigEntity, configKey } from '@tapline/shared';
import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { Db, Queryable, Tx } from '../db/open.ts';
import { bands, configChanges, events } from '../db/schema.ts';
import { HttpError } from '../http/http-error.ts';

/** The event an entity belongs to; null for venue-wide entities (a terminal's standing). */
function eventIdOf(e: ConfigEntity): string | null {
  if (e.kind === 'terminal') return null;
  return e.kind === 'event' ? e.data.id : e.data.eventId;
}

/**
 * Appends `entities` to the venue's configuration log in one transaction and upserts events into `events`.
 * Every entity must belong to an event of this venue (already known, or defined in the same call); an event id owned
 * by another venue is a conflict. Returns the venue's cursor after the append.
 *
 * A per-venue advisory lock makes seqs commit in the order they were drawn, so a hub pulling `seq > cursor` can never
 * skip a change that committed late. Given a transaction, it appends inside it (a savepoint), so the entities commit
 * with the change they describe.
 */
export async function appendConfig(db: Queryable, venueId: string, entities: readonly ConfigEntity[]): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'config:' + venueId}))`);
    const otherVenue = entities.flatMap((e) => (e.kind === 'terminal' && e.data.venueId !== venueId ? [e.data.id] : []));
    if (otherVenue.length) {
      throw new HttpError(400, 'invalid_body', `Terminal entities name another venue: ${otherVenue.slice(0, 20).join(', ')}.`, { terminalIds: otherVenue.slice(0, 20) });
    }
    const eventIds = [...new Set(entities.map(eventIdOf).filter((id): id is string => id !== null))];
    const known = eventIds.length
      ? await tx.select({ id: events.id, venueId: events.venueId }).from(events).where(inArray(events.id, eventIds))
      : [];
    const foreign = known.filter((e) => e.venueId !== venueId).map((e) => e.id);
    if (foreign.length) {
      throw new HttpError(409, 'conflict', `Event ids already belong to another venue: ${foreign.join(', ')}.`, { eventIds: foreign });
    }
    const defined = new Set([...known.map((e) => e.id), ...entities.filter((e) => e.kind === 'event').map((e) => e.data.id)]);
    const orphans = entities
      .map((e, index) => ({ index, eventId: eventIdOf(e) }))
      .filter((o): o is { index: number; eventId: string } => o.eventId !== null && !defined.has(o.eventId));
    if (orphans.length) {
      throw new HttpError(
        400,
        'invalid_body',
        `Entities refer to events this venue does not have: ${[...new Set(orphans.map((o) => o.eventId))].join(', ')}.`,
        { entities: orphans.slice(0, 20) },
      );
    }

    // Last definition of an event in the call wins, as it would in the log.
    const eventRows = new Map<string, typeof events.$inferInsert>();
    for (const e of entities) {
      if (e.kind === 'event') {
        eventRows.set(e.data.id, { id: e.data.id, venueId, name: e.data.name, currency: e.data.currency, data: e.data });
      }
    }
    if (eventRows.size) {
      await tx
        .insert(events)
        .values([...eventRows.values()])
        .onConflictDoUpdate({
          target: events.id,
          set: { name: sql`excluded.name`, currency: sql`excluded.currency`, data: sql`excluded.data`, updatedAt: sql`now()` },
        });
    }
    let cursor = 0;
    // Bounded chunks keep each statement well under Postgres's 65,535 parameters.
    for (let i = 0; i < entities.length; i += 2000) {
      const chunk = entities.slice(i, i + 2000);
      const rows = await tx
        .insert(configChanges)
        .values(chunk.map((e) => ({ venueId, kind: e.kind, entityKey: configKey(e), data: e.data })))
        .returning({ seq: configChanges.seq });
      for (const r of rows) cursor = Math.max(cursor, Number(r.seq));
      await projectBands(tx, venueId, chunk, rows.map((r) => Number(r.seq)));
    }
    if (cursor === 0) cursor = await venueCursor(tx, venueId);
    return cursor;
  });
}

/**
 * Keeps the `bands` projection (band → attendee, status) in step with the log, in the append's transaction. `seqs`
 * are the log seqs of `entities`, in the same order; within a call the last definition of a band wins, as in the log.
 */
async function projectBands(tx: Tx, venueId: string, entities: readonly ConfigEntity[], seqs: readonly number[]): Promise<void> {
  const latest = new Map<string, typeof bands.$inferInsert>();
  entities.forEach((e, i) => {
    if (e.kind !== 'band') return;
    const seq = seqs[i];
    if (seq === undefined) throw new Error('the config log returned fewer seqs than entities');
    const b = e.data;
    latest.set(`${b.eventId}\u0000${b.uid}`, { eventId: b.eventId, uid: b.uid, venueId, attendeeId: b.attendeeId, status: b.status, seq, data: b });
  });
  const rows = [...latest.values()];
  for (let i = 0; i < rows.length; i += 1000) {
    await tx
      .insert(bands)
      .values(rows.slice(i, i + 1000))
      .onConflictDoUpdate({
        target: [bands.eventId, bands.uid],
        set: { venueId: sql`excluded.venue_id`, attendeeId: sql`excluded.attendee_id`, status: sql`excluded.status`, seq: sql`excluded.seq`, data: sql`excluded.data` },
        setWhere: sql`excluded.seq > ${bands.seq}`,
      });
  }
}

export async function venueCursor(db: Queryable, venueId: string): Promise<number> {
  const [row] = await db
    .select({ seq: sql<string | number | null>`max(${configChanges.seq})` })
    .from(configChanges)
    .where(eq(configChanges.venueId, venueId));
  return Number(row?.seq ?? 0);
}

/** The venue's changes after `cursor`, oldest first; `more` when there are others after the last one returned. */
export async function readConfig(
  db: Queryable,
  venueId: string,
  cursor: number,
  limit: number,
): Promise<{ changes: ConfigChange[]; cursor: number; more: boolean }> {
  const rows = await db
    .select({ seq: configChanges.seq, kind: configChanges.kind, data: configChanges.data })
    .from(configChanges)
    .where(and(eq(configChanges.venueId, venueId), gt(configChanges.seq, cursor)))
    .orderBy(asc(configChanges.seq))
    .limit(limit + 1);
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  const changes = page.map((r) => ({ seq: Number(r.seq), entity: { kind: r.kind, data: r.data } as ConfigEntity }));
  return { changes, cursor: page.length ? Number(page.at(-1)!.seq) : cursor, more };
}

/** (kind, key) pairs already in the venue's log: lets the seed create what is absent and touch nothing else. */
export async function loggedKeys(db: Queryable, venueId: string): Promise<Set<string>> {
  const rows = await db
    .selectDistinct({ kind: configChanges.kind, key: configChanges.entityKey })
    .from(configChanges)
    .where(eq(configChanges.venueId, venueId));
  return new Set(rows.map((r) => `${r.kind}:${r.key}`));
}
