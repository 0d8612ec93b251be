import type { TabsMessage } from '@tapline/shared';
import type { Statement } from 'better-sqlite3';
import type { TerminalDb } from './db/open.ts';
import type { MetaStore } from './meta-store.ts';

/**
 * The venue-wide tabs the hub sends, kept in SQLite (`venue_tabs`, and `tabsCommittedSeq` in meta) so a terminal
 * restarted while cut off from the hub still knows them. OrderStore.tabTotal adds this terminal's own facts the hub
 * had not committed yet, so a band cannot spend its limit once per bar.
 */
export class VenueTabs {
  private seq: number;
  private readonly st: { clear: Statement; upsert: Statement; setMeta: Statement; all: Statement };

  constructor(
    private readonly db: TerminalDb,
    private readonly meta: MetaStore,
  ) {
    const s = db.$client;
    this.st = {
      clear: s.prepare('DELETE FROM venue_tabs'),
      upsert: s.prepare('INSERT INTO venue_tabs (band_uid, total) VALUES (?, ?) ON CONFLICT(band_uid) DO UPDATE SET total = excluded.total'),
      setMeta: s.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
      all: s.prepare('SELECT band_uid AS bandUid, total FROM venue_tabs WHERE total != 0 ORDER BY band_uid'),
    };
    this.seq = Number(meta.get('tabsCommittedSeq') ?? 0);
  }

  /**
   * The seq up to which the hub's totals include this terminal's own facts. Read on every sale, so kept in memory;
   * it changes only together with the rows, in `apply`.
   */
  committedSeq(): number {
    return this.seq;
  }

  /** Full → the table becomes exactly `tabs`; partial → upsert. Rows and committedSeq change in one transaction. */
  apply(msg: TabsMessage): void {
    // After a re-pairing with the same hub, the facts made under the old identity are in the hub's totals although the
    // hub counts none of them as this identity's: the floor says so (see `paired`).
    const seq = Math.max(msg.committedSeq, Number(this.meta.get('tabsSeqFloor') ?? 0));
    this.db.$client.transaction(() => {
      if (msg.full) this.st.clear.run();
      for (const t of msg.tabs) this.st.upsert.run(t.bandUid, t.total);
      this.st.setMeta.run('tabsCommittedSeq', String(seq));
    })();
    this.seq = seq;
  }

  /**
   * After pairing. With the hub it was paired with before (every own fact acknowledged, since pairing again waits
   * for an empty outbox), the facts up to `lastOwnSeq` are in the hub's totals: they become the floor of every later
   * committedSeq, and what is stored stays valid. With another hub, nothing the old one said holds.
   */
  paired(sameHub: boolean, lastOwnSeq: number): void {
    this.db.$client.transaction(() => {
      if (sameHub) {
        this.st.setMeta.run('tabsSeqFloor', String(lastOwnSeq));
        return;
      }
      this.st.clear.run();
      this.st.setMeta.run('tabsSeqFloor', '0');
      this.st.setMeta.run('tabsCommittedSeq', '0');
    })();
    if (!sameHub) this.seq = 0;
  }

  /** Every band with a non-zero tab at the hub, as last said. */
  all(): Array<{ bandUid: string; total: number }> {
    return this.st.all.all() as Array<{ bandUid: string; total: number }>;
  }
}
