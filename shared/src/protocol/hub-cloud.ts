import { z } from 'zod';
import { ConfigChange, Instant } from '../domain.ts';
import { Id } from '../ids.ts';
import { text } from '../text.ts';
import { ItemResult } from './batch.ts';
import { ProtocolVersion } from './version.ts';

/**
 * Hub → cloud, HTTPS. Every request carries `Authorization: Bearer <venue key>`.
 *
 *   POST /v1/sync/push   SyncPushRequest → 200 SyncPushResponse (a result per item), 400 ErrorBody on a bad envelope
 *   GET  /v1/sync/pull?cursor=N&limit=M → 200 SyncPullResponse
 *   POST /v1/sync/pull   SyncPullRequest → 200 SyncPullResponse: the same pull, with the hub's terminals for head
 *                        office's Devices screen. A hub uses it once a pull answer says `takesTerminals`, so a new hub
 *                        keeps pulling from an older cloud (or a stand-in) by GET.
 */
export const MAX_SYNC_BATCH = 1000;

export const SyncPushRequest = z.object({
  v: ProtocolVersion,
  hubId: Id,
  /** Validated one by one by the cloud (`parseFacts`). */
  orders: z.array(z.unknown()).min(1).max(MAX_SYNC_BATCH),
  /** Orders still waiting in the hub's outbox behind this batch, for head office's live view. Optional: older hubs omit it. */
  backlog: z.number().int().nonnegative().max(1_000_000_000).optional(),
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

/** The most terminals one pull reports; a hub with more reports those it heard from last. */
export const MAX_REPORTED_TERMINALS = 500;

/** A terminal paired with the hub, as the hub knows it when it pulls. */
export const HubTerminalReport = z.object({
  id: Id,
  /** The name it was paired with (usually its station). */
  label: text(60),
  pairedAt: Instant,
  /** When it last connected or pushed; null if it never has since pairing. */
  lastSeenAt: Instant.nullable(),
  /** Connected to the hub right now. */
  online: z.boolean(),
  /** Its orders in the hub's cloud outbox, not uploaded yet. Optional: a hub that does not count them omits it. */
  backlog: z.number().int().nonnegative().max(1_000_000_000).optional(),
});
export type HubTerminalReport = z.infer<typeof HubTerminalReport>;

export const SyncPullRequest = z.object({
  v: ProtocolVersion,
  hubId: Id,
  cursor: z.number().int().nonnegative().default(0),
  limit: z.number().int().min(1).max(5000).default(1000),
  /**
   * The hub's paired terminals. Checked one by one (HubTerminalReport): a terminal the cloud cannot read is left out
   * and the pull still answers, so a bad label never stops configuration flowing down. Optional.
   */
  terminals: z.array(z.unknown()).max(MAX_REPORTED_TERMINALS).optional(),
});
export type SyncPullRequest = z.infer<typeof SyncPullRequest>;

export const SyncPullResponse = z.object({
  v: ProtocolVersion,
  venueId: Id,
  cursor: z.number().int().nonnegative(),
  more: z.boolean(),
  changes: z.array(ConfigChange),
  /** This cloud takes the hub's terminals on `POST /v1/sync/pull`. Optional: older clouds omit it. */
  takesTerminals: z.boolean().optional(),
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
