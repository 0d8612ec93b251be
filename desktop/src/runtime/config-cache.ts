import { configKey, type ConfigEntity, type ConfigKind, type ConfigMessage } from '@tapline/shared';
import type { TerminalDb } from './db/open.ts';
import { config, meta } from './db/schema.ts';

type DataOf<K extends ConfigKind> = Extract<ConfigEntity, { kind: K }>['data'];

/**
 * The configuration the hub sent, kept in SQLite (so a restarted terminal can trade before the hub is back) and
 * mirrored in memory (so approving a sale reads no disk).
 */
export class ConfigCache {
  private readonly byKind = new Map<ConfigKind, Map<string, unknown>>();
  /** attendeeId → the uids of the bands paired to them: spending limits hold over an attendee's every band. */
  private readonly bandsByAttendee = new Map<string, Set<string>>();

  constructor(private readonly db: TerminalDb) {
    for (const row of db.select().from(config).all()) {
      this.set(row.kind as ConfigKind, row.key, JSON.parse(row.data));
    }
  }

  /** Full → the cache becomes exactly `entities`; partial → upsert. Cursor and rows change in one transaction. */
  apply(msg: ConfigMessage): void {
    this.db.transaction((tx) => {
      if (msg.full) tx.delete(config).run();
      for (const e of msg.entities) {
        const row = { kind: e.kind, key: configKey(e), data: JSON.stringify(e.data) };
        tx.insert(config)
          .values(row)
          .onConflictDoUpdate({ target: [config.kind, config.key], set: { data: row.data } })
          .run();
      }
      const cursor = String(msg.cursor);
      tx.insert(meta)
        .values({ key: 'configCursor', value: cursor })
        .onConflictDoUpdate({ target: meta.key, set: { value: cursor } })
        .run();
    });
    if (msg.full) {
      this.byKind.clear();
      this.bandsByAttendee.clear();
    }
    for (const e of msg.entities) this.set(e.kind, configKey(e), e.data);
  }

  /** The uids of the cached bands paired to this attendee. */
  bandsOf(attendeeId: string): string[] {
    return [...(this.bandsByAttendee.get(attendeeId) ?? [])];
  }

  get<K extends ConfigKind>(kind: K, key: string): DataOf<K> | undefined {
    return this.byKind.get(kind)?.get(key) as DataOf<K> | undefined;
  }

  all<K extends ConfigKind>(kind: K): DataOf<K>[] {
    return [...(this.byKind.get(kind)?.values() ?? [])] as DataOf<K>[];
  }

  hasEvent(): boolean {
    return (this.byKind.get('event')?.size ?? 0) > 0;
  }

  private set(kind: ConfigKind, key: string, data: unknown): void {
    const m = this.mapOf(kind);
    if (kind === 'band') {
      const before = (m.get(key) as DataOf<'band'> | undefined)?.attendeeId;
      if (before) this.bandsByAttendee.get(before)?.delete(key);
      const after = (data as DataOf<'band'>).attendeeId;
      if (after) {
        let set = this.bandsByAttendee.get(after);
        if (!set) this.bandsByAttendee.set(after, (set = new Set()));
        set.add(key);
      }
    }
    m.set(key, data);
  }

  private mapOf(kind: ConfigKind): Map<string, unknown> {
    let m = this.byKind.get(kind);
    if (!m) this.byKind.set(kind, (m = new Map()));
    return m;
  }
}
