import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { isStorableText, PROTOCOL_VERSION, SyncPullRequest, type HubTerminalReport, type SyncPullResponse } from '@tapline/shared';
import type { RunningHub } from '../../hub/src/hub.ts';
import { eventually, makeSale, pair, pairAndConnect, removeDir, startTestHub, tempDir } from '../../hub/test/helpers.ts';

/*
 * The hub's side of the terminal report, against a stand-in cloud: it reports only to a cloud that says it takes the
 * report (an older cloud, or any stand-in, keeps getting GET pulls), with labels the cloud can store, and a cloud
 * rolled back to a version without the POST still gets its pull in the same cycle. Each terminal's report says how
 * many of its orders still wait for upload.
 */

type Mode = 'old' | 'new' | 'rolled-back';

function standInCloud() {
  /** Its pulls. */
  const seen: Array<{ method: string; body: unknown }> = [];
  let mode: Mode = 'old';
  /** Uploads are refused (503) until the test lets them through, so orders wait at the hub. */
  let takesPushes = false;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://x');
      if (req.method === 'POST' && url.pathname === '/v1/sync/push') {
        if (!takesPushes) return res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'internal', message: 'down for the test' }));
        const { orders } = JSON.parse(text) as { orders: Array<{ id: string }> };
        return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ v: PROTOCOL_VERSION, results: orders.map((o) => ({ id: o.id, status: 'stored' })) }));
      }
      seen.push({ method: req.method ?? '', body: text ? (JSON.parse(text) as unknown) : null });
      if (url.pathname !== '/v1/sync/pull' || (req.method === 'POST' && mode === 'rolled-back')) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'not_found', message: 'No such route.' } }));
        return;
      }
      const body: SyncPullResponse = { v: PROTOCOL_VERSION, venueId: 'v1', cursor: 0, more: false, changes: [], ...(mode === 'new' ? { takesTerminals: true } : {}) };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  return {
    seen,
    setMode: (m: Mode) => (mode = m),
    takePushes: () => (takesPushes = true),
    listen: () => new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('the hub reports its terminals on its pull, to a cloud that takes them', { timeout: 60_000 }, () => {
  const cloud = standInCloud();
  let hub: RunningHub;
  let dir: string;

  before(async () => {
    const url = await cloud.listen();
    dir = tempDir();
    hub = await startTestHub({ dataDir: dir, cloudUrl: url, venueKey: 'key', pullIntervalMs: 60_000 });
  });
  after(async () => {
    await hub?.close();
    await cloud.close();
    if (dir) removeDir(dir);
  });

  test('an old cloud: GET pulls only', async () => {
    await pair(hub.url, hub.pairingCode().code, 'North bar');
    await hub.pullConfigNow();
    await hub.pullConfigNow();
    assert.ok(cloud.seen.length >= 2);
    assert.deepEqual([...new Set(cloud.seen.map((s) => s.method))], ['GET']);
  });

  test('a cloud that takes them: the next cycle POSTs every paired terminal, labels made storable', async () => {
    // A pair name the hub accepted but the cloud could not store: a lone surrogate and U+0000.
    const odd = await pair(hub.url, hub.pairingCode().code, 'Bar \uD800 \u0000two');
    cloud.setMode('new');
    await hub.pullConfigNow(); // answered with takesTerminals
    cloud.seen.length = 0;
    await hub.pullConfigNow();
    assert.deepEqual(
      cloud.seen.map((s) => s.method),
      ['POST'],
    );
    const sent = SyncPullRequest.parse(cloud.seen[0]!.body);
    assert.equal(sent.hubId, hub.hubId);
    const terminals = sent.terminals as Array<{ id: string; label: string; online: boolean; lastSeenAt: string | null }>;
    assert.equal(terminals.length, 2);
    assert.ok(terminals.some((t) => t.label === 'North bar'));
    const reported = terminals.find((t) => t.id === odd.terminalId);
    // Whatever the hub's file kept of the surrogate, the label the cloud gets is storable and has no U+0000.
    assert.match(reported?.label ?? '', /^Bar \S+ two$/);
    assert.ok(isStorableText(reported!.label));
    assert.deepEqual([reported?.lastSeenAt, reported?.online], [null, false]);
  });

  test("each terminal's backlog: its orders waiting while the cloud refuses uploads, then none once they drain", async () => {
    const { creds, terminal } = await pairAndConnect(hub, 'South bar');
    try {
      const ack = await terminal.push([1, 2, 3].map((seq) => makeSale(creds.terminalId, seq)));
      assert.equal(ack.ok, true, JSON.stringify(ack));
      const reported = async () => {
        cloud.seen.length = 0;
        await hub.pullConfigNow();
        assert.deepEqual(
          cloud.seen.map((s) => s.method),
          ['POST'],
        );
        return new Map((SyncPullRequest.parse(cloud.seen[0]!.body).terminals as HubTerminalReport[]).map((t) => [t.id, t.backlog]));
      };
      const waiting = await reported();
      assert.equal(waiting.size, 3);
      assert.equal(waiting.get(creds.terminalId), 3);
      assert.deepEqual([...waiting.values()].sort(), [0, 0, 3]);

      cloud.takePushes();
      await eventually(() => hub.status().queueDepth === 0, 'the uploads to drain');
      assert.deepEqual([...(await reported()).values()], [0, 0, 0]);
    } finally {
      terminal.close();
    }
  });

  test('a cloud rolled back to GET only: the same cycle pulls by GET, and the uplink stays up', async () => {
    cloud.setMode('rolled-back');
    cloud.seen.length = 0;
    await hub.pullConfigNow();
    assert.deepEqual(
      cloud.seen.map((s) => s.method),
      ['POST', 'GET'],
    );
    assert.equal(hub.status().uplink.lastError, null);
    // Its GET answer does not say it takes reports: the next cycle does not try.
    cloud.seen.length = 0;
    await hub.pullConfigNow();
    assert.deepEqual(
      cloud.seen.map((s) => s.method),
      ['GET'],
    );
  });
});
