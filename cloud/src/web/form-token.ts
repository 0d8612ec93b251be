import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/*
 * The public forms carry a signed token instead of a session: the server made this form, for this page, less than
 * `maxAgeMs` ago. Another site cannot post a form it never received (CSRF), and a stale page asks to be reloaded.
 * The token's nonce also names one submission: the card form uses it to key its confirmation, so a double tap is one
 * attempt. Token: `<issued ms base36>.<nonce>.<mac>`.
 */

const MAC_BYTES = 16;

export interface FormTokens {
  issue(scope: string, now?: number): string;
  /** The token's nonce when it is genuine, for this scope and fresh; undefined otherwise. */
  verify(scope: string, token: unknown, now?: number): string | undefined;
}

export function formTokens(options: { secret: string; maxAgeMs?: number }): FormTokens {
  const key = createHmac('sha256', options.secret).update('tapline public form tokens v1').digest();
  const maxAge = options.maxAgeMs ?? 2 * 60 * 60 * 1000;
  const mac = (scope: string, issued: string, nonce: string) =>
    createHmac('sha256', key).update(`${scope}\u0000${issued}\u0000${nonce}`).digest().subarray(0, MAC_BYTES);
  return {
    issue(scope, now = Date.now()) {
      const issued = now.toString(36);
      const nonce = randomBytes(12).toString('base64url');
      return `${issued}.${nonce}.${mac(scope, issued, nonce).toString('base64url')}`;
    },
    verify(scope, token, now = Date.now()) {
      if (typeof token !== 'string') return undefined;
      const m = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{22})$/.exec(token);
      if (!m) return undefined;
      const [, issued, nonce, given] = m as unknown as [string, string, string, string];
      const age = now - parseInt(issued, 36);
      if (!(age >= -60_000 && age <= maxAge)) return undefined;
      const a = Buffer.from(given, 'base64url');
      if (a.toString('base64url') !== given) return undefined;
      const b = mac(scope, issued, nonce);
      return a.length === b.length && timingSafeEqual(a, b) ? nonce : undefined;
    },
  };
}
