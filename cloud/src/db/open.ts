import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import * as schema from './schema.ts';

export type Schema = typeof schema;
/** The driver-neutral drizzle type: everything past `openDatabase` is written once against it. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** A database or a transaction: helpers that may run in either take this. */
export type Queryable = Db | Tx;
export type DatabaseKind = 'pglite' | 'postgres';

export interface OpenDatabaseOptions {
  /** postgres://… : use node-postgres. Without it, PGlite on `dataDir`. */
  databaseUrl?: string;
  /** PGlite's folder (created if absent). Required when `databaseUrl` is not given. */
  dataDir?: string;
  /** node-postgres pool size. */
  poolSize?: number;
}

export interface Database {
  db: Db;
  kind: DatabaseKind;
  /** The PGlite instance when kind is 'pglite' (pg-boss runs on it through an adapter). */
  pglite?: PGlite;
  /** The connection string when kind is 'postgres' (pg-boss opens its own pool with it). */
  databaseUrl?: string;
  close(): Promise<void>;
}

const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 });
    try {
      const db = drizzlePg(pool, { schema });
      await migratePg(db, { migrationsFolder });
      return {
        db: db as unknown as Db,
        kind: 'postgres',
        databaseUrl: options.databaseUrl,
        close: () => pool.end(),
      };
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
  }
  if (!options.dataDir) throw new Error('openDatabase needs a databaseUrl or a dataDir');
  const dataDir = path.resolve(options.dataDir);
  fs.mkdirSync(dataDir, { recursive: true });
  const client = new PGlite(dataDir);
  try {
    await client.waitReady;
    const db = drizzlePglite(client, { schema });
    await migratePglite(db, { migrationsFolder });
    return {
      db: db as unknown as Db,
      kind: 'pglite',
      pglite: client,
      close: () => client.close(),
    };
  } catch (err) {
    await client.close().catch(() => undefined);
    throw err;
  }
}
