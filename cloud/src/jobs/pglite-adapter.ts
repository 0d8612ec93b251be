import type { PGlite } from '@electric-sql/pglite';
import type PgBoss from 'pg-boss';

/** A Postgres array literal (`{"a","b"}`), for array parameters such as pg-boss's job id lists. */
export function encodePgArray(values: readonly unknown[]): string {
  const items = values.map((v) => {
    if (v === null || v === undefined) return 'NULL';
    if (Array.isArray(v)) return encodePgArray(v);
    const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
    return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  });
  return `{${items.join(',')}}`;
}

function encodeParam(value: unknown): unknown {
  if (Array.isArray(value)) return encodePgArray(value);
  if (value === undefined) return null;
  return value;
}

/**
 * pg-boss's `db` option on PGlite (after pg-boss issue #563). PGlite's `query` takes one statement, so SQL without
 * values (pg-boss's schema scripts are several statements) goes through `exec`; array parameters are sent as literals.
 * PGlite serialises all calls itself, so pg-boss simply waits while the API holds a transaction.
 */
export function pgliteBossDb(client: PGlite): PgBoss.Db {
  return {
    async executeSql(text: string, values?: unknown[]) {
      if (!values || values.length === 0) {
        const results = await client.exec(text);
        return { rows: results.at(-1)?.rows ?? [] };
      }
      const result = await client.query(text, values.map(encodeParam));
      return { rows: result.rows };
    },
  };
}
