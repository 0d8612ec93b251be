import { eq } from 'drizzle-orm';
import type { TerminalDb } from './db/open.ts';
import { meta } from './db/schema.ts';

export type MetaKey =
  | 'hubUrl'
  | 'hubId'
  | 'terminalId'
  | 'token'
  | 'stationId'
  | 'configCursor'
  | 'lastAckAt'
  | 'terminalName'
  | 'tabsCommittedSeq'
  | 'tabsSeqFloor'
  /** JSON of the standing head office gave this terminal when it revoked it; absent while it may trade. */
  | 'revoked';

/** Key/value settings of this terminal, read through to SQLite (they change rarely, reads are cheap). */
export class MetaStore {
  constructor(private readonly db: TerminalDb) {}

  get(key: MetaKey): string | null {
    return this.db.select({ value: meta.value }).from(meta).where(eq(meta.key, key)).get()?.value ?? null;
  }

  set(key: MetaKey, value: string): void {
    this.db.insert(meta).values({ key, value }).onConflictDoUpdate({ target: meta.key, set: { value } }).run();
  }

  delete(key: MetaKey): void {
    this.db.delete(meta).where(eq(meta.key, key)).run();
  }

  setMany(values: Partial<Record<MetaKey, string>>): void {
    this.db.transaction(() => {
      for (const [k, v] of Object.entries(values)) if (v !== undefined) this.set(k as MetaKey, v);
    });
  }
}
