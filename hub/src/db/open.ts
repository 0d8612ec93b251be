import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema.ts';

export type HubDrizzle = BetterSQLite3Database<typeof schema> & { $client: Database.Database };
export type HubTx = Parameters<Parameters<HubDrizzle['transaction']>[0]>[0];
/** Store functions take either, so they compose inside a caller's transaction. */
export type DbOrTx = HubDrizzle | HubTx;

export interface HubDb {
  sqlite: Database.Database;
  db: HubDrizzle;
  file: string;
  close(): void;
}

const MIGRATIONS = fileURLToPath(new URL('../../drizzle', import.meta.url));

export const HUB_DB_FILE = 'hub.db';

/**
 * Opens (creating if needed) the hub's SQLite file in `dataDir` and brings its schema up to date.
 * synchronous=FULL so a commit survives power loss: the hub acks terminals only after a commit.
 */
export function openHubDb(dataDir: string): HubDb {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, HUB_DB_FILE);
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder: MIGRATIONS });
  return {
    sqlite,
    db,
    file,
    close: () => {
      if (sqlite.open) sqlite.close();
    },
  };
}
