import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { HttpError } from '../http-error.ts';
import { readCookies, PRE_SESSION_CSRF_COOKIE } from './session-cookies.ts';
import { consoleSession } from './session-middleware.ts';

/*
 * CSRF: every state-changing /v1/console request carries `x-csrf-token`. With a session, it must equal the session's
 * token (synchronizer token, given by GET /v1/console/session); before sign-in, it must equal the `tl_csrf` cookie
 * (double submit). A cross-site form can send neither. A request whose Origin is another site is refused outright.
 */

export const CSRF_HEADER = 'x-csrf-token';
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

function same(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const refuse = (why: string) => new HttpError(403, 'csrf', why);

export const csrfGuard: RequestHandler = (req, res, next) => {
  if (SAFE.has(req.method)) return next();
  const origin = req.get('origin');
  if (origin && origin !== 'null') {
    let host: string | undefined;
    try {
      host = new URL(origin).host;
    } catch {
      host = undefined;
    }
    if (host !== req.get('host')) throw refuse('This request came from another site and was refused.');
  }
  const sent = req.get(CSRF_HEADER);
  const session = consoleSession(res);
  const expected = session ? session.csrfToken : readCookies(req)[PRE_SESSION_CSRF_COOKIE];
  if (!same(sent, expected)) {
    throw refuse(`Send the token from GET /v1/console/session as the ${CSRF_HEADER} header; reload the page if this persists.`);
  }
  next();
};
