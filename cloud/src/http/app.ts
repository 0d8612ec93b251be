import express, { type ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import type { Database } from '../db/open.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { adminRouter } from './admin-router.ts';
import { deadLettersRouter } from './dead-letters-router.ts';
import { eventsRouter } from './events-router.ts';
import { exportsRouter } from './exports-router.ts';
import { HttpError } from './http-error.ts';
import { pricingRouter } from './pricing-router.ts';
import { syncRouter } from './sync-router.ts';
import { tabsRouter } from './tabs-router.ts';

export interface AppDeps {
  database: Database;
  queue: JobQueue;
  adminToken: string;
  /** Where export files are written (`<dataDir>/exports`). */
  exportsDir: string;
  log: Logger;
}

/** Errors always leave as `{ error: { code, message, details? } }`. */
function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    let httpError: HttpError;
    if (err instanceof HttpError) httpError = err;
    else if ((err as { type?: string }).type === 'entity.parse.failed') {
      httpError = new HttpError(400, 'invalid_body', 'The body is not valid JSON.');
    } else if ((err as { type?: string }).type === 'entity.too.large') {
      httpError = new HttpError(413, 'invalid_body', 'The body is too large; send at most 1,000 orders a request.');
    } else {
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
  // 1,000 facts of a few hundred bytes each; generous, but bounded.
  app.use(express.json({ limit: '10mb' }));
  const db = deps.database.db;

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true, db: deps.database.kind });
  });
  app.use(syncRouter({ db, queue: deps.queue, adminToken: deps.adminToken }));
  app.use(eventsRouter({ db, adminToken: deps.adminToken }));
  app.use(adminRouter({ db, adminToken: deps.adminToken }));
  const headOffice = { db, queue: deps.queue, adminToken: deps.adminToken };
  app.use(pricingRouter(headOffice));
  app.use(tabsRouter(headOffice));
  app.use(exportsRouter({ ...headOffice, exportsDir: deps.exportsDir }));
  app.use(deadLettersRouter(headOffice));
  app.use((req, _res, next) => next(new HttpError(404, 'not_found', `No route ${req.method} ${req.path}.`)));
  app.use(errorHandler(deps.log));
  return app;
}
