import type { UplinkSnapshot } from './uplink/uplink-status.ts';

/** `GET /v1/status`: everything the venue tech's status page and `hub status` show. */
export interface HubStatusReport {
  hubId: string;
  name: string;
  startedAt: string;
  uptimeSeconds: number;
  serverTime: string;
  pairingCode: string;
  pairingCodeExpiresAt: string;
  terminals: Array<{
    id: string;
    name: string;
    online: boolean;
    pairedAt: string;
    lastSeenAt: string | null;
    ordersReceived: number;
    /** Revoked by head office: disconnected and refused; its earlier orders stay. */
    revoked?: boolean;
    revokedReason?: string | null;
  }>;
  ordersReceived: number;
  /** Orders not yet acknowledged by the cloud (cloud_outbox rows). */
  queueDepth: number;
  uplink: UplinkSnapshot & { cloudUrl: string | null };
  /** `peak`: the backlog's high-water mark since the queue was last empty, for progress. */
  drain: { rate: number; etaSeconds: number | null; backlog: number; peak: number };
  conflicts: number;
  rejected: number;
  /** Registration at the venue: attendees desks can find, bands paired to one (active), bands blocked. */
  registration: { attendees: number; paired: number; blocked: number };
}
