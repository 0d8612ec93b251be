import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../db/open.ts';
import { smsMessages } from '../db/schema.ts';
import { type SmsProvider, SmsProviderError } from '../providers/sms.ts';
import { type JobFailure, PermanentJobError, type ProcessorOptions, startProcessor } from './processor.ts';
import { type JobQueue, QUEUES, type SmsMessageJob } from './queue.ts';

/*
 * One SMS, never two, even when a worker dies mid-send.
 *
 * Twilio has no idempotency keys, so the guarantee is built here, on the message's row:
 *
 *   pending ──claim──► sending ──gateway accepted──► sent
 *                        │ (committed BEFORE the gateway is called, with a lease and the time of the first send)
 *                        └──► worker died / answer lost: the row stays `sending`
 *
 * - A row is claimed under a row lock: `sending`, `attempts + 1`, a lease (now + leaseSeconds), `first_send_at` kept
 *   from the first claim. The claim commits before the gateway is called, so a crash after Twilio accepted the message
 *   can never leave a row that looks unsent.
 * - An attempt that finds `sending` with a live lease backs off (a send may be in flight: asking Twilio now could miss
 *   it). The lease is longer than the gateway's timeout and the job's, so once it has passed, no earlier request of
 *   ours can still be making the message.
 * - An attempt that finds `sending` (or `unknown`) with the lease passed asks the gateway first: `findSent` for
 *   messages to that number since `first_send_at` whose body holds the row's reference (printed in every body, unique
 *   per message). Found: the row becomes `sent` with that sid and nothing is sent. Not found: it is sent now.
 * - A failure that cannot have sent anything (`mayHaveSent: false`: refused, bad number, connection refused) puts the
 *   row back to `pending`; one that may have (timeout, reset, 5xx) keeps it `sending` with the lease dropped, so the
 *   retry asks the gateway first.
 * - A job given up on leaves `failed` (nothing went out) or `unknown` (something may have). Head office's retry of the
 *   dead letter runs the same rules: a `unknown` row is looked up before anything is sent.
 *
 * What remains is the gateway's own window: a message Twilio accepted but does not yet list. Its list is read well
 * after the lease, which is far longer than that.
 */

export interface SmsSettled {
  messageId: string;
  status: 'sent' | 'failed';
  sid: string | null;
  /** true when an earlier attempt's message was found at the gateway instead of sending again. */
  found: boolean;
}

/** Another attempt may be sending this message right now: try again after its lease. */
export class SmsBusyError extends Error {
  readonly code = 'sms_in_flight';
  constructor(messageId: string, leaseUntil: string) {
    super(`SMS ${messageId} may be being sent by another attempt until ${leaseUntil}; it will be tried again after that.`);
    this.name = 'SmsBusyError';
  }
}

type Row = typeof smsMessages.$inferSelect;

/** What a claim found for one message: claimed (to send, or to settle first), already sent, or an error for its job. */
type Claim = { row: Row; settle: boolean } | { done: Row } | { error: Error };

/**
 * Claims messages in one transaction: their rows locked (in id order, so two waves cannot deadlock), the claimable
 * ones moved to `sending` by one UPDATE. The claim commits before any of them is sent.
 */
async function claimMany(db: Db, messageIds: readonly string[], leaseSeconds: number): Promise<Map<string, Claim>> {
  return db.transaction(async (tx) => {
    const found = await tx
      .select({ row: smsMessages, leased: sql<boolean>`coalesce(${smsMessages.leaseUntil} > now(), false)` })
      .from(smsMessages)
      .where(inArray(smsMessages.id, [...messageIds]))
      .orderBy(smsMessages.id)
      .for('update');
    const byId = new Map(found.map((f) => [f.row.id, f]));
    const claims = new Map<string, Claim>();
    const claimable: string[] = [];
    for (const id of messageIds) {
      const f = byId.get(id);
      if (!f) claims.set(id, { error: new PermanentJobError('unknown_sms', `There is no SMS ${id} to send.`) });
      else if (f.row.status === 'sent') claims.set(id, { done: f.row });
      else if (f.row.status === 'sending' && f.leased) claims.set(id, { error: new SmsBusyError(id, f.row.leaseUntil!) });
      else claimable.push(id);
    }
    if (claimable.length) {
      const claimed = await tx
        .update(smsMessages)
        .set({
          status: 'sending',
          attempts: sql`${smsMessages.attempts} + 1`,
          leaseUntil: sql`now() + make_interval(secs => ${leaseSeconds})`,
          firstSendAt: sql`coalesce(${smsMessages.firstSendAt}, now())`,
          updatedAt: sql`now()`,
        })
        .where(inArray(smsMessages.id, claimable))
        .returning();
      for (const row of claimed) {
        const before = byId.get(row.id)!.row.status;
        claims.set(row.id, { row, settle: before === 'sending' || before === 'unknown' });
      }
    }
    return claims;
  });
}

/** Settles messages the gateway accepted, in one UPDATE (`unknown` too: a job given up on while this one was sending). */
async function markSentMany(db: Db, sent: readonly { messageId: string; sid: string }[]): Promise<void> {
  if (!sent.length) return;
  const values = sql.join(
    sent.map((m) => sql`(${m.messageId}::uuid, ${m.sid})`),
    sql`, `,
  );
  await db.execute(sql`
    update ${smsMessages} set status = 'sent', sid = v.sid, lease_until = null, error_code = null, error = null, updated_at = now()
    from (values ${values}) as v(id, sid)
    where ${smsMessages.id} = v.id and ${smsMessages.status} in ('sending', 'unknown')`);
}

async function markFailedAttempt(db: Db, messageId: string, status: 'pending' | 'sending' | 'failed', err: { code: string | null; message: string }): Promise<void> {
  await db
    .update(smsMessages)
    .set({ status, leaseUntil: status === 'sending' ? sql`now()` : null, errorCode: err.code, error: err.message, updatedAt: sql`now()` })
    .where(and(eq(smsMessages.id, messageId), eq(smsMessages.status, 'sending')));
}

export interface SendOneOptions {
  sms: SmsProvider;
  leaseSeconds: number;
  log: Logger;
}

/** A claimed message's send (or settling): the gateway's sid to mark sent, or a throw for its job. No sent mark here. */
async function deliver(db: Db, row: Row, settle: boolean, options: SendOneOptions): Promise<{ sid: string; found: boolean }> {
  const { sms, log } = options;
  const messageId = row.id;
  if (settle) {
    let found;
    try {
      found = await sms.findSent({ to: row.toPhone, since: new Date(row.firstSendAt!), bodyIncludes: row.reference });
    } catch (err) {
      // Nothing was sent by this attempt: drop the lease so the retry need not wait, and keep the row `sending`.
      await markFailedAttempt(db, messageId, 'sending', { code: (err as { code?: string }).code ?? null, message: (err as Error).message });
      throw err;
    }
    if (found.length > 0) {
      if (found.length > 1) log.error({ messageId, sids: found.map((f) => f.sid) }, 'the gateway holds more than one copy of an SMS');
      log.info({ messageId, sid: found[0]!.sid, attempts: row.attempts }, 'SMS found at the gateway from an earlier attempt; not sent again');
      return { sid: found[0]!.sid, found: true };
    }
    log.info({ messageId, attempts: row.attempts }, 'an earlier attempt of this SMS did not reach the gateway; sending it now');
  }

  let result;
  try {
    result = await sms.send({ to: row.toPhone, body: row.body, idempotencyKey: `sms-${messageId}` });
  } catch (err) {
    if (err instanceof SmsProviderError && !err.mayHaveSent) {
      if (!err.retryable) {
        await markFailedAttempt(db, messageId, 'failed', { code: err.code, message: err.message });
        throw new PermanentJobError(err.code, err.message);
      }
      await markFailedAttempt(db, messageId, 'pending', { code: err.code, message: err.message });
      throw err;
    }
    // It may have gone out: stay `sending`, so the next attempt looks for it before sending.
    await markFailedAttempt(db, messageId, 'sending', { code: (err as { code?: string }).code ?? null, message: (err as Error).message });
    throw err;
  }
  return { sid: result.sid, found: false };
}

/**
 * Sends (or settles) a wave of messages by the rules above: one transaction claims them all, their sends run at once,
 * one UPDATE marks the accepted ones sent. Each message gets its outcome: settled, or the error its job fails with.
 * A crash between the sends and the mark leaves rows `sending`, which a later attempt settles from the gateway.
 */
export async function sendWave(db: Db, messageIds: readonly string[], options: SendOneOptions): Promise<Map<string, SmsSettled | Error>> {
  // One send per message, however many jobs name it (a dead letter retried beside its original).
  const unique = [...new Set(messageIds)];
  const claims = await claimMany(db, unique, options.leaseSeconds);
  const outcomes = new Map<string, SmsSettled | Error>();
  const sent: { messageId: string; sid: string; found: boolean }[] = [];
  await Promise.all(
    unique.map(async (messageId) => {
      const claim = claims.get(messageId)!;
      if ('error' in claim) return void outcomes.set(messageId, claim.error);
      if ('done' in claim) return void outcomes.set(messageId, { messageId, status: 'sent', sid: claim.done.sid, found: false });
      try {
        sent.push({ messageId, ...(await deliver(db, claim.row, claim.settle, options)) });
      } catch (error) {
        outcomes.set(messageId, error instanceof Error ? error : new Error(String(error)));
      }
    }),
  );
  await markSentMany(db, sent);
  for (const m of sent) outcomes.set(m.messageId, { messageId: m.messageId, status: 'sent', sid: m.sid, found: m.found });
  return outcomes;
}

/** Sends (or settles) one message by the rules above. Throws to have the job retried. */
export async function sendOne(db: Db, messageId: string, options: SendOneOptions): Promise<SmsSettled> {
  const outcome = (await sendWave(db, [messageId], options)).get(messageId)!;
  if (outcome instanceof Error) throw outcome;
  return outcome;
}

/** Messages of a batch in flight at once: the size of a wave (see `sendWave`). */
export const SEND_LANES = 8;

export interface SmsMessageWorkerOptions {
  log: Logger;
  pollingIntervalSeconds: number;
  sms: SmsProvider;
  /** Longer than the gateway's timeout and the job's (sms.message expireInSeconds). */
  leaseSeconds: number;
  batchSize?: number;
  /** Messages in flight at once, claimed together (default SEND_LANES). */
  lanes?: number;
  onSettled?: (s: SmsSettled) => void;
  onFailed?: ProcessorOptions['onFailed'];
}

/** The SMS sender: a batch of messages at a time, each on its own. */
export function startSmsMessageWorker(queue: JobQueue, db: Db, options: SmsMessageWorkerOptions): Promise<string> {
  return startProcessor<SmsMessageJob>(
    queue,
    {
      queue: QUEUES.smsMessage,
      // pg-boss waits a polling interval between fetches even when busy: a big batch keeps a bulk send moving,
      // and waves of a few messages inside it keep the gateway busy without a burst.
      batchSize: options.batchSize ?? 50,
      async run(jobs, signal) {
        const failures: JobFailure[] = [];
        const wave = options.lanes ?? SEND_LANES;
        // Waves of `lanes` messages: each claimed in one transaction right before its sends (so every send starts
        // within its lease) and marked sent in one statement: a handful of queries a wave instead of four a message.
        for (let i = 0; i < jobs.length && !signal.aborted; i += wave) {
          // PGlite and the log provider answer without any I/O: a turn of the event loop per wave keeps the API answering.
          await new Promise<void>((resolve) => setImmediate(resolve));
          const part = jobs.slice(i, i + wave);
          const outcomes = await sendWave(db, part.map((j) => j.data.messageId), options);
          for (const job of part) {
            const outcome = outcomes.get(job.data.messageId)!;
            if (outcome instanceof Error) failures.push({ jobId: job.id, error: outcome });
            else options.onSettled?.(outcome);
          }
        }
        return failures;
      },
      async onGivenUp(job, error) {
        // `failed` when nothing can have gone out, `unknown` when something may have: a retry will look it up first.
        await db
          .update(smsMessages)
          .set({
            status: sql`case when ${smsMessages.status} = 'sending' then 'unknown' else 'failed' end`,
            leaseUntil: null,
            error: error instanceof Error ? error.message : String(error),
            updatedAt: sql`now()`,
          })
          .where(and(eq(smsMessages.id, job.data.messageId), sql`${smsMessages.status} in ('pending', 'sending')`));
        const [row] = await db.select({ status: smsMessages.status }).from(smsMessages).where(eq(smsMessages.id, job.data.messageId));
        if (row?.status === 'failed') options.onSettled?.({ messageId: job.data.messageId, status: 'failed', sid: null, found: false });
      },
    },
    { log: options.log, pollingIntervalSeconds: options.pollingIntervalSeconds, onFailed: options.onFailed },
  );
}
