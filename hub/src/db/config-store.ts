import type Database from 'better-sqlite3';
import { ne, sql } from 'drizzle-orm';
import { ConfigEntity, configKey, type ConfigChange, type TerminalStanding } from '@tapline/shared';
import type { AttendeeStore } from './attendee-store.ts';
import type { BandState } from './band-state.ts';
import { getMeta, setMeta } from './meta-store.ts';
import type { HubDrizzle } from './open.ts';
import { config } from './schema.ts';

const CURSOR_KEY = 'configCursor';

export function configCursor(db: HubDrizzle): number {
  return Number(getMeta(db, CURSOR_KEY) ?? 0);
}

/** Every configuration entity the hub has been sent that terminals use, for a terminal's full snapshot. */
export function allConfigEntities(db: HubDrizzle): ConfigEntity[] {
  return db
    .select({ kind: config.kind, data: config.data })
    .from(config)
    // Terminal standings are the hub's business: a terminal never learns which of its peers are revoked.
    .where(ne(config.kind, 'terminal'))
    .orderBy(config.seq)
    .all()
    .map((r) => ({ kind: r.kind, data: JSON.parse(r.data) }) as ConfigEntity);
}

/**
 * Compiled once per database, on better-sqlite3 directly: every push asks (a revoked terminal's pushes are refused),
 * and building the query per call cost more than the read.
 */
const standingStatements = new WeakMap<Database.Database, Database.Statement<[string], { data: string }>>();

/** Head office's latest word on this terminal, or undefined if it never said anything. */
export function terminalStanding(db: HubDrizzle, terminalId: string): TerminalStanding | undefined {
  let st = standingStatements.get(db.$client);
  if (!st) standingStatements.set(db.$client, (st = db.$client.prepare(`SELECT data FROM config WHERE kind = 'terminal' AND key = ?`)));
  const row = st.get(terminalId);
  return row ? (JSON.parse(row.data) as TerminalStanding) : undefined;
}

export interface Registration {
  attendees: AttendeeStore;
  bands: BandState;
}

export interface PageContext {
  /** The pull generation this page belongs to (see PullGeneration). */
  gen: number;
  /** The last page of the pull: the hub now holds everything the cloud had when it answered. */
  caughtUp: boolean;
}

/**
 * Upserts a page of cloud changes and moves the cursor in one transaction, so a crash never leaves
 * the cursor ahead of the data. An older change never overwrites a newer one (seq guard).
 * Attendees are kept for desks to search and never go to terminals; bands go through BandState, so a venue fact the
 * cloud has not received stays on top. Returns what terminals must be sent: the bands as they now see them.
 */
export function applyConfigChanges(
  db: HubDrizzle,
  changes: readonly ConfigChange[],
  cursor: number,
  reg: Registration,
  page: PageContext = { gen: 0, caughtUp: false },
): ConfigEntity[] {
  return db.transaction((tx) => {
    const out = new Map<string, ConfigEntity>();
    const band = (data: Extract<ConfigEntity, { kind: 'band' }>['data']) => out.set(`band:${data.uid}`, { kind: 'band', data });
    for (const c of changes) {
      if (c.entity.kind === 'attendee') {
        if (reg.attendees.putFromCloud(c.entity.data, c.seq)) reg.bands.refreshAttendee(c.entity.data).forEach(band);
        continue;
      }
      if (c.entity.kind === 'band') {
        const next = reg.bands.applyCloudBand(c.entity.data, c.seq);
        if (next) band(next);
        continue;
      }
      if (c.entity.kind !== 'terminal') out.set(`${c.entity.kind}:${configKey(c.entity)}`, c.entity);
      tx.insert(config)
        .values({ kind: c.entity.kind, key: configKey(c.entity), data: JSON.stringify(c.entity.data), seq: c.seq })
        .onConflictDoUpdate({
          target: [config.kind, config.key],
          set: { data: sql`excluded.data`, seq: sql`excluded.seq` },
          setWhere: sql`excluded.seq >= ${config.seq}`,
        })
        .run();
    }
    if (page.caughtUp) reg.bands.resolveAcked(page.gen).forEach(band);
    setMeta(tx, CURSOR_KEY, String(cursor));
    return [...out.values()];
  });
}
