import { isStorableText } from '@tapline/shared';
import type { RequestHandler } from 'express';
import { HttpError } from './http-error.ts';

/** The refusals express.json raises (body-parser's `type`), each as a sentence. */
const BODY_REFUSALS: Record<string, string> = {
  'entity.parse.failed': 'The body is not valid JSON.',
  'entity.too.large': 'The body is too large; send at most 1,000 orders a request.',
  'charset.unsupported': 'The body is in a charset the cloud cannot read; send UTF-8 JSON.',
  'encoding.unsupported': 'The body has a content-encoding the cloud cannot read; send it uncompressed, gzip or deflate.',
  'request.aborted': 'The request was aborted before its body arrived.',
  'request.size.invalid': 'The body is shorter or longer than its content-length says.',
  'parameters.too.many': 'The body has too many parameters.',
};

/**
 * An error Express or its body parser raised about the request itself (a 4xx `status`), as the HttpError to answer;
 * undefined for anything else, which is ours (500).
 */
export function requestRefusal(err: unknown): HttpError | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const { status, type } = err as { status?: unknown; type?: unknown };
  if (typeof status !== 'number' || status < 400 || status > 499) return undefined;
  if (typeof type === 'string') {
    return new HttpError(status, 'invalid_body', BODY_REFUSALS[type] ?? 'The body could not be read; send UTF-8 JSON.');
  }
  // The router could not decode a path parameter (a broken %-escape): a path like that names nothing here.
  if (err instanceof URIError) return new HttpError(400, 'not_found', 'The path has a broken %-escape, so it names nothing here.');
  // The rest carry their own 4xx: a compressed body that does not decompress (zlib's error, status 400), and the like.
  const reason = err instanceof Error && err.message ? ` (${err.message.slice(0, 120)})` : '';
  return new HttpError(status, status === 404 ? 'not_found' : 'invalid_body', `The request could not be read${reason}; send UTF-8 JSON, uncompressed, gzip or deflate.`);
}

/** The first string in a parsed query (values and keys, arrays included) that PostgreSQL could not store. */
function unstorableIn(value: unknown): string | undefined {
  if (typeof value === 'string') return isStorableText(value) ? undefined : value;
  if (Array.isArray(value)) return value.map(unstorableIn).find((v) => v !== undefined);
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const bad = unstorableIn(k) ?? unstorableIn(v);
      if (bad !== undefined) return bad;
    }
  }
  return undefined;
}

/**
 * Refuses a URL whose path or query holds what no route could look up or store: a broken %-escape, U+0000 or an
 * unpaired surrogate (PostgreSQL refuses those in text, failing the statement). Every route's parameters come from
 * here, so one check in front of them all keeps a hostile path a clear 4xx instead of a database error.
 */
export function refuseUnstorableUrl(): RequestHandler {
  return (req, _res, next) => {
    let path: string;
    try {
      path = decodeURIComponent(req.path);
    } catch {
      return next(new HttpError(400, 'not_found', 'The path has a broken %-escape, so it names nothing here.'));
    }
    if (!isStorableText(path)) {
      return next(new HttpError(404, 'not_found', 'The path holds U+0000 or an unpaired surrogate, so it names nothing here.'));
    }
    if (unstorableIn(req.query) !== undefined) {
      return next(new HttpError(400, 'invalid_body', 'query: a value holds U+0000 or an unpaired surrogate; send text without them.'));
    }
    next();
  };
}
