import twilio from 'twilio';
import type { Logger } from 'pino';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import { checkSms, type SentSms, type SmsProvider, SmsProviderError, type SmsSendInput, type SmsSendResult } from './sms.ts';

/*
 * SmsProvider over the official `twilio` SDK. The SDK has no base-URL option, so requests go through a RequestClient
 * that moves every URL onto the configured origin: https://api.twilio.com in production, Prism on loopback in tests.
 * No StatusCallback is asked for: the cloud may not be reachable from Twilio, and the job only needs the sid.
 */

/** A Twilio RequestClient that sends every request to `baseUrl` instead of *.twilio.com. */
export class BaseUrlRequestClient extends twilio.RequestClient {
  private readonly base: URL;

  constructor(baseUrl: string, options: { timeoutMs?: number } = {}) {
    super({ timeout: options.timeoutMs ?? 15_000 });
    this.base = new URL(baseUrl);
  }

  override async request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const target = new URL(opts.uri);
    target.protocol = this.base.protocol;
    target.host = this.base.host;
    const prefix = this.base.pathname.replace(/\/$/, '');
    if (prefix) target.pathname = `${prefix}${target.pathname}`;
    const res = await super.request<TData>({ ...opts, uri: target.toString() });
    res.body = withMessage(res.statusCode, res.body) as TData;
    return res;
  }
}

/**
 * Twilio's errors carry `message` and `code`; servers that answer RFC 7807 problems without them (Prism does) would
 * reach the SDK's RestException with no message at all. Give them one made of the problem's own words.
 */
function withMessage(status: number, body: unknown): unknown {
  if (status < 400) return body;
  let parsed: Record<string, unknown>;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return body;
    }
  } else if (body !== null && typeof body === 'object') {
    parsed = body as Record<string, unknown>;
  } else {
    return body;
  }
  if (typeof parsed.message === 'string' || typeof parsed.title !== 'string') return body;
  const validation = Array.isArray(parsed.validation)
    ? (parsed.validation as Array<{ message?: string }>).map((v) => v.message).filter(Boolean)
    : [];
  const detail = validation.length > 0 ? validation.join('; ') : typeof parsed.detail === 'string' ? parsed.detail : '';
  const withWords = { ...parsed, message: detail ? `${parsed.title}: ${detail}` : parsed.title };
  return typeof body === 'string' ? JSON.stringify(withWords) : withWords;
}

export interface TwilioSmsOptions {
  /** `https://api.twilio.com`, or in tests Prism's `http://127.0.0.1:PORT`. */
  url: string;
  accountSid: string;
  authToken: string;
  /** A sender number (E.164) or a Messaging Service SID (MG…). */
  from: string;
  timeoutMs?: number;
  log?: Logger;
  /** Replaces the URL-rewriting client (it must do the rewriting itself; subclass BaseUrlRequestClient). */
  httpClient?: twilio.RequestClient;
}

// The request never left this machine or was refused at once: nothing can have been sent.
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_INVALID_URL', 'ERR_BAD_OPTION']);

/** An error of the twilio SDK (or of the HTTP under it) as an SmsProviderError. */
export function smsErrorFrom(err: unknown, what: string): SmsProviderError {
  if (err instanceof SmsProviderError) return err;
  const e = err as { status?: unknown; code?: unknown; message?: unknown; detail?: unknown; title?: unknown };
  if (typeof e?.status === 'number') {
    const status = e.status;
    const providerCode = typeof e.code === 'number' ? e.code : undefined;
    const words = [e.message, e.detail, e.title].find((x): x is string => typeof x === 'string' && x !== '' && !x.startsWith('[HTTP'));
    const said = words ? ` Twilio said: ${words.replace(/\.?$/, '.')}` : '';
    const base = { status, providerCode, cause: err };
    if (status === 401 || status === 403) {
      return new SmsProviderError('sms_auth_failed', `Twilio refused our account SID or auth token while trying to ${what} (HTTP ${status}).${said}`, {
        ...base,
        retryable: false,
        mayHaveSent: false,
      });
    }
    if (status === 429) {
      return new SmsProviderError('sms_rate_limited', `Twilio asked us to slow down while trying to ${what}.${said}`, { ...base, retryable: true, mayHaveSent: false });
    }
    if (status >= 500) {
      return new SmsProviderError('sms_provider_failed', `Twilio failed while trying to ${what} (HTTP ${status}).${said}`, { ...base, retryable: true, mayHaveSent: true });
    }
    return new SmsProviderError('sms_rejected', `Twilio refused to ${what} (HTTP ${status}).${said}`, { ...base, retryable: false, mayHaveSent: false });
  }
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const notSent = code !== undefined && NOT_SENT_CODES.has(code);
  return new SmsProviderError(
    'sms_provider_unreachable',
    notSent
      ? `Twilio could not be reached to ${what} (${code}); nothing was sent.`
      : `Twilio did not answer the request to ${what} (${code ?? (e?.message as string | undefined) ?? 'no answer'}); the SMS may or may not have been sent.`,
    { retryable: true, mayHaveSent: !notSent, cause: err },
  );
}

interface MessagePageLike {
  instances: Array<{ sid: string; to: string; body: string; status: string; dateCreated: Date | null }>;
  nextPage(): Promise<MessagePageLike> | undefined;
}

const MAX_PAGES = 5;
/** Our clock and Twilio's may disagree a little; a message a minute "before" the attempt may still be it. */
const CLOCK_SLACK_MS = 60_000;

export class TwilioSms implements SmsProvider {
  readonly kind = 'twilio' as const;
  /** The SDK client, pointed at the configured URL. */
  readonly client: twilio.Twilio;
  private readonly sender: { from: string } | { messagingServiceSid: string };
  private readonly log: Logger | undefined;

  constructor(options: TwilioSmsOptions) {
    this.client = twilio(options.accountSid, options.authToken, {
      httpClient: options.httpClient ?? new BaseUrlRequestClient(options.url, { timeoutMs: options.timeoutMs }),
      autoRetry: false,
    });
    this.sender = /^MG[0-9a-fA-F]{32}$/.test(options.from) ? { messagingServiceSid: options.from } : { from: options.from };
    this.log = options.log;
  }

  async send(input: SmsSendInput): Promise<SmsSendResult> {
    checkSms(input);
    try {
      const m = await this.client.messages.create({ to: input.to, body: input.body, ...this.sender });
      this.log?.info({ provider: 'twilio', sid: m.sid, status: m.status, idempotencyKey: input.idempotencyKey }, 'SMS handed to Twilio');
      return { sid: m.sid, status: m.status };
    } catch (err) {
      const e = smsErrorFrom(err, 'send an SMS');
      this.log?.warn(
        { provider: 'twilio', code: e.code, status: e.details.status, providerCode: e.details.providerCode, mayHaveSent: e.mayHaveSent, idempotencyKey: input.idempotencyKey },
        e.message,
      );
      throw e;
    }
  }

  async findSent(input: { to: string; since: Date; bodyIncludes: string }): Promise<SentSms[]> {
    try {
      // DateSent filters by day at Twilio; the exact time and the body are checked here.
      const day = new Date(Date.UTC(input.since.getUTCFullYear(), input.since.getUTCMonth(), input.since.getUTCDate()));
      const found = new Map<string, SentSms>();
      let page: MessagePageLike | undefined = await this.client.messages.page({
        to: input.to,
        dateSentAfter: day,
        pageSize: 100,
      });
      // One attendee gets a handful of messages a day; stop after a few pages, or when a page brings nothing new.
      for (let pages = 0; page && pages < MAX_PAGES; pages++) {
        const before = found.size;
        for (const m of page.instances) {
          const created = m.dateCreated ?? null;
          if (!m.body.includes(input.bodyIncludes) || (created && created.getTime() < input.since.getTime() - CLOCK_SLACK_MS)) continue;
          found.set(m.sid, { sid: m.sid, to: m.to, body: m.body, status: m.status, createdAt: created });
        }
        if (found.size === before && pages > 0) break;
        page = await page.nextPage();
      }
      return [...found.values()];
    } catch (err) {
      throw smsErrorFrom(err, 'look up sent SMS');
    }
  }
}
