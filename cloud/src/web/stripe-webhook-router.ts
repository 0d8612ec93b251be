import express, { Router } from 'express';
import type Stripe from 'stripe';
import { HttpError } from '../http/http-error.ts';
import type { PaymentProvider } from '../providers/payments.ts';
import { StripePayments } from '../providers/stripe-payments.ts';
import { type CardSetupDeps, refreshCardStatus } from '../services/card-setup.ts';

/*
 * `POST /v1/stripe/webhook`: Stripe's `setup_intent.*` events. The signature is checked by the SDK
 * (`webhooks.constructEvent`, TAPLINE_STRIPE_WEBHOOK_SECRET) over the raw body, so this router must be mounted before
 * the JSON body parser. The event only says which SetupIntent to look at: the SetupIntent is read again from Stripe
 * and applied, so late, repeated or out-of-order events all end in Stripe's current state. Any 2xx tells Stripe to
 * stop; a 503 (Stripe unreachable while reading) makes it send the event again later.
 */

const SETUP_EVENTS = new Set(['setup_intent.succeeded', 'setup_intent.setup_failed', 'setup_intent.canceled', 'setup_intent.requires_action']);

export function stripeWebhookRouter(deps: Omit<CardSetupDeps, 'payments'> & { payments: PaymentProvider }): Router {
  const router = Router();
  router.post('/v1/stripe/webhook', express.raw({ type: () => true, limit: '512kb' }), async (req, res) => {
    const payments = deps.payments;
    if (!(payments instanceof StripePayments) || !payments.webhookSecret) {
      throw new HttpError(404, 'not_found', 'Stripe webhooks are not configured here: set TAPLINE_STRIPE_WEBHOOK_SECRET with Stripe.');
    }
    let event: Stripe.Event;
    try {
      event = payments.webhookEvent(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), req.get('stripe-signature') ?? '');
    } catch (err) {
      throw new HttpError(400, 'unauthorized', `The Stripe-Signature header does not match this body: ${(err as Error).message}`);
    }
    if (!SETUP_EVENTS.has(event.type)) {
      res.json({ received: true, ignored: event.type });
      return;
    }
    const si = event.data.object as Stripe.SetupIntent;
    const eventId = si.metadata?.tapline_event;
    const attendeeId = si.metadata?.tapline_attendee;
    if (!eventId || !attendeeId) {
      res.json({ received: true, ignored: 'not a Tapline SetupIntent' });
      return;
    }
    let status;
    try {
      status = await refreshCardStatus({ ...deps, payments }, eventId, attendeeId, si.id, 'webhook');
    } catch (err) {
      throw new HttpError(503, 'internal', `Stripe could not be asked about SetupIntent ${si.id}; send the event again later. ${(err as Error).message}`);
    }
    res.json({ received: true, cardStatus: status ?? null });
  });
  return router;
}
