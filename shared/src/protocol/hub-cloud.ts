import { z } from 'zod';
import { ConfigChange } from '../domain.ts';
import { Id } from '../ids.ts';
import { ItemResult } from './batch.ts';
import { ProtocolVersion } from './version.ts';

/**
 * Hub → cloud, HTTPS. Every request carries `Authorization: Bearer <venue key>`.
 *
 *   POST /v1/sync/push   SyncPushRequest → 200 SyncPushResponse (a result per item), 400 ErrorBody on a bad envelope
 *   GET  /v1/sync/pull?cursor=N&limit=M → 200 SyncPullResponse
 */
export const MAX_SYNC_BATCH = 1000;

export const SyncPushRequest = z.object({
  v: ProtocolVersion,
  hubId: Id,
  /** Validated one by one by the cloud (`parseFacts`). */
  orders: z.array(z.unknown()).min(1).max(MAX_SYNC_BATCH),
});
export type SyncPushRequest = z.infer<typeof SyncPushRequest>;

export const SyncPushResponse = z.object({
  v: ProtocolVersion,
  results: z.array(ItemResult),
});
export type SyncPushResponse = z.infer<typeof SyncPushResponse>;

export const SyncPullQuery = z.object({
  cursor: z.coerce.number().int().nonnegative().default(0),
  limit: z.coerce.number().int().min(1).max(5000).default(1000),
});
export type SyncPullQuery = z.infer<typeof SyncPullQuery>;

export const SyncPullResponse = z.object({
  v: ProtocolVersion,
  venueId: Id,
  cursor: z.number().int().nonnegative(),
  more: z.boolean(),
  changes: z.array(ConfigChange),
});
export type SyncPullResponse = z.infer<typeof SyncPullResponse>;

export const EventSummary = z.object({
  eventId: Id,
  currency: z.string(),
  orders: z.number().int().nonnegative(),
  sales: z.number().int().nonnegative(),
  voids: z.number().int().nonnegative(),
  /** Sum of sales not voided, in minor units. */
  total: z.number().int(),
});
export type EventSummary = z.infer<typeof EventSummary>;
