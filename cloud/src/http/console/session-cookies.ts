import type { CookieOptions, Request, Response } from 'express';
import { ABSOLUTE_HOURS } from '../../services/accounts-session.ts';

/** The console's session cookie: httpOnly, SameSite=Lax, Secure when the request came over https. */
export const SESSION_COOKIE = 'tl_session';
/** Before sign-in there is no session to hold the CSRF token: it is double-submitted against this cookie. */
export const PRE_SESSION_CSRF_COOKIE = 'tl_csrf';

/** The request's cookies (no cookie-parser: two cookies do not need a dependency). */
export function readCookies(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 1) continue;
    const name = part.slice(0, eq).trim();
    const raw = part.slice(eq + 1).trim();
    try {
      if (!(name in out)) out[name] = decodeURIComponent(raw);
    } catch {
      // A malformed value is as good as none.
    }
  }
  return out;
}

function base(req: Request): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/' };
}

export function setSessionCookie(req: Request, res: Response, id: string): void {
  res.cookie(SESSION_COOKIE, id, { ...base(req), maxAge: ABSOLUTE_HOURS * 3_600_000 });
}

export function clearSessionCookie(req: Request, res: Response): void {
  res.clearCookie(SESSION_COOKIE, base(req));
}

export function setPreSessionCsrfCookie(req: Request, res: Response, token: string): void {
  res.cookie(PRE_SESSION_CSRF_COOKIE, token, { ...base(req), sameSite: 'strict' });
}
