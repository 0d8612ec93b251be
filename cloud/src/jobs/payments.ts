import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../db/open.ts';
import { queryRows } from '../db/raw-sql.ts';
import { authorizeTab, captureTab, type CaptureOutcome, type HoldOutcome, tabRef, type TabPaymentDeps } from '../services/tab-payments.ts';
import { type JobFailure, type ProcessorOptions, startProcessor } from './processor.ts';
import { BOSS_SCHEMA, type JobQueue, QUEUES, type TabPaymentJob } from './queue.ts';

/*
 * The payment sweeper and its two workers. The sweeper (payments.sweep, sent every sweepIntervalSeconds by start.ts
 * and once at start) only decides which tabs need work and sends one job per tab; the workers do the work, each call
 * to Stripe by the attempt protocol of services/tab-payments.ts. The sweep also finds attempts left `pending` by a
 * worker that died, so a crash is resumed within one sweep interval (besides pg-boss retrying the dead job itself once
 * its timeout has passed).
 */

interface TabRow {
  event_id: string;
  band_uid: string;
}

/** Tabs of events about to start or running that need a hold, a renewed one, or an old one released. */
async function tabsToAuthorize(db: Db, s: TabPaymentDeps['settings']): Promise<TabRow[]> {
  return queryRows<TabRow>(
    db,
    sql`select b.event_id, b.uid as band_uid
        from bands b
        join events e on e.id = b.event_id
        join attendees a on a.event_id = b.event_id and a.id = b.attendee_id
        left join tab_payments tp on tp.event_id = b.event_id and tp.band_uid = b.uid
        left join tabs t on t.event_id = b.event_id and t.band_uid = b.uid
        left join payments h on h.id = tp.hold_payment_id
        where (e.data->>'startsAt')::timestamptz <= now() + make_interval(hours => ${s.authLeadHours})
          and (e.data->>'endsAt')::timestamptz > now()
          and a.card_status = 'ready' and a.stripe_customer_id is not null and a.stripe_payment_method_id is not null
          and (b.status = 'active' or coalesce(t.total, 0) > 0)
          and (tp.event_id is null
            or tp.status = 'authorizing'
            or (tp.status = 'declined' and tp.payment_method_id is distinct from a.stripe_payment_method_id)
            or (tp.status = 'authorized' and (h.id is null or h.released_at is not null
              or coalesce(h.held_at, h.created_at) <= now() - make_interval(hours => ${s.holdLifetimeHours - s.renewBeforeHours})
              or coalesce(t.total, 0) > h.amount)))
        union
        select p.event_id, p.band_uid from payments p
        where p.status = 'pending' and p.kind in ('authorize', 'cancel')
        union
        select p.event_id, p.band_uid from payments p
        join tab_payments tp on tp.event_id = p.event_id and tp.band_uid = p.band_uid
        where p.kind = 'authorize' and p.status = 'succeeded' and p.released_at is null
          and p.id is distinct from tp.hold_payment_id`,
  );
}

/** Tabs of events that ended (plus the capture delay) and are not settled yet, and captures or refunds left pending. */
async function tabsToCapture(db: Db, s: TabPaymentDeps['settings']): Promise<TabRow[]> {
  return queryRows<TabRow>(
    db,
    sql`select b.event_id, b.uid as band_uid
        from bands b
        join events e on e.id = b.event_id
        left join attendees a on a.event_id = b.event_id and a.id = b.attendee_id
        left join tab_payments tp on tp.event_id = b.event_id and tp.band_uid = b.uid
        where (e.data->>'endsAt')::timestamptz <= now() - make_interval(hours => ${s.captureDelayHours})
          and (e.data->>'endsAt')::timestamptz > now() - make_interval(days => ${s.captureWindowDays})
          and ((tp.event_id is null and a.card_status = 'ready')
            or tp.status in ('authorized', 'authorizing')
            -- declined with a hold still live (a renewal was refused): capture what the hold covers
            or (tp.status = 'declined' and tp.hold_payment_id is not null)
            or (tp.status = 'declined' and a.card_status = 'ready' and tp.payment_method_id is distinct from a.stripe_payment_method_id))
        union
        select p.event_id, p.band_uid from payments p where p.status = 'pending' and p.kind in ('capture', 'refund')`,
  );
}

export interface SweepResult {
  authorize: number;
  capture: number;
}

/** One sweep: sends a payments.authorize or payments.capture job per tab that needs one (at most one per tab per interval). */
export async function sweepPayments(db: Db, queue: JobQueue, settings: TabPaymentDeps['settings']): Promise<SweepResult> {
  // A tab whose job is still waiting (or backing off after a failure, say while Stripe is down) gets no other: jobs
  // must not pile up one per sweep. An `active` one does not count: its worker may have died, which is what the
  // sweep is here to recover from (a second worker on the same tab is safe).
  const waiting = new Set(
    (
      await queryRows<{ name: string; event_id: string; band_uid: string }>(
        db,
        sql`select name, data->>'eventId' as event_id, data->>'bandUid' as band_uid from ${sql.raw(BOSS_SCHEMA)}.job
            where name in (${QUEUES.paymentsAuthorize}, ${QUEUES.paymentsCapture}) and state in ('created', 'retry')`,
      )
    ).map((r) => `${r.name}|${r.event_id}|${r.band_uid}`),
  );
  const key = (r: TabRow) => `${r.event_id}|${r.band_uid}`;
  const toCapture = (await tabsToCapture(db, settings)).filter((r) => !waiting.has(`${QUEUES.paymentsCapture}|${key(r)}`));
  const capturing = new Set(toCapture.map(key));
  const toAuthorize = (await tabsToAuthorize(db, settings)).filter((r) => !capturing.has(key(r)) && !waiting.has(`${QUEUES.paymentsAuthorize}|${key(r)}`));
  // A job per tab per slot: a sweep that comes round while the last one's jobs still wait adds nothing.
  const jobs = (name: string, rows: TabRow[]) =>
    rows.map((r) => ({
      name,
      data: { eventId: r.event_id, bandUid: r.band_uid } satisfies TabPaymentJob,
      singletonKey: tabRef({ eventId: r.event_id, bandUid: r.band_uid }),
      singletonSeconds: Math.max(1, Math.round(settings.sweepIntervalSeconds)),
    }));
  const all = [...jobs(QUEUES.paymentsAuthorize, toAuthorize), ...jobs(QUEUES.paymentsCapture, toCapture)];
  for (let i = 0; i < all.length; i += 1000) await queue.sendMany(db, all.slice(i, i + 1000));
  return { authorize: toAuthorize.length, capture: toCapture.length };
}

export type PaymentDone =
  | ({ job: 'authorize' } & TabPaymentJob & HoldOutcome)
  | ({ job: 'capture' } & TabPaymentJob & CaptureOutcome);

export interface PaymentWorkersOptions {
  log: Logger;
  pollingIntervalSeconds: number;
  deps: TabPaymentDeps;
  onSwept?: (r: SweepResult) => void;
  onDone?: (r: PaymentDone) => void;
  onFailed?: ProcessorOptions['onFailed'];
}

export async function startPaymentWorkers(queue: JobQueue, db: Db, options: PaymentWorkersOptions): Promise<void> {
  const processorOptions = { log: options.log, pollingIntervalSeconds: options.pollingIntervalSeconds, onFailed: options.onFailed };
  await startProcessor<object>(
    queue,
    {
      queue: QUEUES.paymentsSweep,
      async run() {
        const r = await sweepPayments(db, queue, options.deps.settings);
        if (r.authorize || r.capture) options.log.info(r, 'payment sweep sent jobs');
        options.onSwept?.(r);
      },
    },
    processorOptions,
  );
  const tabWorker = (name: string, work: (job: TabPaymentJob, origin: { fromSweep: boolean }) => Promise<PaymentDone>) =>
    startProcessor<TabPaymentJob>(
      queue,
      {
        queue: name,
        batchSize: 5,
        async run(jobs) {
          const failures: JobFailure[] = [];
          // Tabs are independent; a handful at a time keeps Stripe busy without a burst. Two jobs for the same tab
          // in one batch (two sweeps' worth) share one run.
          const runs = new Map<string, Promise<PaymentDone>>();
          await Promise.all(
            jobs.map(async (job) => {
              const key = tabRef(job.data);
              const first = !runs.has(key);
              // Only the sweeper's jobs carry a singleton key; a job without one is head office retrying.
              if (first) runs.set(key, work(job.data, { fromSweep: job.singletonKey != null }));
              try {
                const result = await runs.get(key)!;
                if (first) options.onDone?.(result);
              } catch (error) {
                failures.push({ jobId: job.id, error });
              }
            }),
          );
          return failures;
        },
      },
      processorOptions,
    );
  await tabWorker(QUEUES.paymentsAuthorize, async (t, origin) => ({ job: 'authorize', ...t, ...(await authorizeTab(options.deps, t, origin)) }));
  await tabWorker(QUEUES.paymentsCapture, async (t) => ({ job: 'capture', ...t, ...(await captureTab(options.deps, t)) }));
}
