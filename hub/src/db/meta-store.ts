import { eq } from 'drizzle-orm';
import { newId } from '@tapline/shared';
import type { DbOrTx } from './open.ts';
import { meta } from './schema.ts';

export function getMeta(db: DbOrTx, key: string): string | undefined {
  return db.select({ value: meta.value }).from(meta).where(eq(meta.key, key)).get()?.value;
}

export function setMeta(db: DbOrTx, key: string, value: string): void {
  db.insert(meta).values({ key, value }).onConflictDoUpdate({ target: meta.key, set: { value } }).run();
}

/** The hub's identity survives restarts: terminals and the cloud know it by this id. */
export function ensureHubId(db: DbOrTx): string {
  const existing = getMeta(db, 'hubId');
  if (existing) return existing;
  const id = newId();
  setMeta(db, 'hubId', id);
  return id;
}
