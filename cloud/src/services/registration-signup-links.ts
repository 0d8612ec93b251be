import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * The attendee's confirmation page: `<public URL>/e/<eventId>/confirmation/<token>` (in the confirmation SMS). Signed
 * like the card links (registration-card-links.ts) with the same secret and its own purpose string, so a card token
 * never opens a confirmation page or the other way round. Tokens do not expire: the SMS link must keep working.
 *
 * Token: `<attendeeId as base64url>.<mac as base64url>`; the event is in the path and in the MAC.
 */

const MAC_BYTES = 16;
const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64url');

function mac(secret: string, eventId: string, attendeeId: string): Buffer {
  return createHmac('sha256', secret).update(`confirmation\u0000${eventId}\u0000${attendeeId}`).digest().subarray(0, MAC_BYTES);
}

export interface ConfirmationLinks {
  sign(eventId: string, attendeeId: string): string;
  /** The attendee a token names for this event, or undefined when it is malformed or its MAC is wrong. */
  verify(eventId: string, token: string): string | undefined;
  /** `<publicUrl>/e/<eventId>/confirmation/<token>`. */
  url(eventId: string, attendeeId: string): string;
}

export function confirmationLinks(options: { secret: string; publicUrl: () => string }): ConfirmationLinks {
  const { secret } = options;
  if (secret.length < 16) throw new Error('the link secret must have at least 16 characters');
  const sign = (eventId: string, attendeeId: string) => `${b64(attendeeId)}.${b64(mac(secret, eventId, attendeeId))}`;
  return {
    sign,
    verify(eventId, token) {
      const m = /^([A-Za-z0-9_-]{1,100})\.([A-Za-z0-9_-]{22})$/.exec(token);
      if (!m) return undefined;
      const attendeeId = Buffer.from(m[1]!, 'base64url').toString('utf8');
      if (b64(attendeeId) !== m[1]) return undefined;
      const given = Buffer.from(m[2]!, 'base64url');
      // One token per attendee: the MAC's unused low bits must be zero (canonical base64url).
      if (b64(given) !== m[2]) return undefined;
      const expected = mac(secret, eventId, attendeeId);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      return attendeeId;
    },
    url: (eventId, attendeeId) => `${options.publicUrl().replace(/\/+$/, '')}/e/${encodeURIComponent(eventId)}/confirmation/${sign(eventId, attendeeId)}`,
  };
}
