import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { PairResponse, PROTOCOL_VERSION } from '@tapline/shared';
import { startHub, type RunningHub, type StartHubOptions } from '../../hub/src/hub.ts';
import { jsonRequest, send } from './wire.ts';

export const silent = pino({ level: process.env.TAPLINE_LOG_LEVEL ?? 'silent' });

export interface FuzzHub {
  hub: RunningHub;
  /** Row counts of every table a request can write, read from the hub's file by another connection. */
  counts(): Record<string, number>;
  /** Each band's tab as the hub keeps it. */
  bandTotal(bandUid: string): number;
  pair(name?: string): Promise<PairResponse>;
  close(): Promise<void>;
}

const HUB_TABLES = ['terminals', 'orders', 'cloud_outbox', 'conflicts', 'rejected', 'band_tabs', 'config', 'meta', 'attendees', 'band_overlay'] as const;

/** A hub on a free loopback port in a temp folder, offline (no cloud), so its outbox only grows by what tests push. */
export function startFuzzHub(): Promise<FuzzHub> {
  return startFuzzHubWith({});
}

/** The same with other options (a cloud to upload to). */
export async function startFuzzHubWith(options: Omit<StartHubOptions, 'dataDir' | 'port' | 'host' | 'logger'>): Promise<FuzzHub> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tapline-fuzz-hub-'));
  const hub = await startHub({ port: 0, host: '127.0.0.1', dataDir: dir, logger: silent, name: 'Fuzz hub', ...options });
  const reader = new Database(hub.dbFile, { readonly: true, fileMustExist: true });
  const countStmts = HUB_TABLES.map((t) => [t, reader.prepare(`SELECT COUNT(*) AS n FROM ${t}`)] as const);
  const tabStmt = reader.prepare('SELECT total FROM band_tabs WHERE band_uid = ?');
  return {
    hub,
    counts: () => Object.fromEntries(countStmts.map(([t, s]) => [t, (s.get() as { n: number }).n])),
    bandTotal: (bandUid) => (tabStmt.get(bandUid) as { total: number } | undefined)?.total ?? 0,
    pair: async (name = 'Fuzz bar') => {
      const res = await send(hub.url, jsonRequest('POST', '/v1/pair', { v: PROTOCOL_VERSION, code: hub.pairingCode().code, name }));
      if (res.status !== 200) throw new Error(`pairing failed: HTTP ${res.status} ${res.text}`);
      return PairResponse.parse(res.json);
    },
    close: async () => {
      reader.close();
      await hub.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `after - before` per table, leaving out the unchanged ones, for messages. */
export function countDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const d: Record<string, number> = {};
  for (const k of Object.keys(after)) if (after[k] !== before[k]) d[k] = after[k]! - (before[k] ?? 0);
  return d;
}
