import { describeZodError } from '@tapline/shared';
import type { z } from 'zod';
import { HttpError } from './http-error.ts';

/** The body against its schema, or a 400 `invalid_body` naming each bad field in a sentence (nothing is written). */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const r = schema.safeParse(body);
  if (!r.success) throw new HttpError(400, 'invalid_body', describeZodError(r.error), { issues: r.error.issues.slice(0, 20) });
  return r.data;
}

/** A JSON object body; the routes that complete it with server-side fields (ids, event, time) start here. */
export function objectBody(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new HttpError(400, 'invalid_body', 'body: send a JSON object with "content-type: application/json".');
  }
  return body as Record<string, unknown>;
}
