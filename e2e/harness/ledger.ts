import Database from 'better-sqlite3';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

/** What the terminals themselves recorded: every order a bartender saw approved, and whether the hub acked it. */
export interface TerminalRecord {
  id: string;
  status: string;
}

export function readTerminalOrders(dbPaths: string[]): TerminalRecord[] {
  const all: TerminalRecord[] = [];
  for (const p of dbPaths) {
    const db = new Database(p, { readonly: true, fileMustExist: true });
    try {
      all.push(...(db.prepare('SELECT id, status FROM orders').all() as TerminalRecord[]));
    } finally {
      db.close();
    }
  }
  return all;
}

export interface CloudRecord {
  id: string;
  terminal_id: string;
  seq: number;
}

const CLOUD_ORDERS_SQL = 'SELECT id::text AS id, terminal_id, seq FROM orders';

/** Reads the cloud's own database (after the cloud has stopped, for PGlite, which one process owns at a time). */
export async function readCloudOrders(source: { dataDir: string } | { databaseUrl: string }): Promise<CloudRecord[]> {
  if ('dataDir' in source) {
    const db = await PGlite.create(source.dataDir);
    try {
      return (await db.query<CloudRecord>(CLOUD_ORDERS_SQL)).rows;
    } finally {
      await db.close();
    }
  }
  const client = new pg.Client({ connectionString: source.databaseUrl });
  await client.connect();
  try {
    return (await client.query<CloudRecord>(CLOUD_ORDERS_SQL)).rows;
  } finally {
    await client.end();
  }
}

export interface Ledger {
  orders: number;
  acked: number;
  inCloud: number;
  duplicates: number;
  lost: number;
}

/**
 * Checks the ledger end to end. Lost: approved on a terminal, absent from the cloud. Duplicates: a cloud row beyond
 * the first for one (terminal, seq), or a cloud row no terminal made.
 */
export function reconcile(terminal: TerminalRecord[], cloud: CloudRecord[]): Ledger {
  const made = new Set(terminal.map((t) => t.id));
  const cloudIds = new Set<string>();
  const slots = new Set<string>();
  let duplicates = 0;
  for (const row of cloud) {
    const slot = `${row.terminal_id}#${row.seq}`;
    if (slots.has(slot) || cloudIds.has(row.id) || !made.has(row.id)) duplicates++;
    slots.add(slot);
    cloudIds.add(row.id);
  }
  let inCloud = 0;
  for (const id of made) if (cloudIds.has(id)) inCloud++;
  return {
    orders: made.size,
    acked: terminal.filter((t) => t.status === 'acked').length,
    inCloud,
    duplicates,
    lost: made.size - inCloud,
  };
}
