import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ConfigChange } from '@tapline/shared';
import type { RunningHub } from '../src/hub.ts';
import { connectTerminal, eventually, FakeCloud, pair, removeDir, startTestHub, tempDir } from './helpers.ts';

const product = (seq: number, id: string, price: number): ConfigChange => ({
  seq,
  entity: { kind: 'product', data: { id, eventId: 'evt-1', name: `Product ${id}`, category: 'Drinks', price, active: true } },
});
const band = (seq: number, uid: string, status: 'active' | 'blocked'): ConfigChange => ({
  seq,
  entity: { kind: 'band', data: { uid, eventId: 'evt-1', attendeeId: null, firstName: null, status, hasCard: true, tabLimit: null } },
});

describe('config puller', () => {
  let dir: string;
  let cloud: FakeCloud;
  let hub: RunningHub;

  before(async () => {
    dir = tempDir();
    cloud = await new FakeCloud().start();
    cloud.pullPageSize = 2; // forces the hub to follow `more`
    // A long interval: the test drives pulls with pullConfigNow() so each step is awaited, not slept on.
    hub = await startTestHub({ dataDir: dir, cloudUrl: cloud.url, venueKey: 'k', pullIntervalMs: 60_000 });
  });
  after(async () => {
    await hub.close();
    await cloud.close();
    removeDir(dir);
  });

  test('changes pulled from the cloud reach connected terminals as config {full:false}; new terminals get a full snapshot', async () => {
    const creds = await pair(hub.url, hub.pairingCode().code);
    const auth = { v: 1, terminalId: creds.terminalId, token: creds.token };
    const t = await connectTerminal(hub.url, auth);
    try {
      await t.nextConfig((m) => m.full);
      cloud.configLog.push(product(1, 'beer', 650), product(2, 'wine', 800), band(3, '04A1B2C3', 'active'));
      await hub.pullConfigNow();
      const last = await t.nextConfig((m) => !m.full && m.cursor === 3);
      assert.equal(last.v, 1);
      assert.equal(t.configs.filter((m) => !m.full).length, 2, 'two pages: two changes, then one');
      const received = t.configs.filter((m) => !m.full).flatMap((m) => m.entities);
      assert.deepEqual(
        received.map((e) => e.kind),
        ['product', 'product', 'band'],
      );

      // A later change overrides the earlier one; the puller resumes from its cursor.
      cloud.configLog.push(band(4, '04A1B2C3', 'blocked'));
      await hub.pullConfigNow();
      const blocked = await t.nextConfig((m) => !m.full && m.cursor === 4);
      assert.deepEqual(blocked.entities, [band(4, '04A1B2C3', 'blocked').entity]);

      const t2 = await connectTerminal(hub.url, auth);
      try {
        const snapshot = await t2.nextConfig((m) => m.full);
        assert.equal(snapshot.cursor, 4);
        assert.equal(snapshot.entities.length, 3);
        const b = snapshot.entities.find((e) => e.kind === 'band');
        assert.equal(b?.kind === 'band' && b.data.status, 'blocked');
      } finally {
        t2.close();
      }
    } finally {
      t.close();
    }
  });

  test('a failing pull only marks the uplink offline', async () => {
    cloud.pullFails = true;
    await hub.pullConfigNow();
    const s = hub.status();
    assert.equal(s.uplink.state, 'offline');
    assert.match(s.uplink.lastError ?? '', /503/);
    cloud.pullFails = false;
    cloud.configLog.push(product(5, 'water', 300));
    await hub.pullConfigNow();
    await eventually(() => hub.status().uplink.state === 'online', 'uplink back online');
  });
});
