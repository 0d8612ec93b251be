import express, { type ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { consolePages } from '../console/serve.ts';
import type { Database } from '../db/open.ts';
import type { JobQueue } from '../jobs/queue.ts';
import type { TabLinks } from '../services/tab-links.ts';
import type { PaymentProvider } from '../providers/payments.ts';
import type { CardChange } from '../services/card-setup.ts';
import type { CardLinks } from '../services/registration-card-links.ts';
import type { ConfirmationLinks } from '../services/registration-signup-links.ts';
import { attendeePagesRouter } from '../web/attendee-pages-router.ts';
import type { FormTokens } from '../web/form-token.ts';
import { stripeWebhookRouter } from '../web/stripe-webhook-router.ts';
import { adminRouter } from './admin-router.ts';
import { attendeesRouter } from './attendees-router.ts';
import { registrationRouter } from './registration-router.ts';
import { consoleApi } from './console/index.ts';
import { deadLettersRouter } from './dead-letters-router.ts';
import { eventsRouter } from './events-router.ts';
import { exportsRouter } from './exports-router.ts';
import { HttpError } from './http-error.ts';
import { refuseUnstorableUrl, requestRefusal } from './request-refusal.ts';
import { messagesRouter } from './messages-router.ts';
import { paymentsRouter } from './payments-router.ts';
import { pricingRouter } from './pricing-router.ts';
import { publicTabRouter } from './public-tab-router.ts';
import { syncRouter } from './sync-router.ts';
import { tabsRouter } from './tabs-router.ts';
import { tabPageRouter } from '../web/tab-page-router.ts';

export interface AppDeps {
  database: Database;
  queue: JobQueue;
  adminToken: string;
  /** Where export files are written (`<dataDir>/exports`). */
  exportsDir: string;
  log: Logger;
  /** Signs and checks the attendees' tab links. */
  links: TabLinks;
  /** Card payments: the attendee's card page and Stripe's webhooks. */
  payments: PaymentProvider;
  /** Signs and checks the attendees' card page links (`/card/<token>`). */
  cards: CardLinks;
  /** Signs and checks the attendees' confirmation links. */
  confirmations: ConfirmationLinks;
  /** Signed tokens of the public forms (CSRF). */
  forms: FormTokens;
  /** An attendee's card status changed (after its commit). */
  onCardChanged?: (change: CardChange) => void;
}

/** Errors always leave as `{ error: { code, message, details? } }`. */
function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    let httpError: HttpError | undefined;
    if (err instanceof HttpError) httpError = err;
    // The body parser's refusals (bad JSON, too large, a charset or encoding it cannot read) and undecodable paths.
    else httpError = requestRefusal(err);
    if (!httpError) {
      log.error({ err, method: req.method, url: req.originalUrl }, 'request failed');
      httpError = new HttpError(500, 'internal', 'Something went wrong on our side; the request can be retried.');
    }
    if (res.headersSent) return;
    res.status(httpError.status).json(httpError.toBody());
  };
}

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(refuseUnstorableUrl());
  // Stripe signs the raw body: this route reads it before the JSON parser below would consume it.
  app.use(stripeWebhookRouter({ db: deps.database.db, payments: deps.payments, cards: deps.cards, log: deps.log, onChanged: deps.onCardChanged }));
  // 1,000 facts of a few hundred bytes each; generous, but bounded.
  app.use(express.json({ limit: '10mb' }));
  const db = deps.database.db;

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true, db: deps.database.kind });
  });
  app.use(syncRouter({ db, queue: deps.queue, adminToken: deps.adminToken, cards: deps.cards }));
  app.use(eventsRouter({ db, adminToken: deps.adminToken }));
  app.use(adminRouter({ db, adminToken: deps.adminToken }));
  const headOffice = { db, queue: deps.queue, adminToken: deps.adminToken };
  app.use(pricingRouter(headOffice));
  app.use(tabsRouter(headOffice));
  app.use(exportsRouter({ ...headOffice, exportsDir: deps.exportsDir }));
  app.use(deadLettersRouter(headOffice));
  app.use(attendeesRouter({ ...headOffice, cards: deps.cards }));
  app.use(registrationRouter(headOffice));
  app.use(messagesRouter(headOffice));
  app.use(paymentsRouter(headOffice));
  // The attendee's page first: it passes clients that ask for JSON on to publicTabRouter.
  app.use(tabPageRouter({ db, queue: deps.queue, links: deps.links }));
  app.use(publicTabRouter({ db, links: deps.links }));
  app.use(
    attendeePagesRouter({
      db,
      queue: deps.queue,
      payments: deps.payments,
      cards: deps.cards,
      confirmations: deps.confirmations,
      forms: deps.forms,
      log: deps.log,
      onCardChanged: deps.onCardChanged,
    }),
  );
  app.use(consoleApi({ db, queue: deps.queue, log: deps.log, exportsDir: deps.exportsDir }));
  app.use(consolePages({ log: deps.log }));
  app.use((req, _res, next) => next(new HttpError(404, 'not_found', `No route ${req.method} ${req.path}.`)));
  app.use(errorHandler(deps.log));
  return app;
}
