import { PROTOCOL_VERSION, type TabsMessage } from '@tapline/shared';
import type { TabStore } from '../db/tab-store.ts';
import { Throttle } from './throttle.ts';

/** Builds the message for one terminal; called for each connected socket within one synchronous send. */
export type TabsFor = (terminalId: string) => TabsMessage;

/**
 * Venue-wide tabs for the terminals. Commits report the bands they touched; at most one round of `tabs` messages
 * goes out per interval, carrying every band touched since the last round, each message with its terminal's own
 * `committedSeq`. A terminal's tab for a band not in a message is still exact: the bands it holds changed only
 * through commits, and every commit's bands reach it in the next round (or in the full snapshot of a new connection).
 */
export class TabFeed {
  private touched = new Set<string>();
  private readonly throttle: Throttle;
  private closed = false;

  constructor(
    private readonly tabs: TabStore,
    private readonly send: (messageFor: TabsFor) => void,
    intervalMs = 100,
  ) {
    this.throttle = new Throttle(() => this.flush(), intervalMs);
  }

  /** The full snapshot a terminal gets when it connects. */
  snapshot(terminalId: string): TabsMessage {
    // Both reads in one synchronous block: no commit can land between the totals and the seq.
    const tabs = this.tabs.all();
    return { v: PROTOCOL_VERSION, full: true, committedSeq: this.tabs.committedSeq(terminalId), tabs };
  }

  touch(bandUids: Iterable<string>): void {
    // The shutdown's last group commit still reports its bands; the database is about to close under a late flush.
    if (this.closed) return;
    for (const b of bandUids) this.touched.add(b);
    if (this.touched.size > 0) this.throttle.trigger();
  }

  /** Sends the touched bands now (the throttle calls this). */
  flush(): void {
    if (this.closed || this.touched.size === 0) return;
    const bands = this.touched;
    this.touched = new Set();
    const tabs = this.tabs.of(bands);
    const seqs = new Map<string, number>();
    this.send((terminalId) => {
      let committedSeq = seqs.get(terminalId);
      if (committedSeq === undefined) {
        committedSeq = this.tabs.committedSeq(terminalId);
        seqs.set(terminalId, committedSeq);
      }
      return { v: PROTOCOL_VERSION, full: false, committedSeq, tabs };
    });
  }

  close(): void {
    this.closed = true;
    this.throttle.cancel();
  }
}
