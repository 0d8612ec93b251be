import { z } from 'zod';

/** Machine-readable error codes used on every boundary (HTTP bodies and Socket.IO acks). */
export const ErrorCode = z.enum([
  'invalid_body', // the envelope failed its schema: nothing was written
  'invalid_item', // one item of a batch failed its schema: the rest were processed
  'unsupported_version', // the peer speaks another protocol version
  'unauthorized', // missing or wrong key or token
  'forbidden', // signed in, but the role does not allow this (console)
  'rate_limited', // too many attempts: wait (details.retryAfterSeconds) and try again
  'csrf', // a state-changing console request without its x-csrf-token
  'conflict', // same id, other content: rejected and kept for review
  'not_found',
  'bad_pairing_code',
  'revoked', // head office revoked this terminal: the hub disconnects and refuses it
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorBody = z.object({
  code: ErrorCode,
  message: z.string(),
  details: z.unknown().optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** Turns a zod failure into one sentence a person can act on. */
export function describeZodError(err: z.ZodError): string {
  return err.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`)
    .join('; ');
}
