import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ConfigChange, ErrorBody, TerminalStanding } from '@tapline/shared';
import type { RunningHub } from '../src/hub.ts';
import { connectTerminal, FakeCloud, makeSale, pair, removeDir, startTestHub, statuses, tempDir } from './helpers.ts';

const standing = (seq: number, id: string, status: TerminalStanding['status'], reason: string | null): ConfigChange => ({
  seq,
  entity: { kind: 'terminal', data: { id, venueId: 'venue-1', status, reason } },
});

/** The socket's next `event` (socket.io-client's Socket is not a Node EventEmitter, so events.once does not fit). */
function nextEvent<T>(socket: { once(event: string, fn: (arg: T) => void): unknown }, event: string): Promise<T> {
  return new Promise((resolve) => socket.once(event, resolve));
}

describe('a terminal revoked by head office', () => {
  let dir: string;
  let cloud: FakeCloud;
  let hub: RunningHub;

  before(async () => {
    dir = tempDir();
    cloud = await new FakeCloud().start();
    // Pulls are driven with pullConfigNow(), so each step is awaited rather than slept on.
    hub = await startTestHub({ dataDir: dir, cloudUrl: cloud.url, venueKey: 'k', pullIntervalMs: 60_000 });
  });
  after(async () => {
    await hub.close();
    await cloud.close();
    removeDir(dir);
  });

  test('is disconnected at once with `revoked`, refused from then on, never sent the standing; its earlier orders stay', async () => {
    const stolen = await pair(hub.url, hub.pairingCode().code, 'Bar 1');
    const other = await pair(hub.url, hub.pairingCode().code, 'Bar 2');
    const auth = { v: 1, terminalId: stolen.terminalId, token: stolen.token };
    const t = await connectTerminal(hub.url, auth);
    const peer = await connectTerminal(hub.url, { v: 1, terminalId: other.terminalId, token: other.token });
    try {
      await t.nextConfig((m) => m.full);
      const before = makeSale(stolen.terminalId, 1);
      const ack = await t.push([before]);
      assert.ok(ack.ok, JSON.stringify(ack));
      assert.deepEqual(statuses(ack.results), ['stored']);

      const told = nextEvent<ErrorBody>(t.socket, 'terminal:revoked');
      const gone = nextEvent<string>(t.socket, 'disconnect');
      cloud.configLog.push(standing(1, stolen.terminalId, 'revoked', 'Stolen from the north bar'));
      await hub.pullConfigNow();
      const body = await told;
      assert.deepEqual(body, { code: 'revoked', message: 'This terminal was revoked by head office: Stolen from the north bar' });
      assert.equal(await gone, 'io server disconnect');

      // A new handshake with the same credentials is refused with the same code.
      await assert.rejects(connectTerminal(hub.url, auth), (err: Error & { data?: ErrorBody }) => {
        assert.equal(err.data?.code, 'revoked');
        assert.match(err.data?.message ?? '', /revoked by head office: Stolen/);
        return true;
      });

      // The other terminal stays connected and never hears of its peer's standing.
      assert.ok(peer.socket.connected);
      assert.ok(peer.configs.every((m) => m.entities.every((e) => e.kind !== 'terminal')));
      const late = await connectTerminal(hub.url, { v: 1, terminalId: other.terminalId, token: other.token });
      try {
        const snap = await late.nextConfig((m) => m.full);
        assert.ok(snap.entities.every((e) => e.kind !== 'terminal'));
      } finally {
        late.close();
      }

      const s = hub.status();
      const row = s.terminals.find((x) => x.id === stolen.terminalId);
      assert.equal(row?.revoked, true);
      assert.equal(row?.revokedReason, 'Stolen from the north bar');
      assert.equal(row?.ordersReceived, 1, 'what it sold before the revocation stays');
      assert.equal(s.terminals.find((x) => x.id === other.terminalId)?.revoked, false);
    } finally {
      t.close();
      peer.close();
    }
  });

  test('restored by head office, it may connect and push again', async () => {
    const creds = await pair(hub.url, hub.pairingCode().code, 'Desk');
    const auth = { v: 1, terminalId: creds.terminalId, token: creds.token };
    cloud.configLog.push(standing(2, creds.terminalId, 'revoked', null));
    await hub.pullConfigNow();
    await assert.rejects(connectTerminal(hub.url, auth), (err: Error & { data?: ErrorBody }) => {
      assert.equal(err.data?.code, 'revoked');
      assert.equal(err.data?.message, 'This terminal was revoked by head office.');
      return true;
    });
    cloud.configLog.push(standing(3, creds.terminalId, 'active', null));
    await hub.pullConfigNow();
    const t = await connectTerminal(hub.url, auth);
    try {
      const ack = await t.push([makeSale(creds.terminalId, 1)]);
      assert.ok(ack.ok, JSON.stringify(ack));
      assert.equal(hub.status().terminals.find((x) => x.id === creds.terminalId)?.revoked, false);
    } finally {
      t.close();
    }
  });
});
