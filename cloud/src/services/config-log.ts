import { type ConfigChange, type ConfigEntity, configKey } from '@tapline/shared';
import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../db/open.ts';
import { configChanges, events } from '../db/schema.ts';
import { HttpError } from '../http/http-error.ts';

function eventIdOf(e: ConfigEntity): string {
  return e.kind === 'event' ? e.data.id : e.data.eventId;
}

/**
 * Appends `entities` to the venue's configuration log in one transaction and upserts events into `events`.
 * Every entity must belong to an event of this venue (already known, or defined in the same call); an event id owned
 * by another venue is a conflict. Returns the venue's cursor after the append.
 *
 * A per-venue advisory lock makes seqs commit in the order they were drawn, so a hub pulling `seq > cursor` can never
 * skip a change that committed late.
 */
export async function appendConfig(db: Db, venueId: string, entities: readonly ConfigEntity[]): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'config:' + venueId}))`);
    const eventIds = [...new Set(entities.map(eventIdOf))];
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
      .filter((o) => !defined.has(o.eventId));
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
      const rows = await tx
        .insert(configChanges)
        .values(
          entities.slice(i, i + 2000).map((e) => ({ venueId, kind: e.kind, entityKey: configKey(e), data: e.data })),
        )
        .returning({ seq: configChanges.seq });
      for (const r of rows) cursor = Math.max(cursor, Number(r.seq));
    }
    if (cursor === 0) cursor = await venueCursor(tx, venueId);
    return cursor;
  });
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
