import { type RequestHandler, Router } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { buildConsole, type ConsoleBundle } from './build.ts';

/*
 * Serves the console: /console/assets/* (content-hashed, cached for good) and the page for every other /console/*
 * path (the app routes in the browser). Security headers on all of it: a strict CSP (no inline script or style, no
 * third-party origin), no framing, no sniffing, no referrer leaks.
 */

const securityHeaders: RequestHandler = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      fontSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
  // The demo serves plain http on loopback: HSTS there would only confuse a browser later.
  strictTransportSecurity: false,
  referrerPolicy: { policy: 'same-origin' },
});

// One build per process, made at the first visit (a cloud started by a test that never opens the console pays
// nothing); a failed build is logged, answered 500 and tried again at the next visit.
let building: Promise<ConsoleBundle> | undefined;
function bundle(log: Logger): Promise<ConsoleBundle> {
  building ??= buildConsole().catch((err: unknown) => {
    building = undefined;
    log.error({ err }, 'the console did not build');
    throw err;
  });
  return building;
}

export function consolePages(deps: { log: Logger }): Router {
  const router = Router();
  // Routing is not strict ('/console' also matches '/console/'): only the bare path is sent on.
  router.get('/console', (req, res, next) => (req.path === '/console' ? res.redirect(301, '/console/') : next()));
  router.use('/console', securityHeaders);
  router.get('/console/assets/:name', async (req, res, next) => {
    const asset = (await bundle(deps.log)).assets.get(req.params.name);
    if (!asset) return next();
    res.set('content-type', asset.contentType).set('cache-control', 'public, max-age=31536000, immutable').send(asset.body);
  });
  router.get('/console/{*path}', async (_req, res) => {
    const { indexHtml } = await bundle(deps.log);
    res.set('content-type', 'text/html; charset=utf-8').set('cache-control', 'no-cache').send(indexHtml);
  });
  return router;
}
