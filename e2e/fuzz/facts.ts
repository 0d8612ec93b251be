import fc from 'fast-check';
import { newId, VenueFact, type Block, type Pairing, type Sale, type Signup, type Void } from '@tapline/shared';

/** A valid sale as a terminal makes it; a fresh id each call, so runs never collide with each other's orders. */
export function validSale(o: { terminalId: string; seq: number; eventId?: string; stationId?: string; bandUid?: string; productId?: string }): Sale {
  const lines = [
    { productId: o.productId ?? 'beer-pils', name: 'Pils 0.5 l', quantity: 2, unitPrice: 550 },
    { productId: 'soft-water', name: 'Water', quantity: 1, unitPrice: 300 },
  ];
  return {
    id: newId(),
    terminalId: o.terminalId,
    seq: o.seq,
    eventId: o.eventId ?? 'demo-event',
    stationId: o.stationId ?? 'bar-main',
    staffId: 'staff-bartender',
    bandUid: o.bandUid ?? '04000000000001',
    createdAt: new Date().toISOString(),
    offline: false,
    kind: 'sale',
    currency: 'EUR',
    lines,
    total: lines.reduce((s, l) => s + l.quantity * l.unitPrice, 0),
  };
}

export function validVoid(sale: Sale, seq: number): Void {
  return {
    id: newId(),
    terminalId: sale.terminalId,
    seq,
    eventId: sale.eventId,
    stationId: sale.stationId,
    staffId: sale.staffId,
    bandUid: sale.bandUid,
    createdAt: new Date().toISOString(),
    offline: false,
    kind: 'void',
    voidsOrderId: sale.id,
    reason: 'spilled',
    supervisorId: 'staff-supervisor',
  };
}

/** A band UID of 4 bytes, so each run can have its own band and its own tab to check. */
export function bandUidArb(): fc.Arbitrary<string> {
  return fc.integer({ min: 0x10000000, max: 0x7fffffff }).map((n) => n.toString(16).toUpperCase().padStart(8, '0'));
}

/** What the shared schema says of an item (sales, voids and a desk's registration facts): the oracle of which items a receiver must keep. */
export function isValidFact(item: unknown): item is VenueFact {
  return VenueFact.safeParse(item).success;
}

const deskBase = (o: { terminalId: string; seq: number }) => ({
  id: newId(),
  terminalId: o.terminalId,
  seq: o.seq,
  eventId: 'demo-event',
  stationId: 'desk-1',
  staffId: null,
  createdAt: new Date().toISOString(),
  offline: false,
});

/** A walk-up signed up at a desk, as the terminal makes it. */
export function validSignup(o: { terminalId: string; seq: number }): Signup {
  return {
    ...deskBase(o),
    kind: 'signup',
    attendee: { id: newId(), firstName: 'Walk', lastName: 'Up', email: 'walk.up@example.test', phone: '+31612345678', smsConsent: true },
  };
}

/** A band given to an attendee at a desk. */
export function validPairing(o: { terminalId: string; seq: number; bandUid: string; attendeeId?: string }): Pairing {
  return { ...deskBase(o), kind: 'pairing', bandUid: o.bandUid, attendeeId: o.attendeeId ?? newId(), replacesBandUid: null };
}

/** A lost band blocked at a desk. */
export function validBlock(o: { terminalId: string; seq: number; bandUid: string }): Block {
  return { ...deskBase(o), kind: 'block', bandUid: o.bandUid, reason: 'lost at the main stage' };
}
