import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * The attendee's link to their tab: `<public URL>/t/<token>`. The token names the event and the band and carries an
 * HMAC-SHA256 over both with the cloud's link secret, so it needs no lookup table, cannot be guessed from a band UID
 * (printed on the band), and a tampered token is refused. The MAC is cut to 128 bits to keep the SMS short; that is
 * still far beyond guessing over HTTP.
 *
 * Token: `<bandUid>.<eventId as base64url>.<mac as base64url>` (band UIDs are hex, so the dots cannot be ambiguous).
 */

const MAC_BYTES = 16;

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** The link secret when TAPLINE_LINK_SECRET is not set: derived from the admin token, so it is stable across restarts. */
export function deriveLinkSecret(adminToken: string): string {
  return createHmac('sha256', adminToken).update('tapline tab links v1').digest('hex');
}

function mac(secret: string, eventId: string, bandUid: string): Buffer {
  return createHmac('sha256', secret).update(`tab\u0000${eventId}\u0000${bandUid}`).digest().subarray(0, MAC_BYTES);
}

export interface TabLinks {
  sign(eventId: string, bandUid: string): string;
  /** The event and band a token names, or undefined when it is malformed or its MAC is wrong. */
  verify(token: string): { eventId: string; bandUid: string } | undefined;
  /** `<publicUrl>/t/<token>`. */
  url(eventId: string, bandUid: string): string;
}

export function tabLinks(options: { secret: string; publicUrl: () => string }): TabLinks {
  const { secret } = options;
  if (secret.length < 16) throw new Error('the tab link secret must have at least 16 characters');
  const sign = (eventId: string, bandUid: string) => `${bandUid}.${b64(eventId)}.${b64(mac(secret, eventId, bandUid))}`;
  return {
    sign,
    verify(token) {
      const m = /^([0-9A-F]{8,20})\.([A-Za-z0-9_-]{1,100})\.([A-Za-z0-9_-]{22})$/.exec(token);
      if (!m) return undefined;
      const [, bandUid, eventPart, macPart] = m as unknown as [string, string, string, string];
      const eventId = Buffer.from(eventPart, 'base64url').toString('utf8');
      const given = Buffer.from(macPart, 'base64url');
      const expected = mac(secret, eventId, bandUid);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      return { eventId, bandUid };
    },
    url: (eventId, bandUid) => `${options.publicUrl().replace(/\/+$/, '')}/t/${sign(eventId, bandUid)}`,
  };
}
