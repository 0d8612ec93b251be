import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Db } from '../../db/open.ts';
import { callerOfSession } from '../../services/accounts.ts';
import { type ConsoleCaller, type Role, roleAtLeast } from '../../services/accounts-scope.ts';
import { findSession, type SessionRow } from '../../services/accounts-session.ts';
import { HttpError } from '../http-error.ts';
import { clearSessionCookie, readCookies, SESSION_COOKIE } from './session-cookies.ts';

/*
 * Console authentication. `loadConsoleSession` runs first on every /v1/console request and puts the live session (if
 * any) on res.locals; `requireUser(role?)` then admits only fully signed-in people (with at least `role`).
 */

interface ConsoleLocals {
  consoleSession?: SessionRow;
  consoleSessionExpired?: boolean;
  consoleCaller?: ConsoleCaller;
}

const locals = (res: Response) => res.locals as ConsoleLocals;

/** The live session of this request, if any (also a 'password'-stage one). */
export function consoleSession(res: Response): SessionRow | undefined {
  return locals(res).consoleSession;
}

/** The signed-in caller; only valid behind `requireUser`. */
export function consoleCaller(res: Response): ConsoleCaller {
  const caller = locals(res).consoleCaller;
  if (!caller) throw new Error('consoleCaller() used on a route without requireUser()');
  return caller;
}

export function loadConsoleSession(db: Db): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const found = await findSession(db, readCookies(req)[SESSION_COOKIE]);
    if (found.state === 'live') locals(res).consoleSession = found.row;
    if (found.state === 'expired') {
      locals(res).consoleSessionExpired = true;
      clearSessionCookie(req, res);
    }
    next();
  };
}

/** Admits fully signed-in callers whose role is at least `role` (default viewer): 401 otherwise, 403 for a low role. */
export function requireUser(db: Db, role: Role = 'viewer'): RequestHandler {
  return async (_req: Request, res: Response, next: NextFunction) => {
    const l = locals(res);
    if (!l.consoleCaller) {
      const session = l.consoleSession;
      if (!session || session.stage !== 'full') {
        const why = l.consoleSessionExpired
          ? 'Your session has expired; sign in again.'
          : session
            ? 'Finish signing in with your second factor first.'
            : 'Sign in to the console first.';
        throw new HttpError(401, 'unauthorized', why, l.consoleSessionExpired ? { reason: 'expired' } : undefined);
      }
      const caller = await callerOfSession(db, session);
      if (!caller) throw new HttpError(401, 'unauthorized', 'This account no longer exists.');
      l.consoleCaller = caller;
    }
    if (!roleAtLeast(l.consoleCaller.role, role)) {
      throw new HttpError(403, 'forbidden', `This needs the ${role} role; you are ${article(l.consoleCaller.role)} ${l.consoleCaller.role}.`);
    }
    next();
  };
}

const article = (role: Role) => (role === 'owner' ? 'an' : 'a');

/** Viewers look and never change: every state-changing console request of a viewer is a 403, whatever the route. */
export const viewersReadOnly: RequestHandler = (req, res, next) => {
  const caller = locals(res).consoleCaller;
  if (caller?.role === 'viewer' && !['GET', 'HEAD', 'OPTIONS'].includes(req.method)) {
    throw new HttpError(403, 'forbidden', 'Viewers can look but not change anything; an owner can give you the manager role.');
  }
  next();
};
