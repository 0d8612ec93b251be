import { randomBytes } from 'node:crypto';
import { canonicalJson, type ConfigEntity, Event, formatMoney, Product, Station } from '@tapline/shared';
import { and, count, eq, sql } from 'drizzle-orm';
import type { ConsoleEventSummary, SetupEvent, SetupProduct, SetupResponse, SetupStation } from '../console/api-types.ts';
import type { Db, Queryable } from '../db/open.ts';
import { queryRows } from '../db/raw-sql.ts';
import { events, orders, venueSyncState } from '../db/schema.ts';
import { HttpError } from '../http/http-error.ts';
import type { ConsoleCaller, ScopedEvent, ScopedVenue } from './accounts-scope.ts';
import { audit } from './audit.ts';
import { appendConfig, venueCursor } from './config-log.ts';
import { listPromotions, listTaxRules, promotionView, taxRuleView } from './pricing-config.ts';
import { readReceiptTemplate } from './console-setup-sms.ts';
import { DEFAULT_RECEIPT_TEMPLATE, SMS_PLACEHOLDERS } from './console-setup-sms-template.ts';

/*
 * The console's Set-up: an event, its products and stations are configuration entities written to the venue's
 * append-only config log with `appendConfig` (the one way hubs learn of them), each with its audit row in the same
 * transaction. Reading them back is "the latest entity of each key" in that log.
 */

export type EventInput = Omit<Event, 'id'>;
export type ProductInput = Omit<Product, 'id' | 'eventId'>;
export type StationInput = Omit<Station, 'id' | 'eventId'>;

/** The latest version of each `kind` entity of the event in the venue's log. */
async function latest<T>(db: Queryable, venueId: string, eventId: string, kind: 'product' | 'station'): Promise<T[]> {
  const rows = await queryRows<{ data: T }>(
    db,
    sql`select distinct on (entity_key) data from config_changes
        where venue_id = ${venueId} and kind = ${kind} and data->>'eventId' = ${eventId}
        order by entity_key, seq desc`,
  );
  return rows.map((r) => r.data);
}

export async function eventProducts(db: Queryable, event: Pick<ScopedEvent, 'id' | 'venueId'>): Promise<Product[]> {
  const list = await latest<Product>(db, event.venueId, event.id, 'product');
  return list.sort((a, b) => a.category.localeCompare(b.category) || a.name.localeCompare(b.name));
}

export async function eventStations(db: Queryable, event: Pick<ScopedEvent, 'id' | 'venueId'>): Promise<Station[]> {
  const list = await latest<Station>(db, event.venueId, event.id, 'station');
  return list.sort((a, b) => (a.mode === b.mode ? a.name.localeCompare(b.name) : a.mode === 'bar' ? -1 : 1));
}

/** The event entity as configured (`events.data`). */
async function eventEntity(db: Queryable, eventId: string): Promise<Event> {
  const [row] = await db.select({ data: events.data }).from(events).where(eq(events.id, eventId));
  if (!row) throw new HttpError(404, 'not_found', `No event "${eventId}".`);
  return row.data as Event;
}

async function hasSales(db: Queryable, eventId: string): Promise<boolean> {
  const [row] = await db.select({ n: count() }).from(orders).where(and(eq(orders.eventId, eventId)));
  return Number(row?.n ?? 0) > 0;
}

const productView = (p: Product): SetupProduct => ({ id: p.id, name: p.name, category: p.category, price: p.price, active: p.active });
const stationView = (s: Station): SetupStation => ({ id: s.id, name: s.name, mode: s.mode, productIds: [...s.productIds] });
const eventView = (e: Event): SetupEvent => ({
  id: e.id,
  name: e.name,
  currency: e.currency,
  timezone: e.timezone,
  startsAt: e.startsAt,
  endsAt: e.endsAt,
  offlineBandAllowance: e.offlineBandAllowance,
  offlineTerminalTotal: e.offlineTerminalTotal,
  noCardAllowance: e.noCardAllowance,
});

/** Everything the Set-up screen shows for one (already scoped) event. */
export async function readSetup(db: Queryable, event: ScopedEvent): Promise<SetupResponse> {
  const [entity, products, stations, taxRules, promotions, template, cursor, sales, [pulled]] = await Promise.all([
    eventEntity(db, event.id),
    eventProducts(db, event),
    eventStations(db, event),
    listTaxRules(db, event.id),
    listPromotions(db, event.id),
    readReceiptTemplate(db, event.id),
    venueCursor(db, event.venueId),
    hasSales(db, event.id),
    db.select({ cursor: venueSyncState.lastPullCursor }).from(venueSyncState).where(eq(venueSyncState.venueId, event.venueId)),
  ]);
  return {
    event: eventView(entity),
    venue: { id: event.venueId, name: event.venueName },
    products: products.map(productView),
    stations: stations.map(stationView),
    taxRules: taxRules.map(taxRuleView).map((t) => ({ id: t.id, category: t.category, basisPoints: t.basisPoints, mode: t.mode, active: t.active, createdAt: t.createdAt, deactivatedAt: t.deactivatedAt })),
    promotions: promotions.map(promotionView),
    sms: { receiptTemplate: template ?? DEFAULT_RECEIPT_TEMPLATE, isDefault: template === null, defaultTemplate: DEFAULT_RECEIPT_TEMPLATE, placeholders: [...SMS_PLACEHOLDERS] },
    config: { cursor, hubCursor: pulled?.cursor ?? null },
    hasSales: sales,
  };
}

/** A short readable id for new configuration: `<prefix>-<name as a slug>-<6 hex>`. */
export function newConfigId(prefix: string, name: string): string {
  const slug = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 32);
  return `${prefix}-${slug ? `${slug}-` : ''}${randomBytes(3).toString('hex')}`;
}

/** Which fields of `after` differ from `before` (by canonical JSON). */
function changedFields<T extends object>(before: T, after: T): string[] {
  return (Object.keys(after) as Array<keyof T>)
    .filter((k) => canonicalJson(before[k] ?? null) !== canonicalJson(after[k] ?? null))
    .map(String);
}

/** Appends the entity and its audit row in one transaction. */
async function write(db: Db, caller: ConsoleCaller, venueId: string, entity: ConfigEntity, action: string, target: string, details: Record<string, unknown>): Promise<void> {
  await db.transaction(async (tx) => {
    await appendConfig(tx, venueId, [entity]);
    await audit(tx, caller, action, target, details);
  });
}

function checkDates(e: { startsAt: string; endsAt: string }): void {
  if (Date.parse(e.endsAt) <= Date.parse(e.startsAt)) throw new HttpError(400, 'invalid_body', 'endsAt: the event must end after it starts.');
}

/** Changes the event. The currency is fixed once sales exist (their amounts are in it). */
export async function saveEvent(db: Db, caller: ConsoleCaller, event: ScopedEvent, input: EventInput): Promise<void> {
  checkDates(input);
  const before = await eventEntity(db, event.id);
  const after = Event.parse({ ...input, id: event.id });
  const changed = changedFields(before, after);
  if (changed.length === 0) return;
  if (after.currency !== before.currency && (await hasSales(db, event.id))) {
    throw new HttpError(409, 'conflict', `currency: ${event.name} already has sales in ${before.currency}; its currency can no longer change.`);
  }
  await write(db, caller, event.venueId, { kind: 'event', data: after }, 'setup.event_changed', `event:${event.id}`, { name: after.name, changed });
}

/** A new event at one of the caller's venues. */
export async function createEvent(db: Db, caller: ConsoleCaller, venue: ScopedVenue, input: EventInput): Promise<ConsoleEventSummary> {
  checkDates(input);
  const data = Event.parse({ ...input, id: newConfigId('evt', input.name) });
  await write(db, caller, venue.id, { kind: 'event', data }, 'setup.event_created', `event:${data.id}`, { name: data.name, venue: venue.name });
  return { id: data.id, name: data.name, venueId: venue.id, venueName: venue.name, currency: data.currency, timezone: data.timezone, startsAt: data.startsAt, endsAt: data.endsAt };
}

/** Adds (`productId` null) or changes a product of the event. */
export async function saveProduct(db: Db, caller: ConsoleCaller, event: ScopedEvent, productId: string | null, input: ProductInput): Promise<void> {
  const before = productId ? (await eventProducts(db, event)).find((p) => p.id === productId) : undefined;
  if (productId && !before) throw new HttpError(404, 'not_found', `No product "${productId}" in ${event.name}.`);
  const after = Product.parse({ ...input, id: before?.id ?? newConfigId('p', input.name), eventId: event.id });
  if (!before) {
    await write(db, caller, event.venueId, { kind: 'product', data: after }, 'setup.product_added', `event:${event.id}`, { name: after.name, price: after.price, currency: event.currency });
    return;
  }
  const changed = changedFields(before, after);
  if (changed.length === 0) return;
  const details: Record<string, unknown> = { name: after.name, productId: after.id, changed };
  // The audit log shows from → to: the price in the event's money.
  if (changed.includes('price')) Object.assign(details, { from: formatMoney(before.price, event.currency), to: formatMoney(after.price, event.currency) });
  await write(db, caller, event.venueId, { kind: 'product', data: after }, 'setup.product_changed', `event:${event.id}`, details);
}

/** Adds (`stationId` null) or changes a station; its menu may only list the event's products, each once. */
export async function saveStation(db: Db, caller: ConsoleCaller, event: ScopedEvent, stationId: string | null, input: StationInput): Promise<void> {
  const before = stationId ? (await eventStations(db, event)).find((s) => s.id === stationId) : undefined;
  if (stationId && !before) throw new HttpError(404, 'not_found', `No station "${stationId}" in ${event.name}.`);
  const known = new Set((await eventProducts(db, event)).map((p) => p.id));
  const unknown = input.productIds.filter((id) => !known.has(id));
  if (unknown.length) throw new HttpError(400, 'invalid_body', `productIds: ${unknown.join(', ')} ${unknown.length === 1 ? 'is not a product' : 'are not products'} of ${event.name}.`);
  if (new Set(input.productIds).size !== input.productIds.length) throw new HttpError(400, 'invalid_body', 'productIds: list each product once.');
  const after = Station.parse({ ...input, id: before?.id ?? newConfigId('st', input.name), eventId: event.id });
  if (!before) {
    await write(db, caller, event.venueId, { kind: 'station', data: after }, 'setup.station_added', `event:${event.id}`, { name: after.name, mode: after.mode, products: after.productIds.length });
    return;
  }
  const changed = changedFields(before, after);
  if (changed.length === 0) return;
  const added = after.productIds.filter((id) => !before.productIds.includes(id));
  const removed = before.productIds.filter((id) => !after.productIds.includes(id));
  const count = (n: number) => `${n} ${n === 1 ? 'product' : 'products'}`;
  await write(db, caller, event.venueId, { kind: 'station', data: after }, 'setup.station_changed', `event:${event.id}`, {
    name: after.name,
    stationId: after.id,
    changed,
    ...(changed.includes('productIds') ? { from: count(before.productIds.length), to: count(after.productIds.length) } : {}),
    ...(added.length ? { productsAdded: added } : {}),
    ...(removed.length ? { productsRemoved: removed } : {}),
  });
}
