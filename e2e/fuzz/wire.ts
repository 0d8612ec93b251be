import assert from 'node:assert/strict';
import http from 'node:http';
import { preview } from './hostile.ts';

/** Per-request bound: a server that takes longer than this to answer bad input is hanging, and that is a failure. */
export const REQUEST_TIMEOUT_MS = 5000;

export interface RawRequest {
  method: string;
  /** Sent as is (already percent-encoded as the test wants it), query included. */
  path: string;
  headers?: Record<string, string | undefined>;
  body?: string | Buffer;
}

export interface RawResponse {
  status: number;
  contentType: string;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/**
 * One HTTP request over a fresh connection with node:http, so paths and headers go out exactly as given (fetch would
 * normalise `..` and refuse some bytes). Rejects if no full answer comes within REQUEST_TIMEOUT_MS.
 */
export function send(baseUrl: string, r: RawRequest): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers ?? {})) if (v !== undefined) headers[k] = v;
  const body = r.body === undefined ? undefined : Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body, 'utf8');
  if (body) headers['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, method: r.method, path: r.path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text, json });
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms to ${r.method} ${r.path.slice(0, 120)}`));
    }, REQUEST_TIMEOUT_MS);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(body);
  });
}

/** Where a server puts its error: the hub at the top level, the cloud and the kiosk under `error`. */
export type ErrorShape = 'flat' | 'nested';

export interface ClearError {
  code: string;
  message: string;
}

/** A sentence a person can act on: words, not a bare code or an empty string. */
export function isSentence(s: unknown): s is string {
  return typeof s === 'string' && s.trim().length >= 10 && /\s/.test(s.trim());
}

/**
 * The response is a refusal done right: a 4xx (never 5xx), JSON, with a machine-readable code and a sentence.
 * `what` describes the input, so a failure says what was sent.
 */
export function assertClearRefusal(res: RawResponse, shape: ErrorShape, what: string): ClearError {
  const ctx = `${what}\n→ HTTP ${res.status} ${res.contentType} ${preview(res.text, 300)}`;
  assert.ok(res.status >= 400 && res.status < 500, `expected a 4xx refusal\n${ctx}`);
  assert.match(res.contentType, /^application\/json/, `a refusal must be JSON\n${ctx}`);
  const body = res.json as Record<string, unknown> | undefined;
  assert.ok(body && typeof body === 'object', `a refusal must carry a JSON object\n${ctx}`);
  const err = (shape === 'flat' ? body : body.error) as Record<string, unknown> | undefined;
  assert.ok(err && typeof err === 'object', `the refusal must say what went wrong (${shape === 'flat' ? '{code, message}' : '{error: {code, message}}'})\n${ctx}`);
  assert.ok(typeof err.code === 'string' && /^[a-z_]+$/.test(err.code), `the refusal needs a machine-readable code\n${ctx}`);
  assert.ok(isSentence(err.message), `the refusal needs a sentence for people\n${ctx}`);
  return { code: err.code, message: err.message };
}

/** Either a success (2xx) or a clear refusal; never a 5xx, never a hang. Returns the error when refused. */
export function assertAnsweredWell(res: RawResponse, shape: ErrorShape, what: string): ClearError | null {
  if (res.status >= 200 && res.status < 300) return null;
  return assertClearRefusal(res, shape, what);
}

export function describeRequest(r: RawRequest): string {
  const h = Object.entries(r.headers ?? {})
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${preview(v, 60)}`)
    .join(', ');
  const b = r.body === undefined ? '' : ` body ${preview(Buffer.isBuffer(r.body) ? r.body.toString('utf8') : r.body, 160)}`;
  return `${r.method} ${preview(r.path, 160)} [${h}]${b}`;
}

/** JSON request helper for the good traffic between batches. */
export function jsonRequest(method: string, path: string, body: unknown, auth?: string): RawRequest {
  return {
    method,
    path,
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  };
}
