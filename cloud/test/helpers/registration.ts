import { type Block, newId, type Pairing, type Signup } from '@tapline/shared';
import { DEMO_EVENT_ID, DEMO_STAFF, DEMO_STATIONS } from '../../src/seed/demo-constants.ts';

let seq = 1_000_000;

const base = (createdAt?: string) => ({
  id: newId(),
  terminalId: 'desk-test',
  seq: ++seq,
  eventId: DEMO_EVENT_ID,
  stationId: DEMO_STATIONS.desk,
  staffId: DEMO_STAFF.supervisor.id,
  createdAt: createdAt ?? new Date().toISOString(),
  offline: false,
});

/** A band UID of its own for each test: 7 bytes, `0A` + 12 hex digits of a counter and a random part. */
export function freshBandUid(): string {
  return `0A${Math.floor(Math.random() * 0xffffffffffff)
    .toString(16)
    .toUpperCase()
    .padStart(12, '0')}`;
}

export function signup(overrides: Partial<Signup['attendee']> & { createdAt?: string } = {}): Signup {
  const { createdAt, ...attendee } = overrides;
  return {
    ...base(createdAt),
    kind: 'signup',
    attendee: { id: newId(), firstName: 'Walkup', lastName: 'Person', email: null, phone: null, smsConsent: false, ...attendee },
  };
}

export function pairing(bandUid: string, attendeeId: string, options: { createdAt?: string; replacesBandUid?: string | null } = {}): Pairing {
  return { ...base(options.createdAt), kind: 'pairing', bandUid, attendeeId, replacesBandUid: options.replacesBandUid ?? null };
}

export function block(bandUid: string, options: { createdAt?: string; reason?: string } = {}): Block {
  return { ...base(options.createdAt), kind: 'block', bandUid, reason: options.reason ?? 'Lost at the gate' };
}

/** An instant `minutes` after a fixed start: the clash rule orders by these. */
export function at(minutes: number): string {
  return new Date(Date.UTC(2026, 6, 1, 12, 0, 0) + minutes * 60_000).toISOString();
}
