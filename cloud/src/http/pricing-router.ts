import { Id, newId, Promotion, TaxRule } from '@tapline/shared';
import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../db/open.ts';
import type { JobQueue } from '../jobs/queue.ts';
import {
  createPromotion,
  createTaxRule,
  deactivatePromotion,
  deactivateTaxRule,
  listPromotions,
  listTaxRules,
  promotionView,
  taxRuleView,
} from '../services/pricing-config.ts';
import { adminEvent, sameCurrency } from './admin-event.ts';
import { authenticate } from './auth.ts';
import { HttpError } from './http-error.ts';
import { objectBody, parseBody } from './parse-body.ts';

/**
 * Head office's promotions and tax rules per event: create, list, deactivate. Each change recalculates the event's
 * tabs in the background (a job committed with the change).
 */
export function pricingRouter(deps: { db: Db; queue: JobQueue; adminToken: string }): Router {
  const { db, queue } = deps;
  const router = Router();
  router.use('/v1/admin/events', authenticate(db, deps.adminToken, { admin: true }));

  router.post('/v1/admin/events/:id/promotions', async (req, res) => {
    const event = await adminEvent(db, req.params.id);
    const body = objectBody(req.body);
    // The event is the one in the path; the id and a fixed amount's currency may be left to the cloud.
    const promotion = parseBody(Promotion, {
      ...body,
      id: body.id ?? `promo-${newId()}`,
      eventId: event.id,
      ...(body.kind === 'fixed_off' && body.currency === undefined ? { currency: event.currency } : {}),
    });
    if (promotion.kind === 'fixed_off') sameCurrency(event, promotion.currency, 'currency');
    const { row, created } = await createPromotion(db, queue, promotion);
    res.status(created ? 201 : 200).json({ promotion: promotionView(row) });
  });

  router.get('/v1/admin/events/:id/promotions', async (req, res) => {
    const event = await adminEvent(db, req.params.id);
    res.json({ promotions: (await listPromotions(db, event.id)).map(promotionView) });
  });

  router.post('/v1/admin/events/:id/promotions/:promotionId/deactivate', async (req, res) => {
    const event = await adminEvent(db, req.params.id);
    const row = Id.safeParse(req.params.promotionId).success ? await deactivatePromotion(db, queue, event.id, req.params.promotionId) : undefined;
    if (!row) throw new HttpError(404, 'not_found', `No promotion "${req.params.promotionId}" in event "${event.id}".`);
    res.json({ promotion: promotionView(row) });
  });

  router.post('/v1/admin/events/:id/tax-rules', async (req, res) => {
    const event = await adminEvent(db, req.params.id);
    const rule = parseBody(TaxRule, { ...objectBody(req.body), eventId: event.id });
    const { row, created, replaced } = await createTaxRule(db, queue, rule);
    res.status(created ? 201 : 200).json({ taxRule: taxRuleView(row), replaced });
  });

  router.get('/v1/admin/events/:id/tax-rules', async (req, res) => {
    const event = await adminEvent(db, req.params.id);
    res.json({ taxRules: (await listTaxRules(db, event.id)).map(taxRuleView) });
  });

  router.post('/v1/admin/events/:id/tax-rules/:ruleId/deactivate', async (req, res) => {
    const event = await adminEvent(db, req.params.id);
    const { ruleId } = req.params;
    const row = z.uuid().safeParse(ruleId).success ? await deactivateTaxRule(db, queue, event.id, ruleId) : undefined;
    if (!row) throw new HttpError(404, 'not_found', `No tax rule "${ruleId}" in event "${event.id}".`);
    res.json({ taxRule: taxRuleView(row) });
  });

  return router;
}
