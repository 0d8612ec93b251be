import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import fc from 'fast-check';
import { canonicalJson, computeTab, fingerprint, parseFacts, type OrderFact, type Sale } from '@tapline/shared';
import { openHubDb } from '../src/db/open.ts';
import { OrderStore } from '../src/db/order-store.ts';
import { TabStore } from '../src/db/tab-store.ts';
import { insertTerminal } from '../src/db/terminal-store.ts';
import type { RunningHub } from '../src/hub.ts';
import { TabFeed, type TabsFor } from '../src/realtime/tab-feed.ts';
import {
  connectTerminal,
  makeSale,
  makeVoid,
  pairAndConnect,
  removeDir,
  startTestHub,
  tempDir,
  type TestTerminal,
} from './helpers.ts';

const X = '04A1B2C3';
const Y = '04A1B2C4';
const Z = '04A1B2C5';

const tabOf = (m: { tabs: Array<{ bandUid: string; total: number }> }, band: string) => m.tabs.find((t) => t.bandUid === band)?.total;

describe('venue-wide tabs to every terminal', () => {
  let dir: string;
  let hub: RunningHub;
  let a: { creds: { terminalId: string; token: string }; terminal: TestTerminal };
  let b: { creds: { terminalId: string; token: string }; terminal: TestTerminal };
  let bAgain: TestTerminal | null = null;

  before(async () => {
    dir = tempDir();
    hub = await startTestHub({ dataDir: dir });
    a = await pairAndConnect(hub, 'Bar A');
    b = await pairAndConnect(hub, 'Bar B');
  });
  after(async () => {
    a.terminal.close();
    b.terminal.close();
    bAgain?.close();
    await hub.close();
    removeDir(dir);
  });

  test('a connecting terminal gets a full snapshot; empty and at committedSeq 0 on a new hub', async () => {
    const snap = await b.terminal.nextTabs((m) => m.full);
    assert.deepEqual(snap, { v: 1, full: true, committedSeq: 0, tabs: [] });
  });

  let sale: Sale;

  test("terminal A's sale reaches terminal B with B's own committedSeq; A's message has A's", async () => {
    sale = makeSale(a.creds.terminalId, 1, { bandUid: X });
    const ack = await a.terminal.push([sale]);
    assert.ok(ack.ok && ack.results[0]?.status === 'stored');

    const toB = await b.terminal.nextTabs((m) => !m.full && tabOf(m, X) === 1300);
    assert.equal(toB.committedSeq, 0, 'B has sent nothing');
    const toA = await a.terminal.nextTabs((m) => !m.full && tabOf(m, X) === 1300);
    assert.equal(toA.committedSeq, 1);

    const own = makeSale(b.creds.terminalId, 1, { bandUid: Y, lines: [{ productId: 'beer', name: 'Beer', quantity: 1, unitPrice: 650 }], total: 650 });
    await b.terminal.push([own]);
    const mine = await b.terminal.nextTabs((m) => tabOf(m, Y) === 650);
    assert.equal(mine.committedSeq, 1, "B's own sale is now in the totals");
    assert.equal(tabOf(mine, X), undefined, 'a partial message carries only the bands that changed');
  });

  test("a void from A lowers the band's tab at B", async () => {
    const ack = await a.terminal.push([makeVoid(a.creds.terminalId, 2, sale)]);
    assert.ok(ack.ok && ack.results[0]?.status === 'stored');
    const toB = await b.terminal.nextTabs((m) => tabOf(m, X) === 0);
    assert.equal(toB.full, false);
    assert.equal(toB.committedSeq, 1);
  });

  test('a reconnecting terminal gets a full snapshot of the non-zero tabs with its committedSeq', async () => {
    b.terminal.close();
    await a.terminal.push([makeSale(a.creds.terminalId, 3, { bandUid: Z })]);
    bAgain = await connectTerminal(hub.url, { v: 1, terminalId: b.creds.terminalId, token: b.creds.token });
    const snap = await bAgain.nextTabs((m) => m.full);
    assert.equal(snap.committedSeq, 1);
    assert.deepEqual(snap.tabs, [
      { bandUid: Y, total: 650 },
      { bandUid: Z, total: 1300 },
    ], 'X is at zero after its void: left out');
  });
});

describe('band_tabs', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach(removeDir));

  function openStore() {
    const dir = tempDir();
    dirs.push(dir);
    const hubDb = openHubDb(dir);
    hubDb.sqlite.pragma('synchronous = OFF'); // many small files; durability is tested elsewhere
    for (const id of ['t1', 't2']) insertTerminal(hubDb.db, { id, name: id, token: `token-of-${id}-long-enough`, pairedAt: new Date().toISOString() });
    return { hubDb, store: new OrderStore(hubDb.sqlite), tabs: new TabStore(hubDb.sqlite) };
  }

  test('property: kept in the commit, it equals the tab computed from scratch, whatever order facts arrive in and however often', () => {
    const { hubDb, store, tabs } = openStore();
    try {
      const bands = [X, Y, Z];
      const scenario = fc.record({
        sales: fc.array(fc.record({ band: fc.nat(2), price: fc.integer({ min: 0, max: 5_000 }), voids: fc.nat(2) }), { maxLength: 12 }),
        order: fc.array(fc.nat(), { maxLength: 60 }),
        batch: fc.integer({ min: 1, max: 5 }),
      });
      let seq = 0;
      fc.assert(
        fc.property(scenario, ({ sales, order, batch }) => {
          hubDb.sqlite.exec('DELETE FROM cloud_outbox; DELETE FROM orders; DELETE FROM band_tabs;');
          const facts: OrderFact[] = [];
          for (const s of sales) {
            const sale = makeSale('t1', ++seq, { bandUid: bands[s.band]!, lines: [{ productId: 'beer', name: 'Beer', quantity: 1, unitPrice: s.price }], total: s.price });
            facts.push(sale);
            // Two voids of one sale, from either terminal: only one may count.
            for (let v = 0; v < s.voids; v++) facts.push(makeVoid(v === 0 ? 't1' : 't2', ++seq, sale));
          }
          // Any arrival order, with resends.
          const arrivals = [...facts];
          for (const i of order) if (facts.length) arrivals.splice(i % (arrivals.length + 1), 0, facts[i % facts.length]!);
          const touched = new Set<string>();
          for (let i = 0; i < arrivals.length; i += batch) {
            const chunk = arrivals.slice(i, i + batch);
            store.transaction(() => {
              for (const f of chunk) store.insertFacts(f.terminalId, parseFacts([f]).valid, new Date().toISOString(), touched);
            });
          }
          for (const band of bands) {
            const expected = computeTab(facts.filter((f) => f.bandUid === band)).total;
            assert.equal(tabs.of([band])[0]!.total, expected, band);
            if (facts.some((f) => f.bandUid === band)) assert.ok(touched.has(band), `${band} reported as touched`);
          }
          assert.deepEqual(tabs.all(), bands.map((bandUid) => ({ bandUid, total: tabs.of([bandUid])[0]!.total })).filter((t) => t.total !== 0));
        }),
        { numRuns: 150 },
      );
    } finally {
      hubDb.close();
    }
  });

  test('the void changes its sale\'s band, and committedSeq is the highest seq stored for that terminal', () => {
    const { hubDb, store, tabs } = openStore();
    try {
      const sale = makeSale('t1', 7, { bandUid: X });
      const odd = makeVoid('t1', 9, sale, { bandUid: Y });
      const touched = new Set<string>();
      store.transaction(() => store.insertFacts('t1', parseFacts([sale, odd]).valid, new Date().toISOString(), touched));
      assert.deepEqual(tabs.of([X, Y]), [
        { bandUid: X, total: 0 },
        { bandUid: Y, total: 0 },
      ]);
      assert.deepEqual([...touched], [X]);
      assert.equal(tabs.committedSeq('t1'), 9);
      assert.equal(tabs.committedSeq('t2'), 0);
    } finally {
      hubDb.close();
    }
  });

  test('a hub that already holds orders gets its void links and band tabs from the migration', () => {
    const dir = tempDir();
    dirs.push(dir);
    // The schema as it was before this migration: only the first one applied.
    const drizzleDir = fileURLToPath(new URL('../drizzle', import.meta.url));
    const oldMigrations = path.join(dir, 'old-drizzle');
    fs.mkdirSync(path.join(oldMigrations, 'meta'), { recursive: true });
    fs.copyFileSync(path.join(drizzleDir, '0000_init.sql'), path.join(oldMigrations, '0000_init.sql'));
    const journal = JSON.parse(fs.readFileSync(path.join(drizzleDir, 'meta/_journal.json'), 'utf8')) as { entries: Array<{ tag: string }> };
    journal.entries = journal.entries.filter((e) => e.tag === '0000_init');
    fs.writeFileSync(path.join(oldMigrations, 'meta/_journal.json'), JSON.stringify(journal));

    const old = new Database(path.join(dir, 'hub.db'));
    migrate(drizzle(old), { migrationsFolder: oldMigrations });
    old.prepare(`INSERT INTO terminals (id, name, token_hash, paired_at) VALUES ('t1', 'Bar', 'x', '2025-07-01T12:00:00Z')`).run();
    const insert = old.prepare(
      `INSERT INTO orders (id, terminal_id, seq, event_id, kind, band_uid, total, body, fingerprint, received_at)
       VALUES (?, 't1', ?, 'evt-1', ?, ?, ?, ?, ?, '2025-07-01T12:00:00Z')`,
    );
    const s1: Sale = makeSale('t1', 1, { bandUid: X });
    const s2: Sale = makeSale('t1', 2, { bandUid: X });
    const s3: Sale = makeSale('t1', 3, { bandUid: Y });
    const v: OrderFact = makeVoid('t1', 4, s2);
    for (const f of [s1, s2, s3, v] as OrderFact[]) {
      insert.run(f.id, f.seq, f.kind, f.bandUid, f.kind === 'sale' ? f.total : null, canonicalJson(f), fingerprint(f));
    }
    old.close();

    const hubDb = openHubDb(dir);
    try {
      const tabs = new TabStore(hubDb.sqlite);
      assert.deepEqual(tabs.all(), [
        { bandUid: X, total: 1300 },
        { bandUid: Y, total: 1300 },
      ]);
      const link = hubDb.sqlite.prepare('SELECT voids_order_id AS v FROM orders WHERE id = ?').get(v.id) as { v: string };
      assert.equal(link.v, s2.id);
    } finally {
      hubDb.close();
    }
  });
});

describe('tab feed', () => {
  test('bands touched before a round go out together, each terminal with its own committedSeq read once per round', async () => {
    const seqReads: string[] = [];
    const fakeTabs = {
      all: () => [],
      of: (bands: Iterable<string>) => [...bands].map((bandUid) => ({ bandUid, total: bandUid.length })),
      committedSeq: (terminalId: string) => {
        seqReads.push(terminalId);
        return terminalId === 'tA' ? 4 : 9;
      },
    } as unknown as TabStore;
    const rounds: Array<Array<[string, unknown]>> = [];
    let sent!: () => void;
    const done = new Promise<void>((r) => (sent = r));
    const feed = new TabFeed(fakeTabs, (messageFor: TabsFor) => {
      // Two sockets of terminal tA and one of tB.
      rounds.push(['tA', 'tA', 'tB'].map((t) => [t, messageFor(t)]));
      sent();
    }, 50);
    feed.touch([X]);
    feed.touch([Y, X]);
    await done;
    feed.close();
    assert.equal(rounds.length, 1, 'one round for both commits');
    assert.deepEqual(rounds[0]!.map(([t, m]) => [t, (m as { committedSeq: number }).committedSeq]), [
      ['tA', 4],
      ['tA', 4],
      ['tB', 9],
    ]);
    assert.deepEqual((rounds[0]![0]![1] as { tabs: unknown }).tabs, [
      { bandUid: X, total: 8 },
      { bandUid: Y, total: 8 },
    ]);
    assert.deepEqual(seqReads, ['tA', 'tB']);
    feed.touch([Z]); // after close: nothing is scheduled against a closing database
    assert.equal(rounds.length, 1);
  });
});
