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
import { createPool } from './pg-pool.ts';
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
  /** An idle PostgreSQL connection died (server restart, terminated by an administrator); the pool opens another. */
  onConnectionError?: (err: Error) => void;
}

function reportConnectionError(err: Error): void {
  console.error(`tapline cloud: a PostgreSQL connection was lost (${err.message}); the next query opens another`);
}

export interface Database {
  db: Db;
  kind: DatabaseKind;
  /** The PGlite instance when kind is 'pglite' (pg-boss runs on it through an adapter). */
  pglite?: PGlite;
  /** The connection string when kind is 'postgres' (the job queue builds its own pool from it). */
  databaseUrl?: string;
  close(): Promise<void>;
}

const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    const { pool, close } = createPool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 }, (err) =>
      (options.onConnectionError ?? reportConnectionError)(err),
    );
    try {
      const db = drizzlePg(pool, { schema });
      await migratePg(db, { migrationsFolder });
      return { db: db as unknown as Db, kind: 'postgres', databaseUrl: options.databaseUrl, close };
    } catch (err) {
      await close().catch(() => undefined);
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
