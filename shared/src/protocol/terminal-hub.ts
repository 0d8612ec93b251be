import { z } from 'zod';
import { ConfigEntity } from '../domain.ts';
import { Id } from '../ids.ts';
import { ErrorBody } from './errors.ts';
import { ItemResult } from './batch.ts';
import { ProtocolVersion } from './version.ts';

/**
 * Terminal ↔ hub, over Socket.IO on the venue LAN.
 *
 *   terminal → hub  `orders:push`   OrdersPush, acked with OrdersPushAck after the hub's durable commit
 *   hub → terminal  `config`        ConfigMessage: a full snapshot on connect, then changes as they arrive
 *   hub → terminal  `hub:status`    HubStatus: what the terminal shows about the link to the cloud
 *
 * Pairing is plain HTTP on the same port: POST /v1/pair with PairRequest gives PairResponse.
 */
export const TerminalEvents = {
  ordersPush: 'orders:push',
  config: 'config',
  hubStatus: 'hub:status',
} as const;

export const MAX_PUSH_BATCH = 500;

/** Socket.IO handshake `auth`. */
export const TerminalAuth = z.object({
  v: ProtocolVersion,
  terminalId: Id,
  token: z.string().min(16).max(256),
});
export type TerminalAuth = z.infer<typeof TerminalAuth>;

export const OrdersPush = z.object({
  v: ProtocolVersion,
  /** Validated one by one by the hub (`parseFacts`), so the envelope accepts anything here. */
  orders: z.array(z.unknown()).min(1).max(MAX_PUSH_BATCH),
});
export type OrdersPush = z.infer<typeof OrdersPush>;

export const OrdersPushAck = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), v: ProtocolVersion, results: z.array(ItemResult) }),
  z.object({ ok: z.literal(false), v: ProtocolVersion, error: ErrorBody }),
]);
export type OrdersPushAck = z.infer<typeof OrdersPushAck>;

export const ConfigMessage = z.object({
  v: ProtocolVersion,
  /** true: replace the whole cache with `entities`; false: upsert them. */
  full: z.boolean(),
  cursor: z.number().int().nonnegative(),
  entities: z.array(ConfigEntity),
});
export type ConfigMessage = z.infer<typeof ConfigMessage>;

export const UplinkState = z.enum(['online', 'offline', 'unknown']);
export type UplinkState = z.infer<typeof UplinkState>;

export const HubStatus = z.object({
  v: ProtocolVersion,
  hubId: Id,
  uplink: UplinkState,
  lastUploadAt: z.iso.datetime({ offset: true }).nullable(),
  /** Orders at the hub not yet acknowledged by the cloud. */
  pendingUpload: z.number().int().nonnegative(),
  serverTime: z.iso.datetime({ offset: true }),
});
export type HubStatus = z.infer<typeof HubStatus>;

export const PairRequest = z.object({
  v: ProtocolVersion,
  code: z.string().regex(/^\d{6}$/, 'six digits'),
  name: z.string().trim().min(1).max(60),
});
export type PairRequest = z.infer<typeof PairRequest>;

export const PairResponse = z.object({
  v: ProtocolVersion,
  hubId: Id,
  terminalId: Id,
  token: z.string(),
});
export type PairResponse = z.infer<typeof PairResponse>;
