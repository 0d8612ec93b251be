import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * The attendee's link to the page where they add a card: `<public URL>/card/<token>`. Signed like the tab links
 * (services/tab-links.ts): the token names the event and the attendee and carries an HMAC-SHA256 over both with the
 * cloud's link secret (the same secret; a different purpose string, so a tab token can never pass as a card token), so
 * it needs no lookup table, cannot be guessed from an attendee id, and a tampered token is refused.
 *
 * Token: `<eventId as base64url>.<attendeeId as base64url>.<mac as base64url>` (base64url has no dots).
 */

const MAC_BYTES = 16;

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64url');

function mac(secret: string, eventId: string, attendeeId: string): Buffer {
  return createHmac('sha256', secret).update(`card\u0000${eventId}\u0000${attendeeId}`).digest().subarray(0, MAC_BYTES);
}

export interface CardLinks {
  sign(eventId: string, attendeeId: string): string;
  /** The event and attendee a token names, or undefined when it is malformed or its MAC is wrong. */
  verify(token: string): { eventId: string; attendeeId: string } | undefined;
  /** `<publicUrl>/card/<token>`. */
  url(eventId: string, attendeeId: string): string;
}

/** `secret`: the tab links' secret (TAPLINE_LINK_SECRET or `deriveLinkSecret(adminToken)`). */
export function cardLinks(options: { secret: string; publicUrl: () => string }): CardLinks {
  const { secret } = options;
  if (secret.length < 16) throw new Error('the link secret must have at least 16 characters');
  const sign = (eventId: string, attendeeId: string) => `${b64(eventId)}.${b64(attendeeId)}.${b64(mac(secret, eventId, attendeeId))}`;
  return {
    sign,
    verify(token) {
      const m = /^([A-Za-z0-9_-]{1,100})\.([A-Za-z0-9_-]{1,100})\.([A-Za-z0-9_-]{22})$/.exec(token);
      if (!m) return undefined;
      const [, eventPart, attendeePart, macPart] = m as unknown as [string, string, string, string];
      const eventId = Buffer.from(eventPart, 'base64url').toString('utf8');
      const attendeeId = Buffer.from(attendeePart, 'base64url').toString('utf8');
      // Only the canonical encoding: one attendee, one token.
      if (b64(eventId) !== eventPart || b64(attendeeId) !== attendeePart) return undefined;
      const given = Buffer.from(macPart, 'base64url');
      const expected = mac(secret, eventId, attendeeId);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      return { eventId, attendeeId };
    },
    url: (eventId, attendeeId) => `${options.publicUrl().replace(/\/+$/, '')}/card/${sign(eventId, attendeeId)}`,
  };
}
