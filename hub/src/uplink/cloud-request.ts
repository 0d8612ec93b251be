/** A failed exchange with the cloud. Never a TypeError, so p-retry always retries it. */
export class CloudError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = 'CloudError';
  }
}

/**
 * One HTTP request to the cloud with a hard timeout over the whole exchange (headers and body) that also honours
 * `stop`. Network failures, timeouts and non-2xx answers all become CloudError with a sentence fit for the status page.
 *
 * The timeout is a plain timer on our own AbortController, not `AbortSignal.any([AbortSignal.timeout()])`: on Node 20
 * the composite signal holds its sources weakly, the timeout signal can be garbage-collected, and a hung cloud then
 * hangs the uploader forever.
 */
export async function cloudRequest(
  url: string,
  init: { method: 'GET' | 'POST'; venueKey: string; body?: string; timeoutMs: number; stop: AbortSignal },
): Promise<unknown> {
  const headers: Record<string, string> = { authorization: `Bearer ${init.venueKey}`, accept: 'application/json' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, init.timeoutMs);
  const onStop = () => controller.abort();
  init.stop.addEventListener('abort', onStop, { once: true });
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, { method: init.method, headers, body: init.body, signal: controller.signal });
    text = await res.text();
  } catch (err) {
    if (init.stop.aborted) throw err;
    if (timedOut) throw new CloudError(`the cloud did not answer within ${init.timeoutMs} ms`);
    const e = err as Error & { cause?: { code?: string; message?: string } };
    throw new CloudError(`cannot reach the cloud: ${e.cause?.code ?? e.cause?.message ?? e.message}`);
  } finally {
    clearTimeout(timer);
    init.stop.removeEventListener('abort', onStop);
  }
  if (!res.ok) {
    let detail = text.slice(0, 200);
    try {
      const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
      if (body.error?.code) detail = `${body.error.code}: ${body.error.message ?? ''}`;
    } catch {
      // not JSON: keep the raw start of the body
    }
    throw new CloudError(`the cloud answered ${res.status}${detail ? ` (${detail})` : ''}`, res.status);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new CloudError('the cloud answered with something that is not JSON');
  }
}
