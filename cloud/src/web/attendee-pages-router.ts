import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import express, { type Request, type Response, Router } from 'express';
import type { Logger } from 'pino';
import QRCode from 'qrcode';
import type { Db } from '../db/open.ts';
import { smsMessages } from '../db/schema.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { PaymentProviderError, type PaymentProvider } from '../providers/payments.ts';
import { type CardChange, TEST_PAYMENT_METHODS, confirmTestCard, prepareCardSetup, refreshCardStatus } from '../services/card-setup.ts';
import type { CardLinks } from '../services/registration-card-links.ts';
import type { ConfirmationLinks } from '../services/registration-signup-links.ts';
import { findPublicAttendee, findPublicEvent, parseSignupForm, registrationOpen, signUp } from '../services/registration-signup.ts';
import { alreadyRegisteredPage, cardPage, cardSavedPage, confirmationPage, messagePage, type RegisterFormValues, registerPage } from './attendee-pages.ts';
import type { FormTokens } from './form-token.ts';
import { sendPage } from './layout.ts';

/*
 * The attendee's public pages before the event (no account; the signed link is the permission):
 *   GET/POST /e/:eventId/register            pre-registration form → the card page
 *   GET      /card/:token                    the card page (Stripe SetupIntent)
 *   POST     /card/:token/test-card          TEST/DEMO ONLY: confirm with a Stripe test card
 *   GET      /card/:token/return             where Stripe.js comes back after the card form (or 3-D Secure)
 *   GET      /e/:eventId/confirmation/:token the confirmation with the QR code
 * A bad token and an unknown attendee answer the same 404 page, so tokens cannot be probed.
 */

export interface AttendeePagesDeps {
  db: Db;
  queue: Pick<JobQueue, 'sendMany'>;
  payments: PaymentProvider;
  cards: CardLinks;
  confirmations: ConfirmationLinks;
  forms: FormTokens;
  log: Logger;
  onCardChanged?: (change: CardChange) => void;
}

const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 });

const field = (body: unknown, name: string): string | undefined => {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : undefined;
};

const notFoundPage = messagePage({
  title: 'Link not valid',
  heading: 'This link is not valid',
  text: 'Check the link in your SMS or e-mail, or ask at the registration desk.',
});

export function attendeePagesRouter(deps: AttendeePagesDeps): Router {
  const { db, cards, confirmations, forms } = deps;
  const router = Router();
  const cardDeps = { db, payments: deps.payments, cards, log: deps.log, onChanged: deps.onCardChanged };
  const confirmationPath = (eventId: string, attendeeId: string) =>
    `/e/${encodeURIComponent(eventId)}/confirmation/${confirmations.sign(eventId, attendeeId)}`;
  const unavailable = (res: Response, err: unknown) => {
    deps.log.warn({ err: err instanceof PaymentProviderError ? { code: err.code, message: err.message } : err }, 'card page: payment provider failed');
    sendPage(
      res,
      503,
      messagePage({
        title: 'Try again in a moment',
        heading: 'We could not reach our card partner',
        text: 'Nothing was saved or charged. Please reload this page in a moment.',
      }),
    );
  };

  // ── register ──
  router.get('/e/:eventId/register', async (req, res) => {
    const event = await findPublicEvent(db, req.params.eventId);
    if (!event) return sendPage(res, 404, messagePage({ title: 'Event not found', heading: 'Event not found', text: 'Check the registration link you were given.' }));
    if (!registrationOpen(event)) {
      return sendPage(res, 410, messagePage({ title: event.name, eyebrow: event.name, heading: 'Registration has closed', text: 'This event is over.' }));
    }
    sendPage(res, 200, registerPage({ event, formToken: forms.issue(`register:${event.id}`) }));
  });

  router.post('/e/:eventId/register', form, async (req, res) => {
    const event = await findPublicEvent(db, req.params.eventId);
    if (!event) return sendPage(res, 404, messagePage({ title: 'Event not found', heading: 'Event not found', text: 'Check the registration link you were given.' }));
    const values: RegisterFormValues = {
      firstName: field(req.body, 'firstName'),
      lastName: field(req.body, 'lastName'),
      email: field(req.body, 'email'),
      phone: field(req.body, 'phone'),
      smsConsent: field(req.body, 'smsConsent') === 'on',
    };
    const again = (status: number, errors: Record<string, string>) =>
      sendPage(res, status, registerPage({ event, formToken: forms.issue(`register:${event.id}`), values, errors }));
    if (!forms.verify(`register:${event.id}`, field(req.body, 'formToken'))) {
      return again(400, { form: 'This form was open too long or did not come from this page. Please check your details and send it again.' });
    }
    const parsed = parseSignupForm({ ...values });
    if (!parsed.ok) return again(400, parsed.errors);
    const result = await signUp({ db, queue: deps.queue, cards, confirmationUrl: confirmations.url }, event.id, parsed.data);
    if (result.kind === 'duplicate') return sendPage(res, 409, alreadyRegisteredPage({ event, email: parsed.data.email }));
    if (result.kind === 'closed') {
      return sendPage(res, 410, messagePage({ title: event.name, eyebrow: event.name, heading: 'Registration has closed', text: 'This event is over.' }));
    }
    if (result.kind === 'unknown_event') return sendPage(res, 404, notFoundPage);
    deps.log.info({ eventId: event.id, attendeeId: result.attendeeId, smsQueued: result.smsQueued }, 'attendee pre-registered');
    res.redirect(303, `/card/${cards.sign(event.id, result.attendeeId)}`);
  });

  // ── card ──
  const cardContext = async (req: Request) => {
    const ref = cards.verify(String(req.params.token));
    if (!ref) return undefined;
    const event = await findPublicEvent(db, ref.eventId);
    const attendee = event && (await findPublicAttendee(db, ref.eventId, ref.attendeeId));
    return event && attendee ? { ref, event, attendee, token: String(req.params.token) } : undefined;
  };

  /** `?replace=1` (or the form's `replace` field): a card is on file and the attendee saves another one. */
  const replacing = (req: Request) => req.query.replace === '1' || field(req.body, 'replace') === '1';

  const showCard = async (req: Request, res: Response, status = 200, problem: string | null = null) => {
    const ctx = await cardContext(req);
    if (!ctx) return sendPage(res, 404, notFoundPage);
    const { ref, event } = ctx;
    const replace = replacing(req);
    let setup;
    try {
      setup = await prepareCardSetup(cardDeps, ref.eventId, ref.attendeeId, { replace });
    } catch (err) {
      return unavailable(res, err);
    }
    const attendee = (await findPublicAttendee(db, ref.eventId, ref.attendeeId))!;
    if (!setup) return sendPage(res, 404, notFoundPage);
    if (setup.state === 'ready') {
      return sendPage(res, status, cardSavedPage({ event, attendee, cardPath: `/card/${ctx.token}`, confirmationPath: confirmationPath(ref.eventId, ref.attendeeId) }));
    }
    sendPage(
      res,
      status,
      cardPage({
        event,
        attendee,
        collection: deps.payments.cardCollection,
        cardPath: `/card/${ctx.token}`,
        confirmationPath: confirmationPath(ref.eventId, ref.attendeeId),
        formToken: forms.issue(`card:${ctx.token}`),
        clientSecret: setup.clientSecret,
        returnUrl: `${cards.url(ref.eventId, ref.attendeeId)}/return`,
        nonce: randomBytes(16).toString('base64'),
        problem,
        replace: replace && attendee.cardStatus === 'ready',
      }),
    );
  };

  router.get('/card/:token', (req, res) => showCard(req, res));

  router.post('/card/:token/test-card', form, async (req, res) => {
    const ctx = await cardContext(req);
    if (!ctx) return sendPage(res, 404, notFoundPage);
    // TEST/DEMO ONLY: a live Stripe key never reaches this path (cardCollection is not test-cards).
    if (deps.payments.cardCollection.kind !== 'test-cards') {
      return sendPage(res, 404, messagePage({ title: 'Not available', heading: 'Test cards are not accepted here', text: 'Use the card form on the card page.' }));
    }
    const nonce = forms.verify(`card:${ctx.token}`, field(req.body, 'formToken'));
    if (!nonce) return showCard(req, res, 400, 'This form was open too long. Please choose your card again.');
    const pm = TEST_PAYMENT_METHODS.find((p) => p.id === field(req.body, 'paymentMethod'));
    if (!pm) return showCard(req, res, 400, 'Choose one of the test cards.');
    const replace = replacing(req);
    let result;
    try {
      result = await confirmTestCard(cardDeps, ctx.ref.eventId, ctx.ref.attendeeId, {
        paymentMethod: pm.id,
        attemptId: nonce,
        returnUrl: `${cards.url(ctx.ref.eventId, ctx.ref.attendeeId)}/return`,
        replace,
      });
    } catch (err) {
      return unavailable(res, err);
    }
    if (!result) return sendPage(res, 404, notFoundPage);
    // A replacement that was declined leaves the card on file ready: say so here, the status cannot.
    if (replace && result.declined) {
      return showCard(req, res, 200, `That card was declined: ${result.declined} Your card on file is unchanged.`);
    }
    if (result.status === 'ready') return res.redirect(303, confirmationPath(ctx.ref.eventId, ctx.ref.attendeeId));
    res.redirect(303, `/card/${ctx.token}`);
  });

  router.get('/card/:token/return', async (req, res) => {
    const ctx = await cardContext(req);
    if (!ctx) return sendPage(res, 404, notFoundPage);
    const setupIntentId = typeof req.query.setup_intent === 'string' ? req.query.setup_intent : '';
    let status;
    try {
      // Only the attendee's own stored SetupIntent is read; any other id in the URL changes nothing.
      status = await refreshCardStatus(cardDeps, ctx.ref.eventId, ctx.ref.attendeeId, setupIntentId, 'return');
    } catch (err) {
      return unavailable(res, err);
    }
    if (status === 'ready') return res.redirect(303, confirmationPath(ctx.ref.eventId, ctx.ref.attendeeId));
    res.redirect(303, `/card/${ctx.token}`);
  });

  // ── confirmation ──
  router.get('/e/:eventId/confirmation/:token', async (req, res) => {
    const eventId = req.params.eventId;
    const attendeeId = confirmations.verify(eventId, req.params.token);
    const event = attendeeId ? await findPublicEvent(db, eventId) : undefined;
    const attendee = event && attendeeId ? await findPublicAttendee(db, eventId, attendeeId) : undefined;
    if (!event || !attendee || !attendeeId) return sendPage(res, 404, notFoundPage);
    const qrSvg = attendee.confirmationCode
      ? await QRCode.toString(attendee.confirmationCode, { type: 'svg', margin: 1, errorCorrectionLevel: 'M', color: { dark: '#1d2330', light: '#ffffff' } })
      : null;
    const [sms] = await db
      .select({ id: smsMessages.id })
      .from(smsMessages)
      .where(and(eq(smsMessages.dedupeKey, `registration:${eventId}:${attendeeId}`)));
    sendPage(res, 200, confirmationPage({ event, attendee, qrSvg, cardPath: `/card/${cards.sign(eventId, attendeeId)}`, smsSent: Boolean(sms) }));
  });

  return router;
}
