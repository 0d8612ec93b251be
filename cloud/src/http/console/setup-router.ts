import { Event, Product, Station, TaxRule } from '@tapline/shared';
import { Router } from 'express';
import { z } from 'zod';
import type { CreateEventResponse, SetupResponse } from '../../console/api-types.ts';
import type { Db } from '../../db/open.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import { scopedEvent, scopedVenue, scopedVenues } from '../../services/accounts-scope.ts';
import { createEvent, readSetup, saveEvent, saveProduct, saveStation } from '../../services/console-setup.ts';
import { endPromotion, endTax, savePromotion, setTax } from '../../services/console-setup-pricing.ts';
import { saveReceiptTemplate } from '../../services/console-setup-sms.ts';
import { objectBody, parseBody } from '../parse-body.ts';
import { consoleCaller, requireUser } from './session-middleware.ts';

/*
 * Set-up of one of the caller's events: the event, products, stations (menus), taxes, promotions and SMS wording.
 * Thin: every route scopes the event (or venue) to the caller's organisation BEFORE reading the body, then calls the
 * same services as the platform API; each change is audited in its transaction and answers the whole set-up again.
 */

const knownZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};
const knownCurrencies = new Set(Intl.supportedValuesOf('currency'));

const EventBody = Event.omit({ id: true })
  .refine((e) => knownZone(e.timezone), { path: ['timezone'], message: 'a time zone such as Europe/Amsterdam' })
  .refine((e) => knownCurrencies.has(e.currency), { path: ['currency'], message: 'a currency code such as EUR' });
const ProductBody = Product.omit({ id: true, eventId: true });
const StationBody = Station.omit({ id: true, eventId: true });
const TaxBody = TaxRule.omit({ eventId: true });
const SmsBody = z.object({ receiptTemplate: z.string().max(2000) });

export function setupRouter(deps: { db: Db; queue: JobQueue }): Router {
  const { db, queue } = deps;
  const router = Router();
  const manager = requireUser(db, 'manager');
  const base = '/v1/console/events/:eventId/setup';

  const event = (req: { params: Record<string, unknown> }, res: Parameters<typeof consoleCaller>[0]) =>
    scopedEvent(db, consoleCaller(res), String(req.params.eventId));
  const answer = async (res: Parameters<typeof consoleCaller>[0], eventId: string) => {
    const fresh = await scopedEvent(db, consoleCaller(res), eventId);
    res.json((await readSetup(db, fresh)) satisfies SetupResponse);
  };

  router.get(base, async (req, res) => {
    res.json((await readSetup(db, await event(req, res))) satisfies SetupResponse);
  });

  router.get('/v1/console/venues', async (_req, res) => {
    res.json({ venues: await scopedVenues(db, consoleCaller(res)) });
  });

  router.post('/v1/console/venues/:venueId/events', manager, async (req, res) => {
    const venue = await scopedVenue(db, consoleCaller(res), String(req.params.venueId));
    const created = await createEvent(db, consoleCaller(res), venue, parseBody(EventBody, req.body));
    res.status(201).json({ event: created } satisfies CreateEventResponse);
  });

  router.put(`${base}/event`, manager, async (req, res) => {
    const e = await event(req, res);
    await saveEvent(db, consoleCaller(res), e, parseBody(EventBody, req.body));
    await answer(res, e.id);
  });

  router.post(`${base}/products`, manager, async (req, res) => {
    const e = await event(req, res);
    await saveProduct(db, consoleCaller(res), e, null, parseBody(ProductBody, req.body));
    await answer(res, e.id);
  });

  router.put(`${base}/products/:productId`, manager, async (req, res) => {
    const e = await event(req, res);
    await saveProduct(db, consoleCaller(res), e, String(req.params.productId), parseBody(ProductBody, req.body));
    await answer(res, e.id);
  });

  router.post(`${base}/stations`, manager, async (req, res) => {
    const e = await event(req, res);
    await saveStation(db, consoleCaller(res), e, null, parseBody(StationBody, req.body));
    await answer(res, e.id);
  });

  router.put(`${base}/stations/:stationId`, manager, async (req, res) => {
    const e = await event(req, res);
    await saveStation(db, consoleCaller(res), e, String(req.params.stationId), parseBody(StationBody, req.body));
    await answer(res, e.id);
  });

  router.post(`${base}/taxes`, manager, async (req, res) => {
    const e = await event(req, res);
    await setTax(db, queue, consoleCaller(res), e, parseBody(TaxBody, req.body));
    await answer(res, e.id);
  });

  router.post(`${base}/taxes/:ruleId/end`, manager, async (req, res) => {
    const e = await event(req, res);
    await endTax(db, queue, consoleCaller(res), e, String(req.params.ruleId));
    await answer(res, e.id);
  });

  router.post(`${base}/promotions`, manager, async (req, res) => {
    const e = await event(req, res);
    await savePromotion(db, queue, consoleCaller(res), e, objectBody(req.body), null);
    await answer(res, e.id);
  });

  router.put(`${base}/promotions/:promotionId`, manager, async (req, res) => {
    const e = await event(req, res);
    await savePromotion(db, queue, consoleCaller(res), e, objectBody(req.body), String(req.params.promotionId));
    await answer(res, e.id);
  });

  router.post(`${base}/promotions/:promotionId/end`, manager, async (req, res) => {
    const e = await event(req, res);
    await endPromotion(db, queue, consoleCaller(res), e, String(req.params.promotionId));
    await answer(res, e.id);
  });

  router.put(`${base}/sms`, manager, async (req, res) => {
    const e = await event(req, res);
    await saveReceiptTemplate(db, consoleCaller(res), e, parseBody(SmsBody, req.body).receiptTemplate);
    await answer(res, e.id);
  });

  return router;
}
