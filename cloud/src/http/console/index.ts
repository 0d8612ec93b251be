import { Router } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import type { Db } from '../../db/open.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import { auditRouter } from './audit-router.ts';
import { authRouter } from './auth-router.ts';
import { teamRouter } from './auth-team-router.ts';
import { csrfGuard } from './csrf.ts';
import { liveRouter } from './live-router.ts';
import { devicesRouter } from './devices-router.ts';
import { setupRouter } from './setup-router.ts';
import { consoleIssuesRouter } from './issues-router.ts';
import { consoleExportsRouter } from './tabs-exports-router.ts';
import { consoleTabsRouter } from './tabs-router.ts';
import { loadConsoleSession, requireUser, viewersReadOnly } from './session-middleware.ts';

/** What every console router gets. */
export interface ConsoleDeps {
  db: Db;
  queue: JobQueue;
  log: Logger;
  /** Where export files are (`<dataDir>/exports`): the console downloads them. */
  exportsDir: string;
}

/**
 * The console's routers behind sign-in. Add yours here: each gets a fully signed-in caller (`consoleCaller(res)`),
 * CSRF already checked, viewers already refused on anything but GET; scope every query with services/accounts-scope.ts.
 * The cross-tenant test walks every route these define.
 */
const signedInRouters: Array<(deps: ConsoleDeps) => Router> = [teamRouter, auditRouter, liveRouter, setupRouter, devicesRouter, consoleTabsRouter, consoleIssuesRouter, consoleExportsRouter];

/** The whole /v1/console JSON API (mounted once in http/app.ts). */
export function consoleApi(deps: ConsoleDeps): Router {
  const { db } = deps;
  const router = Router();
  router.use(
    '/v1/console',
    helmet({ contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } } }),
    (_req, res, next) => {
      // Answers hold people's data: never kept by a browser or a proxy.
      res.set('cache-control', 'no-store');
      next();
    },
    loadConsoleSession(db),
    csrfGuard,
  );
  router.use(authRouter(deps));
  router.use('/v1/console', requireUser(db), viewersReadOnly);
  for (const make of signedInRouters) router.use(make(deps));
  return router;
}
