import { canonicalJson, newId, type Promotion, type TaxRule } from '@tapline/shared';
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../db/open.ts';
import { promotions, taxRules } from '../db/schema.ts';
import { HttpError } from '../http/http-error.ts';
import type { JobQueue } from '../jobs/queue.ts';

type Recalculate = Pick<JobQueue, 'enqueueRecalculateEvent'>;

const iso = (t: string | null) => (t ? new Date(t).toISOString() : null);

export type PromotionRow = typeof promotions.$inferSelect;
export type TaxRuleRow = typeof taxRules.$inferSelect;

export function promotionView(row: PromotionRow) {
  return { ...(row.body as Promotion), active: row.active, createdAt: iso(row.createdAt), deactivatedAt: iso(row.deactivatedAt) };
}

export function taxRuleView(row: TaxRuleRow) {
  return { id: row.id, ...(row.body as TaxRule), active: row.active, createdAt: iso(row.createdAt), deactivatedAt: iso(row.deactivatedAt) };
}

/** Every tab of the event may change with its configuration: recalculated in the background, committed with the change. */
function recalculateAll(tx: Queryable, queue: Recalculate, eventId: string, reason: string) {
  return queue.enqueueRecalculateEvent(tx, { eventId, scope: { kind: 'all', reason } });
}

/**
 * Adds a promotion to its event. The same id with the same content answers the stored one (a retried request);
 * with other content it is a conflict: a promotion is never edited, it is deactivated and a new one added.
 */
export async function createPromotion(db: Db, queue: Recalculate, promotion: Promotion): Promise<{ row: PromotionRow; created: boolean }> {
  return db.transaction(async (tx) => {
    const [inserted] = await tx
      .insert(promotions)
      .values({ eventId: promotion.eventId, id: promotion.id, kind: promotion.kind, body: promotion })
      .onConflictDoNothing({ target: [promotions.eventId, promotions.id] })
      .returning();
    if (inserted) {
      await recalculateAll(tx, queue, promotion.eventId, `promotion ${promotion.id} added`);
      return { row: inserted, created: true };
    }
    const [existing] = await tx
      .select()
      .from(promotions)
      .where(and(eq(promotions.eventId, promotion.eventId), eq(promotions.id, promotion.id)));
    if (existing && canonicalJson(existing.body) === canonicalJson(promotion)) return { row: existing, created: false };
    throw new HttpError(
      409,
      'conflict',
      `Promotion "${promotion.id}" already exists with other terms; deactivate it and add the new terms under another id.`,
    );
  });
}

export async function listPromotions(db: Queryable, eventId: string): Promise<PromotionRow[]> {
  return db.select().from(promotions).where(eq(promotions.eventId, eventId)).orderBy(asc(promotions.createdAt), asc(promotions.id));
}

/** Stops a promotion counting on the event's tabs. Deactivating it again changes nothing. Undefined: no such promotion. */
export async function deactivatePromotion(db: Db, queue: Recalculate, eventId: string, id: string): Promise<PromotionRow | undefined> {
  return db.transaction(async (tx) => {
    const [changed] = await tx
      .update(promotions)
      .set({ active: false, deactivatedAt: sql`now()` })
      .where(and(eq(promotions.eventId, eventId), eq(promotions.id, id), eq(promotions.active, true)))
      .returning();
    if (changed) {
      await recalculateAll(tx, queue, eventId, `promotion ${id} deactivated`);
      return changed;
    }
    const [existing] = await tx.select().from(promotions).where(and(eq(promotions.eventId, eventId), eq(promotions.id, id)));
    return existing;
  });
}

/**
 * Sets a category's tax: the new rule becomes the active one and the one it replaces (if any) is deactivated, in one
 * transaction, so no tab is ever priced with two rules or none in between. The same rule as the active one is a no-op.
 */
export async function createTaxRule(
  db: Db,
  queue: Recalculate,
  rule: TaxRule,
): Promise<{ row: TaxRuleRow; created: boolean; replaced: string | null }> {
  return db.transaction(async (tx) => {
    // One writer per event's tax rules, so two requests for one category cannot both find it free.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'tax-rules:' + rule.eventId}))`);
    const [active] = await tx
      .select()
      .from(taxRules)
      .where(and(eq(taxRules.eventId, rule.eventId), eq(taxRules.active, true), sql`${taxRules.body}->>'category' = ${rule.category}`));
    if (active && canonicalJson(active.body) === canonicalJson(rule)) return { row: active, created: false, replaced: null };
    if (active) {
      await tx.update(taxRules).set({ active: false, deactivatedAt: sql`now()` }).where(eq(taxRules.id, active.id));
    }
    const [row] = await tx.insert(taxRules).values({ id: newId(), eventId: rule.eventId, body: rule }).returning();
    await recalculateAll(tx, queue, rule.eventId, `tax rule for ${rule.category} set`);
    return { row: row!, created: true, replaced: active?.id ?? null };
  });
}

export async function listTaxRules(db: Queryable, eventId: string): Promise<TaxRuleRow[]> {
  return db.select().from(taxRules).where(eq(taxRules.eventId, eventId)).orderBy(asc(taxRules.createdAt), asc(taxRules.id));
}

export async function deactivateTaxRule(db: Db, queue: Recalculate, eventId: string, id: string): Promise<TaxRuleRow | undefined> {
  return db.transaction(async (tx) => {
    const [changed] = await tx
      .update(taxRules)
      .set({ active: false, deactivatedAt: sql`now()` })
      .where(and(eq(taxRules.eventId, eventId), eq(taxRules.id, id), eq(taxRules.active, true)))
      .returning();
    if (changed) {
      await recalculateAll(tx, queue, eventId, `tax rule ${id} deactivated`);
      return changed;
    }
    const [existing] = await tx.select().from(taxRules).where(and(eq(taxRules.eventId, eventId), eq(taxRules.id, id)));
    return existing;
  });
}
