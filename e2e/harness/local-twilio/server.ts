import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ListenOptions, LocalProvider } from '../local-provider.ts';
import { checkCreate, checkList, exampleMessage, prepareValidators, type TwilioError, twilioError } from './validator.ts';

/*
 * The project's own local Twilio: enough of the Messages API (create, list, fetch) for the official `twilio` SDK to
 * talk to over real HTTP, with the state Prism cannot keep — it remembers what was sent, so a test can ask "was this
 * SMS sent, and how many times". Every request is checked against Twilio's OpenAPI description (validator.ts) and
 * recorded; faults can be injected, above all "Twilio accepted the message but the caller never read the answer".
 */

export const LOCAL_TWILIO_OPERATIONS = ['POST Messages', 'GET Messages', 'GET Message'] as const;
export type LocalTwilioOperation = (typeof LOCAL_TWILIO_OPERATIONS)[number];

/**
 * - `hang-after-apply`: the request takes effect (the message is stored), then the connection is held with no answer
 *   until the caller gives up: the caller died or its network broke between Twilio's work and the answer.
 * - `drop-after-apply`: the same, but the connection is cut at once.
 * - `drop-before-apply`: the connection is cut before anything happens.
 * - `{ status, error? }`: answered with that status before anything happens.
 */
export type TwilioFaultAction = 'hang-after-apply' | 'drop-after-apply' | 'drop-before-apply' | { status: number; error?: Partial<TwilioError> };

export interface TwilioFault {
  operation?: LocalTwilioOperation;
  /** How many matching requests it hits. Default 1. */
  times?: number;
  action: TwilioFaultAction;
}

export interface StoredMessage {
  sid: string;
  accountSid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  status: string;
  createdAt: Date;
}

export interface TwilioRecordedRequest {
  seq: number;
  method: string;
  path: string;
  operation: LocalTwilioOperation | null;
  params: Record<string, unknown>;
  /** The status answered; null when a fault cut or held the connection. */
  status: number | null;
  fault: string | null;
  /** The message a create stored (also when its answer was then lost to a fault). */
  messageSid: string | null;
}

export interface LocalTwilioOptions extends ListenOptions {
  /** Accept only this account and token; by default any AC… account with any token, as long as path and login agree. */
  accountSid?: string;
  authToken?: string;
}

const rfc2822 = (d: Date) => d.toUTCString().replace('GMT', '+0000');

/** A Twilio date filter value (`2024-05-01` or a full ISO time) as a time; the day's start for a bare date. */
function filterTime(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  return Number.isNaN(t) ? null : t;
}

export class LocalTwilio extends LocalProvider<TwilioRecordedRequest, TwilioFault> {
  readonly messages: StoredMessage[] = [];

  constructor(private readonly options: LocalTwilioOptions) {
    super('the local Twilio', LOCAL_TWILIO_OPERATIONS);
  }

  /** The messages sent to a number (all of them when no number is given). */
  messagesTo(to?: string): StoredMessage[] {
    return this.messages.filter((m) => to === undefined || m.to === to);
  }

  protected override internalError(message: string): unknown {
    return twilioError(500, 20500, message);
  }

  private authError(req: IncomingMessage, accountSid: string): TwilioError | null {
    const m = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!m) return twilioError(401, 20003, 'Authenticate');
    const [user, ...rest] = Buffer.from(m[1]!, 'base64').toString('utf8').split(':');
    const token = rest.join(':');
    const okAccount = this.options.accountSid ? user === this.options.accountSid : /^AC[0-9a-fA-F]{32}$/.test(user ?? '');
    const okToken = this.options.authToken ? token === this.options.authToken : token.length > 0;
    if (!okAccount || !okToken || user !== accountSid) return twilioError(401, 20003, 'Authenticate');
    return null;
  }

  private resource(m: StoredMessage): Record<string, unknown> {
    const uri = `/2010-04-01/Accounts/${m.accountSid}/Messages/${m.sid}.json`;
    return {
      ...exampleMessage(),
      account_sid: m.accountSid,
      body: m.body,
      date_created: rfc2822(m.createdAt),
      date_sent: rfc2822(m.createdAt),
      date_updated: rfc2822(m.createdAt),
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from: m.from,
      messaging_service_sid: m.messagingServiceSid,
      num_media: '0',
      num_segments: String(Math.max(1, Math.ceil(m.body.length / 153))),
      price: null,
      price_unit: 'USD',
      sid: m.sid,
      status: m.status,
      subresource_uris: { media: uri.replace(/\.json$/, '/Media.json') },
      to: m.to,
      uri,
    };
  }

  protected override async serve(req: IncomingMessage, res: ServerResponse, url: URL, method: string, raw: string): Promise<void> {
    const rec = this.record({ method, path: url.pathname, operation: null, params: {}, status: null, fault: null, messageSid: null });
    const answer = (status: number, body: unknown) => {
      rec.status = status;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
      this.emit('request', rec);
    };

    const list = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(url.pathname);
    const one = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\/([^/]+)\.json$/.exec(url.pathname);
    const accountSid = decodeURIComponent((list ?? one)?.[1] ?? '');
    if (!list && !one) {
      return answer(404, twilioError(404, 20404, `The requested resource ${url.pathname} was not found`));
    }
    rec.operation = one ? 'GET Message' : method === 'POST' ? 'POST Messages' : 'GET Messages';
    if (one && method !== 'GET') return answer(405, twilioError(405, 20004, 'Method not allowed'));
    if (list && method !== 'GET' && method !== 'POST') return answer(405, twilioError(405, 20004, 'Method not allowed'));
    const auth = this.authError(req, accountSid);
    if (auth) return answer(401, auth);

    const pairs = [...new URLSearchParams(method === 'POST' ? raw : url.search.slice(1)).entries()];
    rec.params = Object.fromEntries(pairs);
    const fault = this.takeFault(rec.operation);
    if (fault === 'drop-before-apply') return this.cut(rec, res, fault, false);
    if (fault && typeof fault === 'object') {
      rec.fault = `status ${fault.status}`;
      return answer(fault.status, { ...twilioError(fault.status, 20500, 'An internal server error has occurred (injected by the test).'), ...fault.error });
    }

    let status: number;
    let body: unknown;
    if (rec.operation === 'POST Messages') {
      const checked = checkCreate(pairs);
      if (!checked.ok) return answer(checked.error.status, checked.error);
      rec.params = checked.params;
      const p = checked.params as Record<string, string | undefined>;
      const m: StoredMessage = {
        sid: `SM${randomBytes(16).toString('hex')}`,
        accountSid,
        to: p.To!,
        from: p.From ?? null,
        messagingServiceSid: p.MessagingServiceSid ?? null,
        body: p.Body ?? '',
        status: p.MessagingServiceSid && !p.From ? 'accepted' : 'queued',
        createdAt: new Date(),
      };
      this.messages.push(m);
      rec.messageSid = m.sid;
      status = 201;
      body = this.resource(m);
    } else if (rec.operation === 'GET Message') {
      const m = this.messages.find((x) => x.sid === decodeURIComponent(one![2]!) && x.accountSid === accountSid);
      if (!m) return answer(404, twilioError(404, 20404, `The requested resource ${url.pathname} was not found`));
      status = 200;
      body = this.resource(m);
    } else {
      const checked = checkList(pairs);
      if (!checked.ok) return answer(checked.error.status, checked.error);
      rec.params = checked.params;
      const q = checked.params as Record<string, unknown>;
      const on = filterTime(q.DateSent);
      const before = filterTime(q['DateSent<']);
      const after = filterTime(q['DateSent>']);
      const day = 86_400_000;
      const found = this.messages
        .filter(
          (m) =>
            m.accountSid === accountSid &&
            (q.To === undefined || m.to === q.To) &&
            (q.From === undefined || m.from === q.From) &&
            (on === null || (m.createdAt.getTime() >= on && m.createdAt.getTime() < on + day)) &&
            (before === null || m.createdAt.getTime() < before + day) &&
            (after === null || m.createdAt.getTime() >= after),
        )
        // Newest first, as Twilio lists them.
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.sid < b.sid ? 1 : -1));
      const pageSize = Math.min(1000, Math.max(1, Number(q.PageSize ?? 50)));
      const page = Math.max(0, Number(q.Page ?? 0));
      const slice = found.slice(page * pageSize, (page + 1) * pageSize);
      const base = `/2010-04-01/Accounts/${accountSid}/Messages.json`;
      const query = (n: number) => {
        const s = new URLSearchParams(pairs.filter(([k]) => k !== 'Page' && k !== 'PageToken'));
        s.set('PageSize', String(pageSize));
        s.set('Page', String(n));
        return `${base}?${s.toString()}`;
      };
      status = 200;
      body = {
        messages: slice.map((m) => this.resource(m)),
        end: Math.max(0, page * pageSize + slice.length - 1),
        first_page_uri: query(0),
        next_page_uri: (page + 1) * pageSize < found.length ? `${query(page + 1)}&PageToken=PA${page + 1}` : null,
        page,
        page_size: pageSize,
        previous_page_uri: page > 0 ? query(page - 1) : null,
        start: page * pageSize,
        uri: `${base}?${url.search.slice(1)}`,
      };
    }
    if (fault === 'drop-after-apply' || fault === 'hang-after-apply') return this.cut(rec, res, fault, fault === 'hang-after-apply');
    answer(status, body);
  }

  /** Also, for a local Twilio run as a process: the messages it holds. */
  protected override control(method: string, path: string): unknown {
    return method === 'GET' && path === '/__local/messages' ? this.messages : undefined;
  }
}

/** Starts a local Twilio on loopback; `url` is what TAPLINE_TWILIO_URL should be. */
export async function startLocalTwilio(options: LocalTwilioOptions = {}): Promise<LocalTwilio> {
  prepareValidators();
  const twilio = new LocalTwilio(options);
  await twilio.listen(options);
  return twilio;
}
