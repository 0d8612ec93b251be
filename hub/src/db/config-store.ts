import { sql } from 'drizzle-orm';
import { ConfigEntity, configKey, type ConfigChange } from '@tapline/shared';
import { getMeta, setMeta } from './meta-store.ts';
import type { HubDrizzle } from './open.ts';
import { config } from './schema.ts';

const CURSOR_KEY = 'configCursor';

export function configCursor(db: HubDrizzle): number {
  return Number(getMeta(db, CURSOR_KEY) ?? 0);
}

/** Every configuration entity the hub has been sent, for a terminal's full snapshot. */
export function allConfigEntities(db: HubDrizzle): ConfigEntity[] {
  return db
    .select({ kind: config.kind, data: config.data })
    .from(config)
    .orderBy(config.seq)
    .all()
    .map((r) => ({ kind: r.kind, data: JSON.parse(r.data) }) as ConfigEntity);
}

/**
 * Upserts a page of cloud changes and moves the cursor in one transaction, so a crash never leaves
 * the cursor ahead of the data. An older change never overwrites a newer one (seq guard).
 */
export function applyConfigChanges(db: HubDrizzle, changes: readonly ConfigChange[], cursor: number): ConfigEntity[] {
  return db.transaction((tx) => {
    for (const c of changes) {
      tx.insert(config)
        .values({ kind: c.entity.kind, key: configKey(c.entity), data: JSON.stringify(c.entity.data), seq: c.seq })
        .onConflictDoUpdate({
          target: [config.kind, config.key],
          set: { data: sql`excluded.data`, seq: sql`excluded.seq` },
          setWhere: sql`excluded.seq >= ${config.seq}`,
        })
        .run();
    }
    setMeta(tx, CURSOR_KEY, String(cursor));
    return changes.map((c) => c.entity);
  });
}
