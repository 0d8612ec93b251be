import { eq, sql } from 'drizzle-orm';
import type { DevicesResponse } from '../console/api-types.ts';
import type { Db, Queryable } from '../db/open.ts';
import { queryRows } from '../db/raw-sql.ts';
import { venues, venueSyncState } from '../db/schema.ts';
import type { ConsoleCaller, ScopedEvent, ScopedVenue } from './accounts-scope.ts';
import { audit } from './audit.ts';
import { eventTerminals } from './devices-terminals.ts';
import { venueCursor } from './config-log.ts';
import { terminalStandings } from './terminal-standing.ts';
import { hashVenueKey, newVenueKey } from './venues.ts';

/*
 * Devices as the cloud knows them. A venue's hub signs its sync with the venue key: head office creates/rotates it
 * (the new key is shown once) and revokes it (sync then answers 401). Pushes are recorded per hub in hub_uploads
 * (services/live-hubs.ts); pulls here. Terminals pair at the hub, never with the cloud: the cloud knows them from what
 * the hubs report on their pulls and from the orders they made (services/devices-terminals.ts).
 */

/** Records a configuration pull with the venue key (called by the sync router after answering it). One upsert. */
export async function recordVenuePull(db: Queryable, venueId: string, cursor: number): Promise<void> {
  await db
    .insert(venueSyncState)
    .values({ venueId, lastPullAt: sql`now()`, lastPullCursor: cursor })
    .onConflictDoUpdate({ target: venueSyncState.venueId, set: { lastPullAt: sql`now()`, lastPullCursor: cursor } });
}

const iso = (v: unknown): string => new Date(v as string | Date).toISOString();
const isoOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : iso(v));
const num = (v: unknown): number => Number(v ?? 0);

/** The hub link of the event's venue, its hubs' uploads, and its terminals: reported by a hub or seen in the event's orders. */
export async function devicesView(db: Queryable, event: Pick<ScopedEvent, 'id' | 'venueId' | 'venueName'>): Promise<DevicesResponse> {
  const [venue] = await queryRows<{
    key_active: boolean;
    key_set_at: unknown;
    key_revoked_at: unknown;
    last_pull_at: unknown;
    last_pull_cursor: unknown;
    last_push_at: unknown;
    now: unknown;
  }>(
    db,
    sql`select v.key_hash is not null as key_active, s.key_set_at, s.key_revoked_at, s.last_pull_at, s.last_pull_cursor,
          (select max(h.last_push_at) from hub_uploads h where h.venue_id = v.id) as last_push_at, now() as now
        from venues v left join venue_sync_state s on s.venue_id = v.id where v.id = ${event.venueId}`,
  );
  const hubs = await queryRows<{ hub_id: string; first_push_at: unknown; last_push_at: unknown; last_batch: number; backlog: number | null; orders_pushed: unknown }>(
    db,
    sql`select hub_id, first_push_at, last_push_at, last_batch, backlog, orders_pushed from hub_uploads
        where venue_id = ${event.venueId} order by last_push_at desc`,
  );
  const terminals = await eventTerminals(db, event);
  const cursor = await venueCursor(db, event.venueId);
  const standings = await terminalStandings(db, event.venueId);
  const lastPull = isoOrNull(venue?.last_pull_at);
  const lastPush = isoOrNull(venue?.last_push_at);
  const lastSeenAt = [lastPull, lastPush].filter((t): t is string => t !== null).sort().at(-1) ?? null;
  return {
    venue: {
      id: event.venueId,
      name: event.venueName,
      keyActive: Boolean(venue?.key_active),
      keySetAt: isoOrNull(venue?.key_set_at),
      keyRevokedAt: isoOrNull(venue?.key_revoked_at),
      lastSeenAt,
      lastPullAt: lastPull,
      configBehind: venue?.last_pull_cursor === null || venue?.last_pull_cursor === undefined ? null : Math.max(0, cursor - num(venue.last_pull_cursor)),
    },
    hubs: hubs.map((h) => ({
      hubId: h.hub_id,
      firstPushAt: iso(h.first_push_at),
      lastPushAt: iso(h.last_push_at),
      lastBatch: num(h.last_batch),
      backlog: h.backlog === null ? null : num(h.backlog),
      ordersPushed: num(h.orders_pushed),
    })),
    terminals: terminals.map((t) => {
      const standing = standings.get(t.terminal_id);
      const revoked = standing?.status === 'revoked';
      const reported = t.reported_hub !== null;
      return {
        terminalId: t.terminal_id,
        label: t.label,
        hubId: (t.reported_hub ?? t.sales_hub)!,
        reported,
        lastSeenAt: isoOrNull(t.last_seen_at),
        online: reported ? Boolean(t.online) : null,
        reportedAt: isoOrNull(t.reported_at),
        backlog: t.backlog === null ? null : num(t.backlog),
        lastOrderAt: isoOrNull(t.last_order_at),
        lastSeq: t.last_seq === null ? null : num(t.last_seq),
        sales: num(t.sales),
        orders: num(t.sales) + num(t.voids),
        status: revoked ? ('revoked' as const) : ('active' as const),
        revokedReason: revoked ? (standing.reason ?? null) : null,
      };
    }),
    generatedAt: iso(venue?.now ?? new Date()),
  };
}

/**
 * A new venue key (replacing any current one, which stops working at once). Returns the key: shown once, only its
 * sha256 is kept. The audit row never holds the key.
 */
export async function rotateVenueKey(db: Db, caller: ConsoleCaller, venue: ScopedVenue): Promise<string> {
  const key = newVenueKey();
  await db.transaction(async (tx) => {
    const [before] = await tx.select({ keyHash: venues.keyHash }).from(venues).where(eq(venues.id, venue.id));
    await tx.update(venues).set({ keyHash: hashVenueKey(key) }).where(eq(venues.id, venue.id));
    await tx
      .insert(venueSyncState)
      .values({ venueId: venue.id, keySetAt: sql`now()`, keyRevokedAt: null })
      .onConflictDoUpdate({ target: venueSyncState.venueId, set: { keySetAt: sql`now()`, keyRevokedAt: null } });
    await audit(tx, caller, before?.keyHash ? 'devices.venue_key_rotated' : 'devices.venue_key_created', `venue:${venue.id}`, { venue: venue.name });
  });
  return key;
}

/** Removes the venue's key: every sync request with it answers 401 until a new key is created. */
export async function revokeVenueKey(db: Db, caller: ConsoleCaller, venue: ScopedVenue): Promise<void> {
  await db.transaction(async (tx) => {
    const [changed] = await tx
      .update(venues)
      .set({ keyHash: null })
      .where(sql`${venues.id} = ${venue.id} and ${venues.keyHash} is not null`)
      .returning({ id: venues.id });
    if (!changed) return;
    await tx
      .insert(venueSyncState)
      .values({ venueId: venue.id, keyRevokedAt: sql`now()` })
      .onConflictDoUpdate({ target: venueSyncState.venueId, set: { keyRevokedAt: sql`now()` } });
    await audit(tx, caller, 'devices.venue_key_revoked', `venue:${venue.id}`, { venue: venue.name });
  });
}
