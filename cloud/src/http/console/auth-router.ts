import { eq } from 'drizzle-orm';
import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { Db } from '../../db/open.ts';
import { users } from '../../db/schema.ts';
import type { SessionResponse, SignInResponse, EnrolmentResponse } from '../../console/api-types.ts';
import {
  callerOfSession,
  confirmTotpEnrolment,
  signInWithPassword,
  signInWithTotp,
  signOut,
  startTotpEnrolment,
  type SignInResult,
} from '../../services/accounts.ts';
import { scopedEvents } from '../../services/accounts-scope.ts';
import { IDLE_MINUTES, newToken, purgeEndedSessions } from '../../services/accounts-session.ts';
import { HttpError } from '../http-error.ts';
import { parseBody } from '../parse-body.ts';
import { clearSessionCookie, PRE_SESSION_CSRF_COOKIE, readCookies, setPreSessionCsrfCookie, setSessionCookie } from './session-cookies.ts';
import { consoleSession } from './session-middleware.ts';

const SignIn = z.object({
  email: z.string().trim().min(3).max(254),
  password: z.string().min(1).max(1024),
});
const Code = z.object({ code: z.string().trim().min(1).max(16) });

/**
 * Signing in and out, and the session the page starts from. These routes work without a full session (the rest of
 * /v1/console needs one); the CSRF guard in front of them still applies.
 */
export function authRouter(deps: { db: Db }): Router {
  const { db } = deps;
  const router = Router();

  const answer = (req: Request, res: Response, r: SignInResult) => {
    setSessionCookie(req, res, r.sessionId);
    res.json({ next: r.next, csrfToken: r.session.csrfToken } satisfies SignInResponse);
  };

  router.get('/v1/console/session', async (req, res) => {
    const session = consoleSession(res);
    if (session?.stage === 'full') {
      const caller = await callerOfSession(db, session);
      if (caller) {
        const [u] = await db.select({ totpEnrolled: users.totpEnrolled }).from(users).where(eq(users.id, caller.userId));
        const events = await scopedEvents(db, caller);
        res.json({
          signedIn: true,
          csrfToken: session.csrfToken,
          user: { id: caller.userId, email: caller.email, name: caller.name, role: caller.role, totpEnrolled: Boolean(u?.totpEnrolled) },
          organisation: { id: caller.organisationId, name: caller.organisationName },
          events: events.map(({ data: _data, ...e }) => e),
          session: { expiresAt: session.expiresAt, idleMinutes: IDLE_MINUTES },
        } satisfies SessionResponse);
        return;
      }
    }
    if (session?.stage === 'password') {
      const [u] = await db.select({ email: users.email, totpEnrolled: users.totpEnrolled }).from(users).where(eq(users.id, session.userId));
      if (u) {
        res.json({ signedIn: false, csrfToken: session.csrfToken, pending: { next: u.totpEnrolled ? 'totp' : 'enrol', email: u.email } } satisfies SessionResponse);
        return;
      }
    }
    let token = readCookies(req)[PRE_SESSION_CSRF_COOKIE];
    if (!token || token.length < 32) {
      token = newToken();
      setPreSessionCsrfCookie(req, res, token);
    }
    res.json({ signedIn: false, csrfToken: token, ...(res.locals.consoleSessionExpired ? { expired: true } : {}) } satisfies SessionResponse);
  });

  router.post('/v1/console/auth/sign-in', async (req, res) => {
    const { email, password } = parseBody(SignIn, req.body);
    // Ended sessions are deleted when met; sign-ins sweep the ones nobody came back to.
    await purgeEndedSessions(db);
    answer(req, res, await signInWithPassword(db, email, password));
  });

  const pending = (res: Response) => {
    const session = consoleSession(res);
    if (!session) throw new HttpError(401, 'unauthorized', 'Sign in with your e-mail and password first.');
    return session;
  };

  router.post('/v1/console/auth/totp', async (req, res) => {
    const { code } = parseBody(Code, req.body);
    answer(req, res, await signInWithTotp(db, pending(res), code));
  });

  router.post('/v1/console/auth/totp/enrolment', async (_req, res) => {
    res.json((await startTotpEnrolment(db, pending(res))) satisfies EnrolmentResponse);
  });

  router.post('/v1/console/auth/totp/enrolment/confirm', async (req, res) => {
    const { code } = parseBody(Code, req.body);
    answer(req, res, await confirmTotpEnrolment(db, pending(res), code));
  });

  router.post('/v1/console/auth/sign-out', async (req, res) => {
    const session = consoleSession(res);
    if (session) await signOut(db, await callerOfSession(db, session), session);
    clearSessionCookie(req, res);
    res.json({ ok: true });
  });

  return router;
}
