import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { checkSms, type SentSms, type SmsProvider, type SmsSendInput, type SmsSendResult } from './sms.ts';

/*
 * The demo's SMS provider: each message is written to the log instead of a phone. The sid comes from the
 * idempotency key when there is one (the same key gives the same sid, as a replay should) and the log shows a message
 * that was "sent" twice. Messages are kept in memory so findSent can answer for this process's life.
 */

const MAX_KEPT = 10_000;

export class LogSms implements SmsProvider {
  readonly kind = 'log' as const;
  private readonly sent: SentSms[] = [];
  private seq = 0;

  constructor(private readonly log: Logger) {}

  async send(input: SmsSendInput): Promise<SmsSendResult> {
    checkSms(input);
    const seed = input.idempotencyKey ?? `${process.pid}:${Date.now()}:${++this.seq}`;
    const sid = `SM${createHash('sha256').update(seed).digest('hex').slice(0, 32)}`;
    this.sent.push({ sid, to: input.to, body: input.body, status: 'sent', createdAt: new Date() });
    if (this.sent.length > MAX_KEPT) this.sent.shift();
    this.log.info({ provider: 'log', sid, to: input.to, body: input.body, idempotencyKey: input.idempotencyKey }, `SMS (log) to ${input.to}: ${input.body}`);
    return { sid, status: 'sent' };
  }

  async findSent(input: { to: string; since: Date; bodyIncludes: string }): Promise<SentSms[]> {
    return this.sent
      .filter((m) => m.to === input.to && m.body.includes(input.bodyIncludes) && (m.createdAt?.getTime() ?? 0) >= input.since.getTime())
      .map((m) => ({ ...m }));
  }
}
