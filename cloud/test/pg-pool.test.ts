import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createPool } from '../src/db/pg-pool.ts';
import { createTestDatabase, databaseSkipReason, usePostgres, type TestDatabase } from './helpers/database.ts';

const skip = usePostgres ? await databaseSkipReason() : 'PostgreSQL only (TAPLINE_TEST_PG=1)';

describe('closing a PostgreSQL pool', { skip, timeout: 120_000 }, () => {
  const dropped: TestDatabase[] = [];
  after(async () => {
    for (const d of dropped) await d.drop().catch(() => undefined);
  });

  // pg's pool.end() resolves before its connections' sockets close; a DROP DATABASE … WITH (FORCE) right after (what
  // every test's teardown does) then kills a connection its owner thought closed, and the error it raises lands in
  // whatever test runs next. close() must leave nothing for the drop to kill.
  test('close() resolves only once every connection is gone: a forced drop right after kills nothing', async () => {
    const errors: Error[] = [];
    const uncaught = (err: Error) => errors.push(err);
    process.on('uncaughtException', uncaught);
    try {
      for (let round = 0; round < 8; round++) {
        const target = await createTestDatabase();
        const { pool, close } = createPool({ connectionString: target.options.databaseUrl, max: 4 }, (err) => errors.push(err));
        const busy = await Promise.all([1, 2, 3, 4].map((n) => pool.query<{ n: number }>('select $1::int as n, pg_sleep(0.01)', [n])));
        assert.deepEqual(busy.map((r) => r.rows[0]!.n), [1, 2, 3, 4]);
        await close();
        assert.equal(pool.totalCount, 0);
        await target.drop();
      }
      // Anything the drops killed would have been reported by now: the error arrives on the socket before its close.
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(errors.map((e) => e.message), []);
    } finally {
      process.off('uncaughtException', uncaught);
    }
  });

  test('an idle connection killed by the server is reported, not thrown, and the pool opens another', async () => {
    const target = await createTestDatabase();
    dropped.push(target);
    const errors: Error[] = [];
    const { pool, close } = createPool({ connectionString: target.options.databaseUrl, max: 1 }, (err) => errors.push(err));
    try {
      const { rows } = await pool.query<{ pid: number }>('select pg_backend_pid() as pid');
      const reported = new Promise<void>((resolve) => pool.once('error', () => resolve()));
      // Killed from another session while idle in the pool: without a listener this is an uncaught exception.
      const killer = createPool({ connectionString: target.options.databaseUrl, max: 1 }, (err) => errors.push(err));
      await killer.pool.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
      await killer.close();
      await reported;
      assert.equal(errors.length, 1);
      assert.match(errors[0]!.message, /terminat/i);
      const again = await pool.query<{ one: number }>('select 1 as one');
      assert.equal(again.rows[0]!.one, 1);
    } finally {
      await close();
    }
  });
});
