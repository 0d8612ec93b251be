import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Db, openDatabase } from '../../cloud/src/db/open.ts';
import { createTestDatabase, databaseSkipReason, type TestDatabase } from '../../cloud/test/helpers/database.ts';
import { ServiceProcess } from './service-process.ts';
import { entries } from './venue.ts';

/*
 * The cloud as its own OS process for the SIGKILL tests (e2e/spine/*-kill.test.ts): a fresh test database (PGlite, or
 * PostgreSQL with TAPLINE_TEST_PG=1) seeded with the demo venue, a cloud that a test kills mid-call and starts again
 * on the same data, and a way to read what the crash left while no cloud runs.
 */

export const KILL_TEST_VENUE_KEY = 'kill-test-venue-key-0123456789';
export const KILL_TEST_ADMIN_TOKEN = 'kill-test-admin-token-0123456789';

type Contracts = { ok: true } | { ok: false; reason: string };

/**
 * Why a kill test cannot run, or false: no usable database, or no provider contract files (said loudly; under
 * CI=true missing contracts are a failure of the test, never a skip).
 */
export async function killTestSkip(what: string, contracts: Contracts): Promise<string | false> {
  if (!contracts.ok && process.env.CI !== 'true') console.warn(`\n!!! ${what} SKIPPED: ${contracts.reason}\n`);
  return (await databaseSkipReason()) || (contracts.ok || process.env.CI === 'true' ? false : contracts.reason);
}

export class KillableCloud {
  /** The cloud's address after the latest start. */
  url = '';

  private constructor(
    readonly dir: string,
    readonly database: TestDatabase,
    readonly process: ServiceProcess,
  ) {}

  /** A cloud process (not yet started) on a fresh database; `env` adds to or overrides the seeded demo's settings. */
  static async create(tempPrefix: string, env: Record<string, string>): Promise<KillableCloud> {
    const dir = mkdtempSync(path.join(os.tmpdir(), tempPrefix));
    let database: TestDatabase;
    try {
      database = await createTestDatabase();
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    const cloud = new ServiceProcess({
      name: 'cloud',
      entry: entries.cloud,
      logFile: path.join(dir, 'cloud.log'),
      env: {
        ...database.env,
        PORT: '0',
        HOST: '127.0.0.1',
        TAPLINE_SEED_DEMO: '1',
        TAPLINE_VENUE_KEY: KILL_TEST_VENUE_KEY,
        TAPLINE_ADMIN_TOKEN: KILL_TEST_ADMIN_TOKEN,
        TAPLINE_LOG_LEVEL: 'debug',
        ...env,
      },
    });
    return new KillableCloud(dir, database, cloud);
  }

  async start(): Promise<string> {
    this.url = (await this.process.start()).url!;
    return this.url;
  }

  kill(): Promise<void> {
    return this.process.kill('SIGKILL');
  }

  /** Reads the cloud's database directly: what a crash left, while no cloud runs. */
  async read<T>(query: (db: Db) => Promise<T>): Promise<T> {
    const { databaseUrl, dataDir } = this.database.options;
    const opened = await openDatabase(databaseUrl ? { databaseUrl } : { dataDir: dataDir! });
    try {
      return await query(opened.db);
    } finally {
      await opened.close();
    }
  }

  async dispose(): Promise<void> {
    await this.process.stop();
    this.process.closeLog();
    await this.database.drop();
    if (!process.env.TAPLINE_KEEP_TEST_DIRS) rmSync(this.dir, { recursive: true, force: true });
  }
}
