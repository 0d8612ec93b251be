import { describeZodError, ErrorBody, PairRequest, PairResponse, PROTOCOL_VERSION } from '@tapline/shared';
import { TerminalError } from './errors.ts';
import type { MetaStore } from './meta-store.ts';

export interface PairingResult {
  hubUrl: string;
  hubId: string;
  terminalId: string;
}

/**
 * Asks the hub for an identity with the code the hub shows, and keeps it in meta. Errors say what a venue tech can do
 * about them: a wrong or expired code, or a hub that cannot be reached at that address.
 */
export async function pair(
  meta: MetaStore,
  hubUrl: string,
  code: string,
  name: string,
  timeoutMs = 10_000,
): Promise<PairingResult> {
  let base: URL;
  try {
    base = new URL(hubUrl);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new TerminalError('invalid_input', `"${hubUrl}" is not a hub address such as http://192.168.1.10:4300.`);
  }
  const request = PairRequest.safeParse({ v: PROTOCOL_VERSION, code: String(code).trim(), name });
  if (!request.success) throw new TerminalError('invalid_input', `Cannot pair: ${describeZodError(request.error)}.`);
  const url = base.origin + base.pathname.replace(/\/+$/, '');

  let res: Response;
  try {
    res = await fetch(`${url}/v1/pair`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request.data),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const why = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    throw new TerminalError('hub_unreachable', `Cannot reach the hub at ${url}: ${why}.`);
  }
  const body: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const error = ErrorBody.safeParse(body);
    if (res.status === 403 || (error.success && error.data.code === 'bad_pairing_code')) {
      throw new TerminalError('bad_pairing_code', 'The hub did not accept this pairing code: check the code on the hub screen (codes expire after 10 minutes).');
    }
    const detail = error.success ? `${error.data.code}: ${error.data.message}` : `HTTP ${res.status}`;
    throw new TerminalError('pairing_failed', `The hub at ${url} refused to pair (${detail}).`);
  }
  const paired = PairResponse.safeParse(body);
  if (!paired.success) {
    throw new TerminalError('pairing_failed', `The hub at ${url} answered pairing with something unexpected: ${describeZodError(paired.error)}.`);
  }
  meta.setMany({ hubUrl: url, hubId: paired.data.hubId, terminalId: paired.data.terminalId, token: paired.data.token, terminalName: request.data.name });
  return { hubUrl: url, hubId: paired.data.hubId, terminalId: paired.data.terminalId };
}
