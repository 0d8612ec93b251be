import { z } from 'zod';
import { BandUid } from './band-uid.ts';
import { Id, UuidV7 } from './ids.ts';
import { Currency, MinorUnits, NonNegativeMinor } from './money.ts';

export const Name = z.string().trim().min(1).max(120);
export const Instant = z.iso.datetime({ offset: true });

// ── Configuration: made by head office in the cloud, flows down to hubs and terminals. ──

export const Event = z.object({
  id: Id,
  name: Name,
  currency: Currency,
  timezone: z.string().min(1).max(64),
  startsAt: Instant,
  endsAt: Instant,
  /** What one band may spend while its terminal cannot reach the hub. */
  offlineBandAllowance: NonNegativeMinor,
  /** What one terminal may take in all while it cannot reach the hub. */
  offlineTerminalTotal: NonNegativeMinor,
  /** What a band paired to an attendee without a card may spend. */
  noCardAllowance: NonNegativeMinor,
});
export type Event = z.infer<typeof Event>;

export const Product = z.object({
  id: Id,
  eventId: Id,
  name: Name,
  category: Name,
  price: NonNegativeMinor,
  active: z.boolean(),
});
export type Product = z.infer<typeof Product>;

/** A bar or a desk; its menu is the products it sells, in display order. */
export const Station = z.object({
  id: Id,
  eventId: Id,
  name: Name,
  mode: z.enum(['bar', 'registration']),
  productIds: z.array(Id).max(500),
});
export type Station = z.infer<typeof Station>;

export const Staff = z.object({
  id: Id,
  eventId: Id,
  name: Name,
  role: z.enum(['bartender', 'supervisor', 'registration']),
  /** scrypt hash of the PIN, never the PIN itself. */
  pinHash: z.string().min(1).max(256),
});
export type Staff = z.infer<typeof Staff>;

export const Wristband = z.object({
  uid: BandUid,
  eventId: Id,
  attendeeId: Id.nullable(),
  firstName: z.string().max(60).nullable(),
  status: z.enum(['active', 'blocked']),
  hasCard: z.boolean(),
  /** The most the band's tab may reach; null means the event's default rules alone. */
  tabLimit: NonNegativeMinor.nullable(),
});
export type Wristband = z.infer<typeof Wristband>;

/**
 * A person with a tab. Card data never reaches Tapline: only the card's status, Stripe's ids and its last four digits.
 */
export const Attendee = z.object({
  id: Id,
  eventId: Id,
  firstName: z.string().trim().min(1).max(60),
  lastName: z.string().trim().max(60).nullable(),
  email: z.email().max(254).nullable(),
  /** E.164, e.g. +31612345678. */
  phone: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, 'a phone number in international format, e.g. +31612345678')
    .nullable(),
  smsConsent: z.boolean(),
  card: z.object({
    status: z.enum(['none', 'pending', 'ready', 'failed']),
    stripeCustomerId: z.string().max(255).nullable(),
    stripePaymentMethodId: z.string().max(255).nullable(),
    last4: z
      .string()
      .regex(/^\d{4}$/)
      .nullable(),
  }),
});
export type Attendee = z.infer<typeof Attendee>;

/** A band's running tab as derived from its facts (see `computeTab`); never edited by hand. */
export const Tab = z.object({
  eventId: Id,
  bandUid: BandUid,
  currency: Currency,
  total: MinorUnits,
  sales: z.number().int().nonnegative(),
  voided: z.number().int().nonnegative(),
});
export type Tab = z.infer<typeof Tab>;

export const ConfigEntity = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('event'), data: Event }),
  z.object({ kind: z.literal('product'), data: Product }),
  z.object({ kind: z.literal('station'), data: Station }),
  z.object({ kind: z.literal('staff'), data: Staff }),
  z.object({ kind: z.literal('band'), data: Wristband }),
]);
export type ConfigEntity = z.infer<typeof ConfigEntity>;
export type ConfigKind = ConfigEntity['kind'];

export function configKey(e: ConfigEntity): string {
  return e.kind === 'band' ? e.data.uid : e.data.id;
}

/** One entry of the cloud's configuration log; `seq` is the cursor hubs pull from. */
export const ConfigChange = z.object({
  seq: z.number().int().positive(),
  entity: ConfigEntity,
});
export type ConfigChange = z.infer<typeof ConfigChange>;

// ── Facts: made on a terminal, immutable, flow up to the cloud. ──

export const OrderLine = z.object({
  productId: Id,
  name: Name,
  quantity: z.number().int().min(1).max(999),
  unitPrice: NonNegativeMinor,
});
export type OrderLine = z.infer<typeof OrderLine>;

const FactBase = {
  id: UuidV7,
  terminalId: Id,
  /** Per-terminal sequence, 1, 2, 3…: the order of facts, since terminal clocks lie. */
  seq: z.number().int().positive(),
  eventId: Id,
  stationId: Id,
  staffId: Id.nullable(),
  bandUid: BandUid,
  /** The terminal's clock when the fact was made: recorded, never trusted for ordering. */
  createdAt: Instant,
  /** Approved while the terminal could not reach the hub. */
  offline: z.boolean(),
};

export const Sale = z
  .object({
    ...FactBase,
    kind: z.literal('sale'),
    currency: Currency,
    lines: z.array(OrderLine).min(1).max(100),
    total: MinorUnits,
  })
  .refine((s) => s.total === s.lines.reduce((sum, l) => sum + l.quantity * l.unitPrice, 0), {
    message: 'total must equal the sum of quantity × unit price',
    path: ['total'],
  });
export type Sale = z.infer<typeof Sale>;

/** Cancels a sale. The sale stays; its tab stops counting it. */
export const Void = z.object({
  ...FactBase,
  kind: z.literal('void'),
  voidsOrderId: UuidV7,
  reason: z.string().trim().min(1).max(200),
  supervisorId: Id,
});
export type Void = z.infer<typeof Void>;

export const OrderFact = z.discriminatedUnion('kind', [Sale, Void]);
export type OrderFact = z.infer<typeof OrderFact>;
