import type { ConfigEntity, Event } from '@tapline/shared';

export const BENCH_EVENT: Event = {
  id: 'bench-event',
  name: 'Bench Fest',
  currency: 'EUR',
  timezone: 'Europe/Amsterdam',
  startsAt: '2026-01-01T00:00:00Z',
  endsAt: '2030-01-01T00:00:00Z',
  offlineBandAllowance: 1_000_000_000,
  offlineTerminalTotal: 1_000_000_000,
  noCardAllowance: 0,
};

export const BENCH_BANDS = Array.from({ length: 100 }, (_, i) => `04${i.toString(16).toUpperCase().padStart(12, '0')}`);

export function benchConfig(): ConfigEntity[] {
  return [
    { kind: 'event', data: BENCH_EVENT },
    { kind: 'product', data: { id: 'beer', eventId: BENCH_EVENT.id, name: 'Beer', category: 'Beer', price: 650, active: true } },
    { kind: 'product', data: { id: 'water', eventId: BENCH_EVENT.id, name: 'Water', category: 'Soft drinks', price: 250, active: true } },
    { kind: 'station', data: { id: 'bar-main', eventId: BENCH_EVENT.id, name: 'Main bar', mode: 'bar', productIds: ['beer', 'water'] } },
    ...BENCH_BANDS.map((uid) => ({
      kind: 'band' as const,
      data: { uid, eventId: BENCH_EVENT.id, attendeeId: null, firstName: null, status: 'active' as const, hasCard: true, tabLimit: null },
    })),
  ];
}
