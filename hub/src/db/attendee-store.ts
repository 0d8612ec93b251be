import type Database from 'better-sqlite3';
import { MAX_SEARCH_RESULTS, type DeskAttendee, type DeskSearchResult } from '@tapline/shared';

/** Case and accents folded away: "Émile" and "emile" are one word to a desk. */
export function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

export function nameWords(s: string): string[] {
  return fold(s)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

function reversed(s: string): string {
  return [...s].reverse().join('');
}

/** Above every character: `[p, p + TOP)` is "starts with p" as an index range (SQLite compares UTF-8 bytes). */
const TOP = '\u{10FFFF}';
/** Candidates a name's first word may bring before the other words filter them: bounds a one-letter search. */
const MAX_CANDIDATES = 5_000;

/**
 * The attendees a registration desk can find at the hub. Writes run inside the caller's transaction (a cloud config
 * page, or a group commit with a desk's signup), so an attendee and its search words are never half written.
 */
export class AttendeeStore {
  private readonly st;

  constructor(private readonly sqlite: Database.Database) {
    this.st = {
      get: sqlite.prepare<[string], { data: string; source: 'cloud' | 'venue'; seq: number }>('SELECT data, source, seq FROM attendees WHERE id = ?'),
      upsert: sqlite.prepare(
        `INSERT INTO attendees (id, event_id, data, source, email, phone_rev, confirmation_code, sort_name, seq)
         VALUES (@id, @eventId, @data, @source, @email, @phoneRev, @code, @sortName, @seq)
         ON CONFLICT(id) DO UPDATE SET event_id = excluded.event_id, data = excluded.data, source = excluded.source,
           email = excluded.email, phone_rev = excluded.phone_rev, confirmation_code = excluded.confirmation_code,
           sort_name = excluded.sort_name, seq = excluded.seq`,
      ),
      deleteWords: sqlite.prepare('DELETE FROM attendee_words WHERE attendee_id = ?'),
      insertWord: sqlite.prepare('INSERT OR IGNORE INTO attendee_words (word, attendee_id) VALUES (?, ?)'),
      byCode: sqlite.prepare<[string], { data: string; eventId: string }>('SELECT data, event_id AS eventId FROM attendees WHERE confirmation_code = ?'),
      byEmail: sqlite.prepare<[string, string, number], { data: string; eventId: string }>(
        'SELECT data, event_id AS eventId FROM attendees WHERE email >= ? AND email < ? ORDER BY email LIMIT ?',
      ),
      byPhone: sqlite.prepare<[string, string, number], { data: string; eventId: string }>(
        'SELECT data, event_id AS eventId FROM attendees WHERE phone_rev >= ? AND phone_rev < ? ORDER BY sort_name LIMIT ?',
      ),
      bandsOf: sqlite.prepare<[string], { uid: string; status: 'active' | 'blocked' }>(
        `SELECT key AS uid, json_extract(data, '$.status') AS status FROM config
         WHERE kind = 'band' AND json_extract(data, '$.attendeeId') = ? ORDER BY key`,
      ),
      count: sqlite.prepare<[], { n: number }>('SELECT count(*) AS n FROM attendees'),
    };
  }

  get(id: string): DeskAttendee | undefined {
    const row = this.st.get.get(id);
    return row ? (JSON.parse(row.data) as DeskAttendee) : undefined;
  }

  /**
   * The cloud's attendee, unless the hub holds a newer cloud entry for it (the same seq guard as config). It replaces
   * a walk-up the desk signed up: the cloud's has the confirmation code and card link.
   */
  putFromCloud(a: DeskAttendee, seq: number): boolean {
    const row = this.st.get.get(a.id);
    if (row && row.source === 'cloud' && row.seq > seq) return false;
    this.write(a, 'cloud', seq);
    return true;
  }

  /** A walk-up signed up at a desk: kept only if nothing is known of that id yet (the cloud's entity wins). */
  putFromVenue(a: DeskAttendee): boolean {
    if (this.st.get.get(a.id)) return false;
    this.write(a, 'venue', 0);
    return true;
  }

  count(): number {
    return this.st.count.get()!.n;
  }

  /**
   * A desk's search: an exact confirmation code (spaces, dashes and case ignored), an e-mail prefix, a phone number's
   * digits (what was typed may leave out the country code or start with a trunk 0), and names (every word typed is the
   * start of a word of the name).
   * Code matches come first, then e-mail (when the query has an @), phone and name matches; at most `limit`.
   */
  search(query: string, limit: number, eventId?: string): DeskSearchResult[] {
    const max = Math.max(1, Math.min(MAX_SEARCH_RESULTS, limit));
    const q = query.trim();
    const found = new Map<string, DeskAttendee>();
    const take = (rows: Array<{ data: string; eventId: string }>) => {
      for (const r of rows) {
        if (found.size >= max) return;
        if (eventId && r.eventId !== eventId) continue;
        const a = JSON.parse(r.data) as DeskAttendee;
        if (!found.has(a.id)) found.set(a.id, a);
      }
    };

    const email = () => {
      const e = q.toLowerCase();
      take(this.st.byEmail.all(e, e + TOP, max * 4));
    };
    // A code read off a printed confirmation is often typed in groups ("K7Q2 M9XA", "k7q2-m9xa").
    const code = q.replace(/[\s-]+/g, '').toUpperCase();
    if (/^[A-Z0-9]{8}$/.test(code)) take(this.st.byCode.all(code));
    if (q.includes('@')) email();
    const digits = q.replace(/\D/g, '').replace(/^0+/, '');
    if (/^[+\d\s().\-/]+$/.test(q) && digits.length >= 6) {
      const r = reversed(digits);
      take(this.st.byPhone.all(r, r + TOP, max * 4));
    }
    const words = [...new Set(nameWords(q))].slice(0, 5).sort((a, b) => b.length - a.length);
    if (words.length > 0 && found.size < max) take(this.byName(words, max * 4, eventId));
    // The start of an e-mail address without its @ ("jan.de"), after the names it may also be.
    if (!q.includes('@') && !/\s/.test(q) && q.length >= 3 && found.size < max) email();

    return [...found.values()].map((a) => ({ ...a, bands: this.st.bandsOf.all(a.id) }));
  }

  private byName(words: string[], limit: number, eventId?: string): Array<{ data: string; eventId: string }> {
    // The longest word picks the candidates through the index; each other word must start some word of the same name.
    const [first, ...rest] = words as [string, ...string[]];
    const params: unknown[] = [first, first + TOP, MAX_CANDIDATES];
    let sql = `SELECT a.data AS data, a.event_id AS eventId FROM attendees a
      WHERE a.id IN (SELECT attendee_id FROM attendee_words WHERE word >= ? AND word < ? LIMIT ?)`;
    for (const w of rest) {
      sql += ' AND EXISTS (SELECT 1 FROM attendee_words x WHERE x.attendee_id = a.id AND x.word >= ? AND x.word < ?)';
      params.push(w, w + TOP);
    }
    if (eventId) {
      sql += ' AND a.event_id = ?';
      params.push(eventId);
    }
    sql += ' ORDER BY a.sort_name, a.id LIMIT ?';
    params.push(limit);
    return this.sqlite.prepare(sql).all(...params) as Array<{ data: string; eventId: string }>;
  }

  private write(a: DeskAttendee, source: 'cloud' | 'venue', seq: number): void {
    const digits = a.phone ? a.phone.replace(/\D/g, '') : null;
    this.st.upsert.run({
      id: a.id,
      eventId: a.eventId,
      data: JSON.stringify(a),
      source,
      email: a.email ? a.email.toLowerCase() : null,
      phoneRev: digits ? reversed(digits) : null,
      code: a.confirmationCode,
      sortName: fold(`${a.lastName ?? ''} ${a.firstName}`.trim()),
      seq,
    });
    this.st.deleteWords.run(a.id);
    for (const w of new Set(nameWords(`${a.firstName} ${a.lastName ?? ''}`))) this.st.insertWord.run(w, a.id);
  }
}
