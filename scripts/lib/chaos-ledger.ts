/**
 * The chaos run's ledger: what the terminals themselves recorded against what the cloud holds, read straight from
 * their databases after every process has stopped. Orders are matched on their ids; tabs are recomputed here from
 * the terminals' own facts (plain sums: see `pricingInPlay`), never with the cloud's pricing code.
 */
import Database from 'better-sqlite3';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

export interface TerminalFact {
  id: string;
  terminalId: string;
  seq: number;
  kind: 'sale' | 'void';
  bandUid: string;
  total: number;
  voidsOrderId: string | null;
  status: 'pending' | 'acked' | 'rejected';
}

export function readTerminalFacts(dbPaths: string[]): TerminalFact[] {
  const all: TerminalFact[] = [];
  for (const p of dbPaths) {
    const db = new Database(p, { readonly: true, fileMustExist: true });
    try {
      all.push(
        ...(db
          .prepare(
            `SELECT id, json_extract(body, '$.terminalId') AS terminalId, seq, kind, band_uid AS bandUid, total,
                    voids_order_id AS voidsOrderId, status FROM orders`,
          )
          .all() as TerminalFact[]),
      );
    } finally {
      db.close();
    }
  }
  return all;
}

export interface CloudFact {
  id: string;
  terminalId: string;
  seq: number;
  kind: string;
  bandUid: string;
  total: number | null;
}

export interface CloudState {
  orders: CloudFact[];
  tabs: Map<string, number>;
  /** Anything that makes a tab more than the sum of its sales: then a plain-sum comparison would be wrong. */
  pricing: { promotions: number; taxRules: number; tabFacts: number };
  /** tabs.* jobs by pg-boss state, for the diagnosis when tabs do not match. */
  tabJobs: Record<string, number>;
  /** Card payment attempts by `kind:status` (holds, cancels, captures): the work the cloud did beside ingest. */
  payments: Record<string, number>;
  /** SMS messages by `kind:status` (a receipt per sale to a consenting attendee): more of that work. */
  sms: Record<string, number>;
}

type Source = { dataDir: string } | { databaseUrl: string };

async function withCloudDb<T>(source: Source, fn: (q: <R>(sql: string, params?: unknown[]) => Promise<R[]>) => Promise<T>): Promise<T> {
  if ('dataDir' in source) {
    const db = await PGlite.create(source.dataDir);
    try {
      return await fn(async <R>(sql: string, params: unknown[] = []) => (await db.query<R>(sql, params)).rows);
    } finally {
      await db.close();
    }
  }
  const client = new pg.Client({ connectionString: source.databaseUrl });
  await client.connect();
  try {
    return await fn(async <R>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as R[]);
  } finally {
    await client.end();
  }
}

/** The cloud's own database; for PGlite only after the cloud has stopped (one process owns it at a time). */
export async function readCloudState(source: Source, eventId: string): Promise<CloudState> {
  return withCloudDb(source, async (q) => {
    const orders = (
      await q<{ id: string; terminal_id: string; seq: number; kind: string; band_uid: string; total: string | number | null }>(
        'SELECT id::text AS id, terminal_id, seq, kind, band_uid, total FROM orders',
      )
    ).map((r) => ({ id: r.id, terminalId: r.terminal_id, seq: Number(r.seq), kind: r.kind, bandUid: r.band_uid, total: r.total === null ? null : Number(r.total) }));
    const tabs = new Map<string, number>();
    for (const r of await q<{ band_uid: string; total: string | number }>('SELECT band_uid, total FROM tabs WHERE event_id = $1', [eventId])) {
      tabs.set(r.band_uid, Number(r.total));
    }
    const count = async (sql: string) => Number((await q<{ n: string | number }>(sql, [eventId]))[0]?.n ?? 0);
    const pricing = {
      promotions: await count('SELECT count(*) AS n FROM promotions WHERE event_id = $1 AND active'),
      taxRules: await count('SELECT count(*) AS n FROM tax_rules WHERE event_id = $1 AND active'),
      tabFacts: await count('SELECT count(*) AS n FROM tab_facts WHERE event_id = $1'),
    };
    const tabJobs: Record<string, number> = {};
    try {
      for (const r of await q<{ name: string; state: string; n: string | number }>(
        "SELECT name, state::text AS state, count(*) AS n FROM pgboss.job WHERE name LIKE 'tabs.%' GROUP BY name, state",
      )) {
        tabJobs[`${r.name}:${r.state}`] = Number(r.n);
      }
    } catch {
      // pg-boss's tables are its own business; they only help to explain a mismatch
    }
    const byKindAndStatus = async (table: 'payments' | 'sms_messages') => {
      const out: Record<string, number> = {};
      for (const r of await q<{ kind: string; status: string; n: string | number }>(
        `SELECT kind, status, count(*) AS n FROM ${table} WHERE event_id = $1 GROUP BY kind, status ORDER BY kind, status`,
        [eventId],
      )) {
        out[`${r.kind}:${r.status}`] = Number(r.n);
      }
      return out;
    };
    return { orders, tabs, pricing, tabJobs, payments: await byKindAndStatus('payments'), sms: await byKindAndStatus('sms_messages') };
  });
}

/** Each band's tab from the terminals' facts: its sales no void cancels, rejected facts left out. */
export function expectedTabs(facts: TerminalFact[]): Map<string, number> {
  const seen = facts.filter((f) => f.status !== 'rejected');
  const voided = new Set(seen.filter((f) => f.kind === 'void' && f.voidsOrderId).map((f) => f.voidsOrderId!));
  const tabs = new Map<string, number>();
  for (const f of seen) {
    if (f.kind !== 'sale') continue;
    tabs.set(f.bandUid, (tabs.get(f.bandUid) ?? 0) + (voided.has(f.id) ? 0 : f.total));
  }
  return tabs;
}

export interface ChaosLedger {
  /** Facts whose approval a bartender saw (status other than rejected). */
  orders: number;
  lost: number;
  duplicated: number;
  tabMismatches: number;
  /** A few examples of each problem, for the report. */
  examples: { lost: string[]; duplicated: string[]; tabs: string[] };
}

/**
 * (1) every fact a bartender saw approved is in the cloud exactly once, (2) nothing else is (a second row for one
 * terminal and seq, a fact no terminal made or one its terminal saw rejected, other content under a known id), and
 * (3) every tab equals its band's unvoided sales to the cent (a band with sales and no tab row is a mismatch too).
 */
export function reconcileChaos(terminal: TerminalFact[], cloud: CloudState): ChaosLedger {
  const approved = new Map(terminal.filter((f) => f.status !== 'rejected').map((f) => [f.id, f]));
  const examples = { lost: [] as string[], duplicated: [] as string[], tabs: [] as string[] };
  const note = (list: string[], text: string) => void (list.length < 10 && list.push(text));

  let duplicated = 0;
  const ids = new Set<string>();
  const slots = new Set<string>();
  for (const row of cloud.orders) {
    const slot = `${row.terminalId}#${row.seq}`;
    const mine = approved.get(row.id);
    let why = '';
    if (ids.has(row.id)) why = 'id twice';
    else if (slots.has(slot)) why = `second fact for ${slot}`;
    else if (!mine) why = 'made by no terminal (or rejected there)';
    else if (mine.terminalId !== row.terminalId || mine.seq !== row.seq || mine.bandUid !== row.bandUid || (mine.kind === 'sale' && mine.total !== row.total)) {
      why = 'other content than the terminal made';
    }
    if (why) {
      duplicated++;
      note(examples.duplicated, `${row.id} (${slot}): ${why}`);
    }
    ids.add(row.id);
    slots.add(slot);
  }

  let lost = 0;
  for (const f of approved.values()) {
    if (ids.has(f.id)) continue;
    lost++;
    note(examples.lost, `${f.id} (${f.terminalId}#${f.seq}, ${f.status})`);
  }

  const expected = expectedTabs(terminal);
  let tabMismatches = 0;
  for (const band of new Set([...expected.keys(), ...cloud.tabs.keys()])) {
    const want = expected.get(band) ?? 0;
    const got = cloud.tabs.get(band);
    if (got === want) continue;
    tabMismatches++;
    note(examples.tabs, `band ${band}: cloud ${got ?? 'no tab'}, terminals ${want}`);
  }
  return { orders: approved.size, lost, duplicated, tabMismatches, examples };
}

/** True when the event prices tabs as more than a plain sum; the chaos ledger then cannot judge tabs. */
export function pricingInPlay(cloud: CloudState): boolean {
  const p = cloud.pricing;
  return p.promotions + p.taxRules + p.tabFacts > 0;
}

/** Where the hub has each order: a lost order is explained by which of these holds it. */
export interface HubHoldings {
  orders: Set<string>;
  queued: Set<string>;
  rejectedByCloud: Set<string>;
}

export function readHubHoldings(hubDbPath: string): HubHoldings {
  const db = new Database(hubDbPath, { readonly: true, fileMustExist: true });
  try {
    const ids = (sql: string) => new Set((db.prepare(sql).pluck().all() as string[]));
    return {
      orders: ids('SELECT id FROM orders'),
      queued: ids('SELECT order_id FROM cloud_outbox'),
      rejectedByCloud: ids('SELECT order_id FROM rejected'),
    };
  } finally {
    db.close();
  }
}

/** Splits lost orders by where they stopped: still queued at the hub, refused by the cloud, dropped at the hub, or never there. */
export function explainLost(terminal: TerminalFact[], cloud: CloudState, hub: HubHoldings): Record<string, number> {
  const inCloud = new Set(cloud.orders.map((o) => o.id));
  const why: Record<string, number> = {};
  for (const f of terminal) {
    if (f.status === 'rejected' || inCloud.has(f.id)) continue;
    const where = hub.queued.has(f.id)
      ? 'queued at the hub for the cloud'
      : hub.rejectedByCloud.has(f.id)
        ? 'rejected by the cloud'
        : hub.orders.has(f.id)
          ? 'at the hub, no longer queued, not in the cloud'
          : `never reached the hub (terminal status ${f.status})`;
    why[where] = (why[where] ?? 0) + 1;
  }
  return why;
}
