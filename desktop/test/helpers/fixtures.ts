import type { ConfigEntity, Event, Product, Station, Staff, Wristband } from '@tapline/shared';

export const EVENT: Event = {
  id: 'fest-2025',
  name: 'Summer Fest',
  currency: 'EUR',
  timezone: 'Europe/Paris',
  startsAt: '2025-07-01T12:00:00Z',
  endsAt: '2025-07-03T23:00:00Z',
  offlineBandAllowance: 5_000,
  offlineTerminalTotal: 20_000,
  noCardAllowance: 2_000,
};

export const PRODUCTS: Product[] = [
  { id: 'beer', eventId: EVENT.id, name: 'Beer', category: 'Drinks', price: 650, active: true },
  { id: 'water', eventId: EVENT.id, name: 'Water', category: 'Drinks', price: 250, active: true },
  { id: 'wine', eventId: EVENT.id, name: 'Wine', category: 'Drinks', price: 900, active: true },
  { id: 'old-cider', eventId: EVENT.id, name: 'Old cider', category: 'Drinks', price: 500, active: false },
  { id: 'tshirt', eventId: EVENT.id, name: 'T-shirt', category: 'Merch', price: 2_500, active: true },
];

export const STATION: Station = {
  id: 'bar-main',
  eventId: EVENT.id,
  name: 'Main bar',
  mode: 'bar',
  productIds: ['beer', 'water', 'wine', 'old-cider'],
};

export const SUPERVISOR: Staff = { id: 'sup-1', eventId: EVENT.id, name: 'Sam', role: 'supervisor', pinHash: 'scrypt$x' };
export const BARTENDER: Staff = { id: 'bt-1', eventId: EVENT.id, name: 'Bo', role: 'bartender', pinHash: 'scrypt$y' };

const band = (uid: string, over: Partial<Wristband> = {}): Wristband => ({
  uid,
  eventId: EVENT.id,
  attendeeId: `att-${uid}`,
  firstName: 'Alex',
  status: 'active',
  hasCard: true,
  tabLimit: null,
  ...over,
});

export const BANDS = {
  card: band('04A1B2C3D4E5F6'),
  card2: band('04A1B2C3D4E5F7'),
  blocked: band('04A1B2C3D4E5F8', { status: 'blocked' }),
  limited: band('0A0B0C0D', { tabLimit: 1_000 }),
  noCard: band('0A0B0C0E', { hasCard: false }),
};

export function allEntities(): ConfigEntity[] {
  return [
    { kind: 'event', data: EVENT },
    ...PRODUCTS.map((data) => ({ kind: 'product' as const, data })),
    { kind: 'station', data: STATION },
    { kind: 'staff', data: SUPERVISOR },
    { kind: 'staff', data: BARTENDER },
    ...Object.values(BANDS).map((data) => ({ kind: 'band' as const, data })),
  ];
}
