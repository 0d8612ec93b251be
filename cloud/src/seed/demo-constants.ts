/** Fixed ids and secrets of the demo, shared by the seed, tests, the simulator and the demo script. */
export const DEMO_VENUE_ID = 'demo-venue';
export const DEMO_VENUE_NAME = 'Riverside Festival';
export const DEMO_EVENT_ID = 'demo-event';
/** Used when TAPLINE_VENUE_KEY is not set. A demo secret: never use it for a real venue. */
export const DEMO_VENUE_KEY = 'demo-venue-key-not-secret';
/** Used when TAPLINE_ADMIN_TOKEN is not set; printed at start with a warning. */
export const DEMO_ADMIN_TOKEN = 'demo-admin-token-not-secret';
export const DEMO_CURRENCY = 'EUR';
export const DEMO_TIMEZONE = 'Europe/Amsterdam';
export const DEMO_DEFAULT_BANDS = 200;

export const DEMO_STATIONS = { barMain: 'bar-main', barNorth: 'bar-north', desk: 'desk-1' } as const;
export const DEMO_STAFF = {
  bartender: { id: 'staff-bartender', name: 'Sam (bar)', role: 'bartender', pin: '1234' },
  supervisor: { id: 'staff-supervisor', name: 'Alex (supervisor)', role: 'supervisor', pin: '9999' },
  registration: { id: 'staff-registration', name: 'Riley (desk)', role: 'registration', pin: '5555' },
} as const;

/** Band n (1-based): 7-byte UID `04` + n as 12 hex digits, e.g. 04000000000001. */
export function demoBandUid(n: number): string {
  return `04${n.toString(16).toUpperCase().padStart(12, '0')}`;
}

/** Every 50th band is blocked (50, 100, 150, …): a few declines in any demo. */
export function isDemoBandBlocked(n: number): boolean {
  return n % 50 === 0;
}

export const DEMO_PRODUCTS = [
  { id: 'beer-pils', name: 'Pils 0.5 l', category: 'Beer', price: 550 },
  { id: 'beer-ipa', name: 'IPA 0.33 l', category: 'Beer', price: 650 },
  { id: 'beer-radler', name: 'Radler 0.5 l', category: 'Beer', price: 500 },
  { id: 'wine-red', name: 'House red', category: 'Wine', price: 600 },
  { id: 'wine-white', name: 'House white', category: 'Wine', price: 600 },
  { id: 'wine-rose', name: 'Rosé', category: 'Wine', price: 650 },
  { id: 'cocktail-mojito', name: 'Mojito', category: 'Cocktails', price: 1100 },
  { id: 'cocktail-spritz', name: 'Aperol Spritz', category: 'Cocktails', price: 950 },
  { id: 'cocktail-gt', name: 'Gin & Tonic', category: 'Cocktails', price: 1000 },
  { id: 'soft-cola', name: 'Cola', category: 'Soft drinks', price: 350 },
  { id: 'soft-water', name: 'Water', category: 'Soft drinks', price: 300 },
  { id: 'soft-juice', name: 'Orange juice', category: 'Soft drinks', price: 400 },
  { id: 'food-fries', name: 'Fries', category: 'Food', price: 500 },
  { id: 'food-burger', name: 'Burger', category: 'Food', price: 1250 },
] as const;

/** Band n is paired with attendee n. */
export function demoAttendeeId(n: number): string {
  return `attendee-${n}`;
}

/** Attendee n's phone: +3161000xxxx (a Dutch mobile number shape; n up to 89,999,999). */
export function demoPhone(n: number): string {
  return `+316${10_000_000 + n}`;
}

/** Every 10th attendee said no to SMS (10, 20, 30, …): the demo shows both. */
export function demoSmsConsent(n: number): boolean {
  return n % 10 !== 0;
}
