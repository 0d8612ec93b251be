import { newId, Promotion, TaxRule } from '@tapline/shared';
import type { Db } from '../db/open.ts';
import { HttpError } from '../http/http-error.ts';
import { parseBody } from '../http/parse-body.ts';
import type { JobQueue } from '../jobs/queue.ts';
import type { ConsoleCaller, ScopedEvent } from './accounts-scope.ts';
import { audit } from './audit.ts';
import { createPromotion, createTaxRule, deactivatePromotion, deactivateTaxRule, listPromotions, listTaxRules } from './pricing-config.ts';

/*
 * Taxes and promotions from the console: the same services as the platform API (services/pricing-config.ts: each
 * change recalculates the event's tabs with a job committed with it), run inside a transaction that also writes the
 * audit row. A promotion is never edited in place: "edit" ends it and adds the new terms under a new id, atomically.
 */

type Recalculate = Pick<JobQueue, 'enqueueRecalculateEvent'>;

const percent = (bp: number) => `${(bp / 100).toLocaleString('en', { maximumFractionDigits: 2 })} %`;

/** Sets a category's tax (replacing its active rule, if any). */
export async function setTax(db: Db, queue: Recalculate, caller: ConsoleCaller, event: ScopedEvent, input: Omit<TaxRule, 'eventId'>): Promise<void> {
  const rule = parseBody(TaxRule, { ...input, eventId: event.id });
  await db.transaction(async (tx) => {
    const before = (await listTaxRules(tx, event.id)).find((r) => r.active && (r.body as TaxRule).category === rule.category);
    const { created, replaced } = await createTaxRule(tx as unknown as Db, queue, rule);
    if (!created) return;
    // from → to is what the audit log shows.
    await audit(tx, caller, 'setup.tax_set', `event:${event.id}`, {
      category: rule.category,
      mode: rule.mode,
      from: `${rule.category}: ${before ? percent((before.body as TaxRule).basisPoints) : 'none'}`,
      to: percent(rule.basisPoints),
      ...(replaced ? { replaced } : {}),
    });
  });
}

export async function endTax(db: Db, queue: Recalculate, caller: ConsoleCaller, event: ScopedEvent, ruleId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const old = (await listTaxRules(tx, event.id)).find((r) => r.id === ruleId);
    if (!old) throw new HttpError(404, 'not_found', `No tax rule "${ruleId}" in ${event.name}.`);
    if (!old.active) return;
    await deactivateTaxRule(tx as unknown as Db, queue, event.id, ruleId);
    const body = old.body as TaxRule;
    await audit(tx, caller, 'setup.tax_ended', `event:${event.id}`, { category: body.category, rate: percent(body.basisPoints) });
  });
}

/**
 * Adds a promotion, or (with `replacesId`) ends that active promotion and adds the new terms in its place. The body is
 * the shared `Promotion` without id and event; a fixed amount is in the event's currency.
 */
export async function savePromotion(
  db: Db,
  queue: Recalculate,
  caller: ConsoleCaller,
  event: ScopedEvent,
  body: Record<string, unknown>,
  replacesId: string | null,
): Promise<void> {
  if (body.kind === 'fixed_off' && body.currency !== undefined && body.currency !== event.currency) {
    throw new HttpError(400, 'invalid_body', `currency: ${event.name} is priced in ${event.currency}, so the amount must be in ${event.currency}.`);
  }
  const promotion = parseBody(Promotion, {
    ...body,
    id: `promo-${newId()}`,
    eventId: event.id,
    ...(body.kind === 'fixed_off' ? { currency: event.currency } : {}),
  });
  await db.transaction(async (tx) => {
    if (replacesId) {
      const old = (await listPromotions(tx, event.id)).find((p) => p.id === replacesId && p.active);
      if (!old) throw new HttpError(404, 'not_found', `No running promotion "${replacesId}" in ${event.name}.`);
      await deactivatePromotion(tx as unknown as Db, queue, event.id, replacesId);
    }
    await createPromotion(tx as unknown as Db, queue, promotion);
    await audit(tx, caller, replacesId ? 'setup.promotion_changed' : 'setup.promotion_added', `event:${event.id}`, {
      name: promotion.name,
      kind: promotion.kind,
      promotionId: promotion.id,
      ...(replacesId ? { replaces: replacesId } : {}),
    });
  });
}

export async function endPromotion(db: Db, queue: Recalculate, caller: ConsoleCaller, event: ScopedEvent, promotionId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const old = (await listPromotions(tx, event.id)).find((p) => p.id === promotionId);
    if (!old) throw new HttpError(404, 'not_found', `No promotion "${promotionId}" in ${event.name}.`);
    if (!old.active) return;
    await deactivatePromotion(tx as unknown as Db, queue, event.id, promotionId);
    await audit(tx, caller, 'setup.promotion_ended', `event:${event.id}`, { name: (old.body as Promotion).name, promotionId });
  });
}
