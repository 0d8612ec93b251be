import { and, eq } from 'drizzle-orm';
import { tabs } from '../../src/db/schema.ts';
import type { CloudEvents, RunningCloud } from '../../src/start.ts';

export type TabRow = typeof tabs.$inferSelect;

/** Resolves with the first `name` event whose arguments `match`. Call before the action that causes it. */
export function nextEvent<K extends keyof CloudEvents>(
  cloud: RunningCloud,
  name: K,
  match: (...args: CloudEvents[K]) => boolean = () => true,
): Promise<CloudEvents[K]> {
  return new Promise((resolve) => {
    const listener = (...args: CloudEvents[K]) => {
      if (!match(...args)) return;
      (cloud.events.off as (n: K, l: typeof listener) => void)(name, listener);
      resolve(args);
    };
    (cloud.events.on as (n: K, l: typeof listener) => void)(name, listener);
  });
}

export async function readTab(cloud: RunningCloud, eventId: string, bandUid: string): Promise<TabRow | undefined> {
  const [row] = await cloud.database.db.select().from(tabs).where(and(eq(tabs.eventId, eventId), eq(tabs.bandUid, bandUid)));
  return row;
}

/**
 * The band's tab once it satisfies `ready`: checked now and after every recompute that covers the band (no polling).
 * A recompute job of the band moved to the dead letters rejects, so a test fails with its reason instead of hanging.
 */
export function tabWhere(cloud: RunningCloud, eventId: string, bandUid: string, ready: (tab: TabRow) => boolean): Promise<TabRow> {
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (err: Error | undefined, tab?: TabRow) => {
      if (done) return;
      done = true;
      cloud.events.off('tabs:recomputed', onRecomputed);
      cloud.events.off('jobs:failed', onFailed);
      if (err) reject(err);
      else resolve(tab!);
    };
    const check = () =>
      readTab(cloud, eventId, bandUid).then(
        (tab) => {
          if (tab && ready(tab)) finish(undefined, tab);
        },
        (err: Error) => finish(err),
      );
    const onRecomputed = (job: { eventId: string; bandUids: string[] }) => {
      if (job.eventId === eventId && job.bandUids.includes(bandUid)) void check();
    };
    const onFailed = (f: CloudEvents['jobs:failed'][0]) => {
      if (f.queue === 'tabs.recompute' && f.deadLettered) finish(new Error(`a tabs.recompute job was dead-lettered: ${f.error}`));
    };
    cloud.events.on('tabs:recomputed', onRecomputed);
    cloud.events.on('jobs:failed', onFailed);
    void check();
  });
}

/** Every value `name` emits from now on, for events that may come before the caller knows which one it wants. */
export function collect<K extends keyof CloudEvents>(cloud: RunningCloud, name: K) {
  const seen: CloudEvents[K][] = [];
  const waiters: { match: (args: CloudEvents[K]) => boolean; resolve: (args: CloudEvents[K]) => void }[] = [];
  const listener = (...args: CloudEvents[K]) => {
    seen.push(args);
    for (const w of [...waiters]) {
      if (w.match(args)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(args);
      }
    }
  };
  (cloud.events.on as (n: K, l: typeof listener) => void)(name, listener);
  return {
    seen,
    waitFor(match: (args: CloudEvents[K]) => boolean): Promise<CloudEvents[K]> {
      const found = seen.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
    stop: () => (cloud.events.off as (n: K, l: typeof listener) => void)(name, listener),
  };
}
