import { sql } from 'drizzle-orm';
import type { Queryable } from '../db/open.ts';
import { hubUploads } from '../db/schema-live.ts';

export interface HubPush {
  venueId: string;
  hubId: string;
  /** Orders in this push. */
  batch: number;
  /** What the hub said still waits behind it; undefined when it did not say. */
  backlog?: number;
}

/**
 * Records an accepted push in the hub's upload state. One upsert; run in the push's own transaction (ingest's
 * `recordPush`), so "last upload" never names a push the cloud did not keep.
 */
export async function recordHubPush(db: Queryable, push: HubPush): Promise<void> {
  await db
    .insert(hubUploads)
    .values({
      venueId: push.venueId,
      hubId: push.hubId,
      lastPushAt: sql`now()`,
      lastBatch: push.batch,
      backlog: push.backlog ?? null,
      pushes: 1,
      ordersPushed: push.batch,
    })
    .onConflictDoUpdate({
      target: [hubUploads.venueId, hubUploads.hubId],
      set: {
        lastPushAt: sql`now()`,
        lastBatch: push.batch,
        backlog: push.backlog ?? null,
        pushes: sql`${hubUploads.pushes} + 1`,
        ordersPushed: sql`${hubUploads.ordersPushed} + ${push.batch}`,
      },
    });
}
