import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * Where a test's cloud keeps its data. By default PGlite in a fresh temp folder; with TAPLINE_TEST_PG=1 a fresh
 * database on the real PostgreSQL (TAPLINE_TEST_PG_URL, default postgres://postgres@127.0.0.1:5432), dropped after.
 */
export interface TestDatabase {
  kind: 'pglite' | 'postgres';
  /** Spread into `openDatabase` / `startCloud` (`dataDir` also holds the cloud's files when the data is on PostgreSQL). */
  options: { databaseUrl?: string; dataDir?: string };
  /** Environment for a forked `cloud/src/main.ts` using the same data. */
  env: Record<string, string>;
  drop(): Promise<void>;
}

export const usePostgres = process.env.TAPLINE_TEST_PG === '1';
const serverUrl = process.env.TAPLINE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';

function urlFor(database: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: urlFor('postgres'), connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function probePostgres(): Promise<string | undefined> {
  try {
    await adminQuery('select 1');
    return undefined;
  } catch (err) {
    return `PostgreSQL at ${serverUrl} is unreachable (${(err as Error).message})`;
  }
}

/**
 * `undefined` when the chosen database can be used; otherwise why the suite is skipped. Under CI=true an unreachable
 * PostgreSQL is a failure, never a skip.
 */
export async function databaseSkipReason(): Promise<string | undefined> {
  if (!usePostgres) return undefined;
  const reason = await probePostgres();
  if (!reason) return undefined;
  if (process.env.CI === 'true') throw new Error(`TAPLINE_TEST_PG=1 under CI: ${reason}. The PostgreSQL suite must run in CI.`);
  const banner = '!'.repeat(100);
  console.error(`\n${banner}\n!! SKIPPING the cloud's PostgreSQL tests: ${reason}.\n!! Start PostgreSQL or unset TAPLINE_TEST_PG.\n${banner}\n`);
  return reason;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  if (usePostgres) {
    const name = `tapline_t_${randomBytes(6).toString('hex')}`;
    await adminQuery(`create database ${name}`);
    const databaseUrl = urlFor(name);
    // The database is on the server; files the cloud writes (exports) still need a folder of their own.
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tapline-pg-'));
    return {
      kind: 'postgres',
      options: { databaseUrl, dataDir },
      env: { DATABASE_URL: databaseUrl, TAPLINE_DATA_DIR: dataDir },
      // FORCE: a killed child process may leave sessions behind until the server notices.
      drop: async () => {
        await adminQuery(`drop database if exists ${name} with (force)`);
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tapline-'));
  return {
    kind: 'pglite',
    options: { dataDir },
    env: { TAPLINE_DATA_DIR: dataDir },
    drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
  };
}
