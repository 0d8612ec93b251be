/*
 * What the SMS receipt and bulk jobs need from an SMS gateway.
 *
 * Twilio has no idempotency keys, so "one SMS per order, even when a worker dies mid-send" has to come from the job:
 * record the attempt before calling `send`, store the returned sid in the same place, and never call `send` again for
 * an attempt whose outcome is unknown. `SmsProviderError.mayHaveSent` says which failures leave it unknown (the
 * request may have reached the gateway: a timeout, a reset connection, a 5xx); `findSent` lets the job look for the
 * message at the gateway before it decides. `idempotencyKey` is used by providers that can (the log provider derives
 * its sid from it); Twilio ignores it.
 */

export interface SmsSendInput {
  /** E.164, e.g. +447700900123. */
  to: string;
  body: string;
  idempotencyKey?: string;
}

export interface SmsSendResult {
  /** The gateway's message id (Twilio: SM…); store it with the attempt. */
  sid: string;
  /** Twilio's status at creation: queued, accepted, scheduled, sending, sent, … */
  status: string;
}

export interface SentSms {
  sid: string;
  to: string;
  body: string;
  status: string;
  /** When the gateway created it. */
  createdAt: Date | null;
}

export interface SmsProvider {
  readonly kind: 'twilio' | 'log';
  send(input: SmsSendInput): Promise<SmsSendResult>;
  /**
   * Messages to `to` created at or after `since` whose body contains `bodyIncludes` (e.g. the tab link, which is
   * unique per order): the way to settle an attempt whose outcome is unknown.
   */
  findSent(input: { to: string; since: Date; bodyIncludes: string }): Promise<SentSms[]>;
}

export type SmsErrorCode =
  /** The number is not one an SMS can go to (checked before any request). */
  | 'sms_invalid_recipient'
  /** Empty or longer than the gateway takes. */
  | 'sms_invalid_message'
  /** The gateway refused the request (4xx other than 401/403/429). */
  | 'sms_rejected'
  | 'sms_auth_failed'
  | 'sms_rate_limited'
  /** The gateway answered 5xx. */
  | 'sms_provider_failed'
  /** No answer: refused, reset, timed out. */
  | 'sms_provider_unreachable';

export class SmsProviderError extends Error {
  override readonly name = 'SmsProviderError';
  constructor(
    readonly code: SmsErrorCode,
    message: string,
    readonly details: {
      /** Another try later may work (it may also send twice when mayHaveSent: check findSent first). */
      retryable: boolean;
      /** The request may have reached the gateway, so the message may exist. */
      mayHaveSent: boolean;
      status?: number;
      /** Twilio's numeric error code (21211 invalid To, 21610 unsubscribed, …). */
      providerCode?: number;
      cause?: unknown;
    },
  ) {
    super(message, { cause: details.cause });
  }

  get retryable(): boolean {
    return this.details.retryable;
  }

  get mayHaveSent(): boolean {
    return this.details.mayHaveSent;
  }
}

const E164 = /^\+[1-9]\d{6,14}$/;
/** Twilio's limit for one message body (it splits into segments below that). */
export const MAX_SMS_BODY = 1600;

/** Checks what can be checked without a gateway, so a bad number never costs a request. */
export function checkSms(input: SmsSendInput): void {
  if (!E164.test(input.to)) {
    throw new SmsProviderError('sms_invalid_recipient', `"${input.to}" is not a phone number in international form (like +447700900123), so no SMS was sent.`, {
      retryable: false,
      mayHaveSent: false,
    });
  }
  if (input.body.trim() === '' || input.body.length > MAX_SMS_BODY) {
    throw new SmsProviderError('sms_invalid_message', `An SMS body must have 1 to ${MAX_SMS_BODY} characters (this one has ${input.body.length}), so no SMS was sent.`, {
      retryable: false,
      mayHaveSent: false,
    });
  }
}
