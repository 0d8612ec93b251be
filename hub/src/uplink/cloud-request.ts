/** A failed exchange with the cloud. Never a TypeError, so p-retry always retries it. */
export class CloudError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = 'CloudError';
  }
}

/**
 * One HTTP request to the cloud with a hard timeout that also honours `stop`. Network failures, timeouts
 * and non-2xx answers all become CloudError with a sentence fit for the status page.
 */
export async function cloudRequest(
  url: string,
  init: { method: 'GET' | 'POST'; venueKey: string; body?: string; timeoutMs: number; stop: AbortSignal },
): Promise<unknown> {
  const headers: Record<string, string> = { authorization: `Bearer ${init.venueKey}`, accept: 'application/json' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(url, {
      method: init.method,
      headers,
      body: init.body,
      signal: AbortSignal.any([AbortSignal.timeout(init.timeoutMs), init.stop]),
    });
  } catch (err) {
    if (init.stop.aborted) throw err;
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError') throw new CloudError(`the cloud did not answer within ${init.timeoutMs} ms`);
    throw new CloudError(`cannot reach the cloud: ${e.cause?.code ?? e.cause?.message ?? e.message}`);
  }
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    if (init.stop.aborted) throw err;
    throw new CloudError(`the cloud's answer was cut off: ${(err as Error).message}`);
  }
  if (!res.ok) {
    let detail = text.slice(0, 200);
    try {
      const body = JSON.parse(text) as { code?: string; message?: string };
      if (body.code) detail = `${body.code}: ${body.message ?? ''}`;
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
