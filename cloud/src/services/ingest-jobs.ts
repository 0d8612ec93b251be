import { type VenueFact, isRegistrationFact } from '@tapline/shared';
import type { Tx } from '../db/open.ts';
import type { JobQueue } from '../jobs/queue.ts';

/**
 * While the hub says more orders wait behind a push, its tab recompute waits up to this long for the rest of the
 * backlog to merge in; the push that says nothing more waits makes it due at once. A band's tab is always priced
 * from all its facts, so one recompute per push would reprice every stored order of the bands a push touches, again
 * and again: a drain's cost per order would grow with the backlog. With the wait, a drain shorter than this costs one
 * recompute, a longer one one per this many seconds, and a tab lags a draining backlog by at most this much (after an
 * outage it was behind by the whole outage anyway).
 */
export const TABS_DEFER_SECONDS = 30;

export type IngestQueue = Pick<JobQueue, 'enqueueTabsRecompute' | 'enqueueSmsReceipts'>;

/**
 * The jobs owed for the facts a push offered (`offered`; `stored` the ids it stored), in the push's transaction: per
 * event, one tab recompute of the bands of its stored sales and voids (merged into the event's waiting one when there
 * is one) and, when it has new sales, one SMS receipt job. An event whose facts were all stored before still gets
 * its waiting recompute made due once the hub says nothing more waits: a resent last batch must not leave it waiting.
 */
export async function enqueueIngestJobs(
  tx: Tx,
  queue: IngestQueue,
  offered: readonly VenueFact[],
  stored: ReadonlySet<string>,
  backlog: number | undefined,
): Promise<void> {
  const bandsByEvent = new Map<string, Set<string>>();
  const salesByEvent = new Map<string, string[]>();
  for (const f of offered) {
    if (isRegistrationFact(f)) continue;
    const bands = bandsByEvent.get(f.eventId) ?? new Set<string>();
    bandsByEvent.set(f.eventId, bands);
    if (!stored.has(f.id)) continue;
    bands.add(f.bandUid);
    if (f.kind !== 'sale') continue;
    const sales = salesByEvent.get(f.eventId) ?? [];
    sales.push(f.id);
    salesByEvent.set(f.eventId, sales);
  }
  const timing = { deferSeconds: backlog ? TABS_DEFER_SECONDS : 0 };
  // Events in a fixed order, so two pushes touching the same events lock their waiting jobs in the same order.
  for (const eventId of [...bandsByEvent.keys()].sort()) {
    const bands = bandsByEvent.get(eventId)!;
    if (bands.size === 0 && backlog) continue;
    await queue.enqueueTabsRecompute(tx, { eventId, bandUids: [...bands].sort() }, timing);
  }
  // The SMS receipts of the new sales, committed with them: a sale stored is a receipt owed, once.
  for (const eventId of [...salesByEvent.keys()].sort()) {
    await queue.enqueueSmsReceipts(tx, { eventId, orderIds: salesByEvent.get(eventId)!.sort() });
  }
}
