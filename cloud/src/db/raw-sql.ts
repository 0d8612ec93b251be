import { type SQL, sql } from 'drizzle-orm';
import type { Queryable } from './open.ts';

/** Runs a drizzle SQL on either driver and gives back its rows (both drivers answer `{ rows }`). */
export async function queryRows<T>(db: Queryable, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/**
 * Turns `text` with `$1…$n` placeholders into a drizzle SQL, so SQL written by a library (pg-boss) can run inside a
 * drizzle transaction on either driver. Each occurrence becomes its own parameter: drizzle numbers them itself.
 */
export function sqlFromText(text: string, values: readonly unknown[] = []): SQL {
  const chunks: SQL[] = [];
  let last = 0;
  for (const m of text.matchAll(/\$(\d+)/g)) {
    chunks.push(sql.raw(text.slice(last, m.index)));
    chunks.push(sql`${sql.param(values[Number(m[1]) - 1] ?? null)}`);
    last = m.index + m[0].length;
  }
  chunks.push(sql.raw(text.slice(last)));
  return sql.join(chunks);
}
