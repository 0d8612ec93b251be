import { newId, type Sale, type Void } from '@tapline/shared';
import { DEMO_EVENT_ID, DEMO_STAFF, DEMO_STATIONS, demoBandUid } from '../../src/seed/demo-constants.ts';

let seq = 0;

export function sale(overrides: Partial<Sale> & { band?: number } = {}): Sale {
  const { band = 1, ...rest } = overrides;
  const lines = rest.lines ?? [{ productId: 'beer-pils', name: 'Pils 0.5 l', quantity: 2, unitPrice: 550 }];
  return {
    id: newId(),
    terminalId: 'term-test',
    seq: ++seq,
    eventId: DEMO_EVENT_ID,
    stationId: DEMO_STATIONS.barMain,
    staffId: DEMO_STAFF.bartender.id,
    bandUid: demoBandUid(band),
    createdAt: new Date().toISOString(),
    offline: false,
    kind: 'sale',
    currency: 'EUR',
    lines,
    total: lines.reduce((s, l) => s + l.quantity * l.unitPrice, 0),
    ...rest,
  };
}

export function voidOf(s: Sale, overrides: Partial<Void> = {}): Void {
  return {
    id: newId(),
    terminalId: s.terminalId,
    seq: ++seq,
    eventId: s.eventId,
    stationId: s.stationId,
    staffId: s.staffId,
    bandUid: s.bandUid,
    createdAt: new Date().toISOString(),
    offline: false,
    kind: 'void',
    voidsOrderId: s.id,
    reason: 'Poured the wrong drink',
    supervisorId: DEMO_STAFF.supervisor.id,
    ...overrides,
  };
}

export function push(orders: unknown[], hubId = 'hub-test') {
  return { v: 1, hubId, orders };
}
