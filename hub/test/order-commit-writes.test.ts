import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { canonicalJson, fingerprint, parseFacts, type OrderFact } from '@tapline/shared';
import { openHubDb, type HubDb } from '../src/db/open.ts';
import { BandState, PullGeneration } from '../src/db/band-state.ts';
import { AttendeeStore } from '../src/db/attendee-store.ts';
import { OrderStore } from '../src/db/order-store.ts';
import { TabStore } from '../src/db/tab-store.ts';
import { insertTerminal } from '../src/db/terminal-store.ts';
import { makeSale, makeVoid, removeDir, tempDir } from './helpers.ts';

/** What one commit of orders writes: each index and row costs the fsync a terminal's ack waits for. */
describe('what an order commit writes', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach(removeDir));

  function open(now?: () => number): { hubDb: HubDb; store: OrderStore } {
    const dir = tempDir();
    dirs.push(dir);
    const hubDb = openHubDb(dir);
    insertTerminal(hubDb.db, { id: 't1', name: 'Bar', token: 'x', pairedAt: '2025-07-01T12:00:00Z' });
    const store = new OrderStore(hubDb.sqlite, new BandState(hubDb.sqlite, new AttendeeStore(hubDb.sqlite)), new PullGeneration(), now);
    return { hubDb, store };
  }

  const commit = (store: OrderStore, facts: OrderFact[], at: string) =>
    store.transaction(() => store.insertFacts('t1', parseFacts(facts).valid, at, new Set()));

  test('sales stay out of the voids index, and a void is still found through it', () => {
    const { hubDb, store } = open();
    try {
      const sale = makeSale('t1', 1, { bandUid: '04A1B2C3' });
      commit(store, [sale, makeSale('t1', 2, { bandUid: '04A1B2C3' })], '2025-07-01T12:00:01Z');
      // Entries in the index itself (SQLite's dbstat), not rows a query finds.
      const indexed = () => (hubDb.sqlite.prepare(`SELECT coalesce(sum(ncell), 0) AS n FROM dbstat WHERE name = 'orders_voids' AND pagetype = 'leaf'`).get() as { n: number }).n;
      assert.equal(indexed(), 0);
      commit(store, [makeVoid('t1', 3, sale)], '2025-07-01T12:00:02Z');
      assert.equal(indexed(), 1);
      const plan = hubDb.sqlite.prepare('EXPLAIN QUERY PLAN SELECT COUNT(*) FROM orders WHERE voids_order_id = ?').all('x') as Array<{ detail: string }>;
      assert.match(plan.map((p) => p.detail).join('; '), /USING COVERING INDEX orders_voids/);
      assert.deepEqual(new TabStore(hubDb.sqlite).all(), [{ bandUid: '04A1B2C3', total: 1300 }]);
      // The body is serialised once, for the fingerprint too: still the canonical JSON that fingerprint covers.
      const row = hubDb.sqlite.prepare('SELECT body, fingerprint FROM orders WHERE id = ?').get(sale.id) as { body: string; fingerprint: string };
      assert.equal(row.body, canonicalJson(sale));
      assert.equal(row.fingerprint, fingerprint(sale));
      const names = (hubDb.sqlite.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'orders' AND sql IS NOT NULL`).all() as Array<{ name: string }>).map((r) => r.name);
      assert.deepEqual(names.sort(), ['orders_terminal_seq', 'orders_voids']);
    } finally {
      hubDb.close();
    }
  });

  test('a hub upgraded with orders waiting for the cloud keeps them, in order, and drains after them', () => {
    const dir = tempDir();
    dirs.push(dir);
    // The schema as it was before: every migration up to 0002.
    const drizzleDir = fileURLToPath(new URL('../drizzle', import.meta.url));
    const oldMigrations = path.join(dir, 'old-drizzle');
    fs.mkdirSync(path.join(oldMigrations, 'meta'), { recursive: true });
    const journal = JSON.parse(fs.readFileSync(path.join(drizzleDir, 'meta/_journal.json'), 'utf8')) as { entries: Array<{ idx: number; tag: string }> };
    journal.entries = journal.entries.filter((e) => e.idx <= 2);
    for (const e of journal.entries) fs.copyFileSync(path.join(drizzleDir, `${e.tag}.sql`), path.join(oldMigrations, `${e.tag}.sql`));
    fs.writeFileSync(path.join(oldMigrations, 'meta/_journal.json'), JSON.stringify(journal));
    const old = new Database(path.join(dir, 'hub.db'));
    migrate(drizzle(old), { migrationsFolder: oldMigrations });
    insertTerminal(drizzle(old), { id: 't1', name: 'Bar', token: 'x', pairedAt: '2025-07-01T12:00:00Z' });
    const oldStore = new OrderStore(old);
    const before = [makeSale('t1', 1), makeSale('t1', 2), makeSale('t1', 3)];
    oldStore.transaction(() => oldStore.insertFacts('t1', parseFacts(before).valid, '2025-07-01T12:00:00Z'));
    // The cloud took the first one: ids then start above a gap, as on a hub that has drained before.
    oldStore.settle(oldStore.outbox(1), [], '2025-07-01T12:00:01Z');
    const waiting = oldStore.outbox(10);
    old.close();

    const hubDb = openHubDb(dir);
    try {
      const store = new OrderStore(hubDb.sqlite);
      assert.deepEqual(store.outbox(10), waiting);
      const after = makeSale('t1', 4);
      store.transaction(() => store.insertFacts('t1', parseFacts([after]).valid, '2025-07-01T12:00:02Z'));
      const now = store.outbox(10);
      assert.deepEqual(now.map((i) => i.orderId), [before[1]!.id, before[2]!.id, after.id]);
      assert.ok(now[2]!.outboxId > now[1]!.outboxId);
      const outboxIndexes = hubDb.sqlite.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cloud_outbox'`).get() as { n: number };
      assert.equal(outboxIndexes.n, 0);
    } finally {
      hubDb.close();
    }
  });

  test("a terminal's last_seen_at is written by its first push, then at most once a second", () => {
    let now = 1_000_000;
    const { hubDb, store } = open(() => now);
    const seen = () => (hubDb.sqlite.prepare(`SELECT last_seen_at AS v FROM terminals WHERE id = 't1'`).get() as { v: string | null }).v;
    try {
      commit(store, [makeSale('t1', 1)], '2025-07-01T12:00:00.000Z');
      assert.equal(seen(), '2025-07-01T12:00:00.000Z');
      now += 999;
      commit(store, [makeSale('t1', 2)], '2025-07-01T12:00:00.999Z');
      assert.equal(seen(), '2025-07-01T12:00:00.000Z');
      now += 1;
      commit(store, [makeSale('t1', 3)], '2025-07-01T12:00:01.000Z');
      assert.equal(seen(), '2025-07-01T12:00:01.000Z');
    } finally {
      hubDb.close();
    }
  });
});
