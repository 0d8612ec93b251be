import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Db } from '../db/open.ts';
import { findVenueByKey, type Venue } from '../services/venues.ts';
import { HttpError } from './http-error.ts';

/** Who made the request, set by the auth middlewares on `res.locals.caller`. */
export type Caller = { kind: 'admin' } | { kind: 'venue'; venue: Venue };

function bearer(req: Request): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
  return m?.[1];
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const unauthorized = (what: string) => new HttpError(401, 'unauthorized', `Send a valid ${what} as "Authorization: Bearer <key>".`);

export function caller(res: Response): Caller {
  return res.locals.caller as Caller;
}

/** Accepts `allowed` callers: a venue key (sha256 lookup) and/or the admin token. 401 `unauthorized` otherwise. */
export function authenticate(db: Db, adminToken: string, allowed: { venue?: boolean; admin?: boolean }): RequestHandler {
  const what = [allowed.venue && 'venue key', allowed.admin && 'admin token'].filter(Boolean).join(' or ');
  return async (req: Request, res: Response, next: NextFunction) => {
    const token = bearer(req);
    if (!token) throw unauthorized(what);
    if (allowed.admin && sameSecret(token, adminToken)) {
      res.locals.caller = { kind: 'admin' } satisfies Caller;
      return next();
    }
    if (allowed.venue) {
      const venue = await findVenueByKey(db, token);
      if (venue) {
        res.locals.caller = { kind: 'venue', venue } satisfies Caller;
        return next();
      }
    }
    throw unauthorized(what);
  };
}
