import { createHash } from 'node:crypto';
import { type Attendee, type ConfigEntity, configKey } from '@tapline/shared';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/open.ts';
import { venues } from '../db/schema.ts';
import { seedDemoAccounts } from '../services/accounts-demo.ts';
import { upsertAttendees } from '../services/attendees.ts';
import { appendConfig, loggedKeys } from '../services/config-log.ts';
import { findVenue, hashVenueKey, insertVenue } from '../services/venues.ts';
import {
  DEMO_CURRENCY,
  DEMO_DEFAULT_BANDS,
  DEMO_EVENT_ID,
  DEMO_PRODUCTS,
  DEMO_STAFF,
  DEMO_STATIONS,
  DEMO_TIMEZONE,
  DEMO_VENUE_ID,
  DEMO_VENUE_NAME,
  demoAttendeeId,
  demoBandUid,
  demoPhone,
  demoSmsConsent,
  isDemoBandBlocked,
} from './demo-constants.ts';
import { hashPin } from '@tapline/shared';

export * from './demo-constants.ts';

const FIRST_NAMES = [
  'Emma', 'Noah', 'Julia', 'Liam', 'Mila', 'Lucas', 'Sophie', 'Finn', 'Tess', 'Daan',
  'Sara', 'Sem', 'Zoë', 'Levi', 'Anna', 'Milan', 'Eva', 'Jesse', 'Nora', 'Bram',
];

export interface SeedDemoOptions {
  venueKey: string;
  /** How many wristbands (default 200). */
  bands?: number;
  now?: Date;
}

export interface SeedDemoResult {
  venueCreated: boolean;
  /** Entities appended to the config log by this run (0 on a repeat). */
  appended: number;
  /** Attendees created by this run (0 on a repeat). */
  attendees: number;
}

/** A log-provider id the way LogPayments makes them (`cus_log_<24 hex>`), fixed per attendee. */
function logProviderId(prefix: string, seed: string): string {
  return `${prefix}_log_${createHash('sha256').update(seed).digest('hex').slice(0, 24)}`;
}

/**
 * Attendee n of the demo: the band's first name, a phone, SMS consent for most, and a card saved at the demo's
 * payments provider (the log), so the sweepers have something to hold and capture.
 */
function demoAttendee(n: number): Attendee {
  return {
    id: demoAttendeeId(n),
    eventId: DEMO_EVENT_ID,
    firstName: FIRST_NAMES[(n - 1) % FIRST_NAMES.length]!,
    lastName: null,
    email: null,
    phone: demoPhone(n),
    smsConsent: demoSmsConsent(n),
    card: {
      status: 'ready',
      stripeCustomerId: logProviderId('cus', `demo:${demoAttendeeId(n)}`),
      stripePaymentMethodId: logProviderId('pm', `demo:${demoAttendeeId(n)}`),
      last4: '4242',
    },
  };
}

function demoEntities(bands: number, now: Date): ConfigEntity[] {
  const hour = 3_600_000;
  const entities: ConfigEntity[] = [
    {
      kind: 'event',
      data: {
        id: DEMO_EVENT_ID,
        name: DEMO_VENUE_NAME,
        currency: DEMO_CURRENCY,
        timezone: DEMO_TIMEZONE,
        startsAt: new Date(now.getTime() - hour).toISOString(),
        endsAt: new Date(now.getTime() + 48 * hour).toISOString(),
        offlineBandAllowance: 5000,
        offlineTerminalTotal: 500000,
        noCardAllowance: 2500,
      },
    },
  ];
  for (const p of DEMO_PRODUCTS) entities.push({ kind: 'product', data: { ...p, eventId: DEMO_EVENT_ID, active: true } });
  const drinks = DEMO_PRODUCTS.filter((p) => p.category !== 'Food').map((p) => p.id);
  entities.push(
    { kind: 'station', data: { id: DEMO_STATIONS.barMain, eventId: DEMO_EVENT_ID, name: 'Main bar', mode: 'bar', productIds: DEMO_PRODUCTS.map((p) => p.id) } },
    { kind: 'station', data: { id: DEMO_STATIONS.barNorth, eventId: DEMO_EVENT_ID, name: 'North bar', mode: 'bar', productIds: drinks } },
    { kind: 'station', data: { id: DEMO_STATIONS.desk, eventId: DEMO_EVENT_ID, name: 'Registration desk', mode: 'registration', productIds: [] } },
  );
  for (const s of Object.values(DEMO_STAFF)) {
    entities.push({ kind: 'staff', data: { id: s.id, eventId: DEMO_EVENT_ID, name: s.name, role: s.role, pinHash: hashPin(s.pin) } });
  }
  for (let n = 1; n <= bands; n++) {
    entities.push({
      kind: 'band',
      data: {
        uid: demoBandUid(n),
        eventId: DEMO_EVENT_ID,
        attendeeId: demoAttendeeId(n),
        firstName: FIRST_NAMES[(n - 1) % FIRST_NAMES.length]!,
        status: isDemoBandBlocked(n) ? 'blocked' : 'active',
        hasCard: true,
        tabLimit: null,
      },
    });
  }
  return entities;
}

/**
 * Creates the demo venue, event, menu, stations, staff and bands where absent. Idempotent: entities already in the
 * venue's log are left alone (a repeat appends nothing). If the venue exists with another key, the key is replaced,
 * so the key the operator passes is always the one that works.
 */
export async function seedDemo(db: Db, options: SeedDemoOptions): Promise<SeedDemoResult> {
  const bands = options.bands ?? DEMO_DEFAULT_BANDS;
  let venueCreated = false;
  if (!(await findVenue(db, DEMO_VENUE_ID))) {
    venueCreated = await insertVenue(db, { id: DEMO_VENUE_ID, name: DEMO_VENUE_NAME }, options.venueKey);
  } else {
    await db.update(venues).set({ keyHash: hashVenueKey(options.venueKey) }).where(eq(venues.id, DEMO_VENUE_ID));
  }
  const present = await loggedKeys(db, DEMO_VENUE_ID);
  const missing = demoEntities(bands, options.now ?? new Date()).filter((e) => !present.has(`${e.kind}:${configKey(e)}`));
  if (missing.length) await appendConfig(db, DEMO_VENUE_ID, missing);
  // Head office: the "Demo Festivals" organisation owns the venue; its people sign in to the console.
  await seedDemoAccounts(db, DEMO_VENUE_ID);
  const attendees = await upsertAttendees(
    db,
    Array.from({ length: bands }, (_, i) => demoAttendee(i + 1)),
    { onlyNew: true },
  );
  return { venueCreated, appended: missing.length, attendees };
}
