import { z } from 'zod';
import { BandUid } from './band-uid.ts';
import { Id, UuidV7 } from './ids.ts';
import { Currency, MinorUnits, NonNegativeMinor } from './money.ts';
import { rawText, text } from './text.ts';

export const Name = text(120);
/**
 * An instant with its offset. Years 0001 to 9999 only: JavaScript and zod accept year 0000, PostgreSQL refuses it, and
 * a fact the cloud cannot store must be refused at the first hop rather than block the hub's queue.
 */
export const Instant = z.iso
  .datetime({ offset: true })
  .refine((s) => !s.startsWith('0000'), 'an instant in the years 0001 to 9999');

// ── Configuration: made by head office in the cloud, flows down to hubs and terminals. ──

export const Event = z.object({
  id: Id,
  name: Name,
  currency: Currency,
  timezone: text(64),
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
  pinHash: rawText(256),
});
export type Staff = z.infer<typeof Staff>;

export const Wristband = z.object({
  uid: BandUid,
  eventId: Id,
  attendeeId: Id.nullable(),
  firstName: text(60, 0).nullable(),
  status: z.enum(['active', 'blocked']),
  hasCard: z.boolean(),
  /** The most the band's tab may reach; null means the event's default rules alone. */
  tabLimit: NonNegativeMinor.nullable(),
});
export type Wristband = z.infer<typeof Wristband>;

export const Phone = z
  .string()
  .trim()
  .regex(/^\+[1-9]\d{6,14}$/, 'a phone number in international format, e.g. +31612345678');

export const CardStatus = z.enum(['none', 'pending', 'ready', 'failed']);
export type CardStatus = z.infer<typeof CardStatus>;

/**
 * A person with a tab. Card data never reaches Tapline: only the card's status, Stripe's ids and its last four digits.
 */
export const Attendee = z.object({
  id: Id,
  eventId: Id,
  firstName: text(60),
  lastName: text(60, 0).nullable(),
  email: z.email().max(254).nullable(),
  /** E.164, e.g. +31612345678. */
  phone: Phone.nullable(),
  smsConsent: z.boolean(),
  card: z.object({
    status: CardStatus,
    stripeCustomerId: rawText(255).nullable(),
    stripePaymentMethodId: rawText(255).nullable(),
    last4: z
      .string()
      .regex(/^\d{4}$/)
      .nullable(),
  }),
});
export type Attendee = z.infer<typeof Attendee>;

/** The short code printed as a QR code on an attendee's confirmation; a desk's scanner types it into the search. */
export const ConfirmationCode = z.string().regex(/^[A-Z0-9]{8}$/, 'eight capital letters or digits');

/**
 * The attendee as a registration desk sees them: configuration that flows down to the hub. Never a Stripe id: the
 * venue sees the card's status and last four digits only.
 */
export const DeskAttendee = z.object({
  id: Id,
  eventId: Id,
  firstName: text(60),
  lastName: text(60, 0).nullable(),
  email: z.email().max(254).nullable(),
  phone: Phone.nullable(),
  smsConsent: z.boolean(),
  cardStatus: CardStatus,
  cardLast4: z
    .string()
    .regex(/^\d{4}$/)
    .nullable(),
  /** null for a walk-up the cloud has not seen yet. */
  confirmationCode: ConfirmationCode.nullable(),
  /** The signed page where the attendee adds a card from their own phone (shown as a QR code at the desk); null offline. */
  cardUrl: z.url().max(500).nullable(),
});
export type DeskAttendee = z.infer<typeof DeskAttendee>;

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

/**
 * Head office's word on a terminal paired at a venue's hub: a revoked one (a stolen kiosk) is disconnected and refused
 * by the hub. Venue-wide, not per event: a terminal pairs with the hub, whatever event it sells for. Hubs keep it and
 * never send it to terminals.
 */
export const TerminalStanding = z.object({
  id: Id,
  venueId: Id,
  status: z.enum(['active', 'revoked']),
  reason: text(200).nullable(),
});
export type TerminalStanding = z.infer<typeof TerminalStanding>;

export const ConfigEntity = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('event'), data: Event }),
  z.object({ kind: z.literal('product'), data: Product }),
  z.object({ kind: z.literal('station'), data: Station }),
  z.object({ kind: z.literal('staff'), data: Staff }),
  z.object({ kind: z.literal('band'), data: Wristband }),
  z.object({ kind: z.literal('attendee'), data: DeskAttendee }),
  z.object({ kind: z.literal('terminal'), data: TerminalStanding }),
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
  reason: text(200),
  supervisorId: Id,
});
export type Void = z.infer<typeof Void>;

export const OrderFact = z.discriminatedUnion('kind', [Sale, Void]);
export type OrderFact = z.infer<typeof OrderFact>;
