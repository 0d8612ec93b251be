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

  constructor(private readonly db: TerminalDb) {
    for (const row of db.select().from(config).all()) {
      this.mapOf(row.kind as ConfigKind).set(row.key, JSON.parse(row.data));
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
    if (msg.full) this.byKind.clear();
    for (const e of msg.entities) this.mapOf(e.kind).set(configKey(e), e.data);
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

  private mapOf(kind: ConfigKind): Map<string, unknown> {
    let m = this.byKind.get(kind);
    if (!m) this.byKind.set(kind, (m = new Map()));
    return m;
  }
}
