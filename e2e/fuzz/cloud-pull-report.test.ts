/**
 * Fuzzing `POST /v1/sync/pull`, the pull that carries the hub's terminals for head office's Devices screen: hostile
 * and mutated envelopes and terminal reports get a configuration page or a clear 4xx (nothing written), a terminal the
 * cloud cannot read is left out while its readable neighbours are kept, and good traffic still works after.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { HubTerminalReport, PROTOCOL_VERSION, SyncPullResponse } from '@tapline/shared';
import { queryRows } from '../../cloud/src/db/raw-sql.ts';
import { CLOUD_TEXT, changedTables, startFuzzCloud, VENUE, type FuzzCloud } from './cloud-fixture.ts';
import { announceSeed, fuzz } from './fuzz-run.ts';
import { hostileJson, mutationsOf } from './hostile.ts';
import { assertAnsweredWell, describeRequest, jsonRequest, send } from './wire.ts';

let f: FuzzCloud;
before(async () => {
  announceSeed('cloud-pull-report');
  f = await startFuzzCloud();
});
after(async () => {
  await f?.close();
});

const HUB_ID = 'fuzz-hub';
const report = (n: number) => ({ id: `fuzz-terminal-${n}`, label: `Bar ${n}`, pairedAt: '2026-11-20T10:00:00.000Z', lastSeenAt: null, online: true });
const envelope = (terminals: unknown[]) => ({ v: PROTOCOL_VERSION, hubId: HUB_ID, cursor: 0, limit: 5, terminals });
const KEPT = report(1);

const storedTerminals = async () =>
  queryRows<{ terminal_id: string; label: string }>(f.cloud.database.db, sql`select terminal_id, label from hub_terminals`);

/** A hub's plain pull with one good report: a page, and the terminal listed. */
async function goodPull(): Promise<void> {
  const res = await send(f.cloud.url, jsonRequest('POST', '/v1/sync/pull', envelope([KEPT]), VENUE));
  assert.equal(res.status, 200, `a good pull after hostile input: ${res.text}`);
  assert.ok(SyncPullResponse.safeParse(res.json).success);
  assert.ok((await storedTerminals()).some((t) => t.terminal_id === KEPT.id), 'the good report is listed');
}

test('pull reports: hostile and mutated envelopes and terminals get a page or a clear 4xx; only readable terminals are kept', async () => {
  await goodPull();
  const body = fc.oneof(
    hostileJson(CLOUD_TEXT).map((value) => ({ value, keeps: null as string | null })),
    mutationsOf(envelope([report(2)]), CLOUD_TEXT).map((m) => ({ value: m.value, keeps: null as string | null })),
    // A readable terminal beside mutated ones: the pull answers and the readable one is kept.
    fc
      .array(mutationsOf(report(3), CLOUD_TEXT).map((m) => m.value), { minLength: 1, maxLength: 5 })
      .map((bad) => ({ value: envelope([report(4), ...bad]), keeps: report(4).id as string | null })),
  );
  let sinceGood = 0;
  await fuzz(
    fc.asyncProperty(body, async ({ value, keeps }) => {
      const before = await f.snapshot();
      const r = jsonRequest('POST', '/v1/sync/pull', value, VENUE);
      const res = await send(f.cloud.url, r);
      const what = describeRequest(r);
      if (assertAnsweredWell(res, 'nested', what) === null) {
        assert.ok(SyncPullResponse.safeParse(res.json).success, `a 200 is a SyncPullResponse\n${what}`);
        if (keeps) assert.ok((await storedTerminals()).some((t) => t.terminal_id === keeps), `a readable terminal was dropped\n${what}`);
      } else {
        assert.deepEqual(changedTables(before, await f.snapshot()), [], `a refused pull wrote\n${what}`);
      }
      for (const t of await storedTerminals()) {
        assert.ok(HubTerminalReport.shape.id.safeParse(t.terminal_id).success && HubTerminalReport.shape.label.safeParse(t.label).success, `an unreadable terminal was kept: ${JSON.stringify(t)}\n${what}`);
      }
      if (++sinceGood >= 10) {
        sinceGood = 0;
        await goodPull();
      }
    }),
  );
  await goodPull();
});
