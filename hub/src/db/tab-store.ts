import type Database from 'better-sqlite3';
import type { BandTab } from '@tapline/shared';

/**
 * Reads of the venue-wide tabs (`band_tabs`, kept by OrderStore.insertFacts) and of how far each terminal's facts
 * have been committed. All synchronous: a caller that reads both without awaiting in between gets one consistent
 * moment, which is what a terminal's `committedSeq` needs to mean.
 */
export class TabStore {
  private readonly one: Database.Statement<[string], { total: number }>;
  private readonly nonZero: Database.Statement<[], BandTab>;
  private readonly maxSeq: Database.Statement<[string], { v: number }>;

  constructor(sqlite: Database.Database) {
    this.one = sqlite.prepare('SELECT total FROM band_tabs WHERE band_uid = ?');
    this.nonZero = sqlite.prepare('SELECT band_uid AS bandUid, total FROM band_tabs WHERE total != 0 ORDER BY band_uid');
    this.maxSeq = sqlite.prepare('SELECT coalesce(max(seq), 0) AS v FROM orders WHERE terminal_id = ?');
  }

  /** Every band with a non-zero tab. */
  all(): BandTab[] {
    return this.nonZero.all();
  }

  /** These bands' tabs, zero for a band with none (so a terminal overwrites what it held). */
  of(bandUids: Iterable<string>): BandTab[] {
    const out: BandTab[] = [];
    for (const bandUid of bandUids) out.push({ bandUid, total: this.one.get(bandUid)?.total ?? 0 });
    return out;
  }

  /** The highest seq of this terminal's facts in `orders` (0 if none). */
  committedSeq(terminalId: string): number {
    return this.maxSeq.get(terminalId)!.v;
  }
}
