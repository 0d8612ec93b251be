import { DeskSearchResult } from '@tapline/shared';
import type { Statement } from 'better-sqlite3';
import type { TerminalDb } from './db/open.ts';

/** How many attendees a desk keeps: a long shift's searches, yet a small file and little personal data at rest. */
export const DESK_MEMORY_LIMIT = 500;

/**
 * The attendees this registration desk found at the hub, kept in the terminal's SQLite file (`desk_attendees`), so a
 * kiosk restarted mid-shift can still open and pair someone found before the restart. Only the most recent
 * `limit` stay; finding an attendee again makes them the most recent.
 */
export class DeskMemory {
  private readonly st: { upsert: Statement; prune: Statement; get: Statement; all: Statement; clear: Statement; top: Statement };

  constructor(
    private readonly db: TerminalDb,
    private readonly limit = DESK_MEMORY_LIMIT,
  ) {
    const s = db.$client;
    this.st = {
      top: s.prepare('SELECT COALESCE(MAX(seen), 0) AS top FROM desk_attendees'),
      upsert: s.prepare(
        'INSERT INTO desk_attendees (attendee_id, data, seen) VALUES (?, ?, ?) ON CONFLICT(attendee_id) DO UPDATE SET data = excluded.data, seen = excluded.seen',
      ),
      // Everything older than the `limit` most recent rows.
      prune: s.prepare('DELETE FROM desk_attendees WHERE seen <= (SELECT seen FROM desk_attendees ORDER BY seen DESC LIMIT 1 OFFSET ?)'),
      get: s.prepare('SELECT data FROM desk_attendees WHERE attendee_id = ?'),
      all: s.prepare('SELECT data FROM desk_attendees ORDER BY seen'),
      clear: s.prepare('DELETE FROM desk_attendees'),
    };
  }

  /** Keeps these attendees as the most recent (in the order given), in one transaction, and forgets the oldest. */
  remember(attendees: readonly DeskSearchResult[]): void {
    if (attendees.length === 0) return;
    this.db.$client.transaction(() => {
      let seen = (this.st.top.get() as { top: number }).top;
      for (const a of attendees) this.st.upsert.run(a.id, JSON.stringify(a), ++seen);
      this.st.prune.run(this.limit);
    })();
  }

  get(attendeeId: string): DeskSearchResult | undefined {
    const row = this.st.get.get(attendeeId) as { data: string } | undefined;
    return row && parse(row.data);
  }

  /** Oldest first, so replaying them into a map leaves the newest in place. */
  all(): DeskSearchResult[] {
    return (this.st.all.all() as Array<{ data: string }>).flatMap((r) => parse(r.data) ?? []);
  }

  /** Paired with another hub (another venue): nobody found at the old one belongs here. */
  clear(): void {
    this.st.clear.run();
  }
}

/** A row written by an older kiosk version that no longer fits the schema is skipped: a search finds them again. */
function parse(data: string): DeskSearchResult | undefined {
  try {
    const r = DeskSearchResult.safeParse(JSON.parse(data));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}
