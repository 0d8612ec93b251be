import { after, before } from 'node:test';
import { eq } from 'drizzle-orm';
import { users } from '../../src/db/schema.ts';
import { DEMO_USERS } from '../../src/services/accounts-demo.ts';
import type { RunningCloud, StartCloudOptions } from '../../src/start.ts';
import { ADMIN_TOKEN, api, startTestCloud, VENUE_KEY } from './cloud.ts';
import { type ConsoleClient, sessionClient } from './console.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

export type Api = ReturnType<typeof api>;

export interface SeededCloud {
  target: TestDatabase;
  cloud: RunningCloud;
  /** The demo venue's hub, by its venue key: pushes and pulls. */
  hub: Api;
  /** Head office, by the admin token. */
  admin: Api;
}

/**
 * Registers, in the enclosing describe, the setup most cloud suites share: a fresh test database, the demo-seeded
 * cloud on it (`startTestCloud` with `extra`), and clients for the venue's hub and for head office, handed to `use`
 * once started (before the suite's own `before` hooks that come after this call). After the suite the cloud is
 * closed and the database dropped.
 */
export function useSeededCloud(use: (seeded: SeededCloud) => void, extra: Partial<StartCloudOptions> = {}): void {
  let target: TestDatabase | undefined;
  let cloud: RunningCloud | undefined;
  before(async () => {
    target = await createTestDatabase();
    cloud = await startTestCloud(target, extra);
    use({ target, cloud, hub: api(cloud.url, VENUE_KEY), admin: api(cloud.url, ADMIN_TOKEN) });
  });
  after(async () => {
    await cloud?.close();
    await target?.drop();
  });
}

/** Console clients signed in (by a session made in the database) as the demo organisation's manager and viewer. */
export async function demoConsoleClients(cloud: RunningCloud): Promise<{ manager: ConsoleClient; viewer: ConsoleClient }> {
  const db = cloud.database.db;
  const client = async (email: string) => {
    const [user] = await db.select({ id: users.id }).from(users).where(eq(users.email, email));
    return sessionClient(cloud.url, db, { userId: user!.id, organisationId: 'demo-festivals' });
  };
  return { manager: await client(DEMO_USERS.manager.email), viewer: await client(DEMO_USERS.viewer.email) };
}
