import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newId, type OrdersPushAck } from '@tapline/shared';
import type { OrderStore } from '../src/db/order-store.ts';
import { formatStatus } from '../src/format-status.ts';
import type { RunningHub } from '../src/hub.ts';
import { PairingCodes } from '../src/pairing-codes.ts';
import { GroupCommit } from '../src/realtime/group-commit.ts';
import type { HubStatusReport } from '../src/status-report.ts';
import { DrainMeter } from '../src/uplink/drain-meter.ts';
import { makeSale, removeDir, silent, startTestHub, tempDir } from './helpers.ts';

describe('pairing codes', () => {
  test('a code is reusable until it expires, then the current code rotates', () => {
    let now = 1_000_000;
    const codes = new PairingCodes(10 * 60_000, () => now);
    const first = codes.current();
    assert.equal(codes.current().code, first.code);
    assert.ok(codes.isValid(first.code));
    now += 10 * 60_000 - 1;
    assert.ok(codes.isValid(first.code));
    now += 1;
    assert.equal(codes.isValid(first.code), false);
    assert.notEqual(codes.current().code, first.code);
  });

  test('issuing a fresh code does not revoke the others', () => {
    const codes = new PairingCodes();
    const a = codes.issue();
    const b = codes.issue();
    assert.notEqual(a.code, b.code);
    assert.ok(codes.isValid(a.code) && codes.isValid(b.code));
    assert.equal(codes.current().code, b.code);
    assert.equal(codes.isValid('12345'), false);
  });
});

describe('group commit', () => {
  const terminalId = 'term-1';

  test('a store that throws yields an internal error ack for every push, never a hang', async () => {
    const broken = {
      transaction: () => {
        throw new Error('disk I/O error');
      },
      insertFacts: () => [],
    } as unknown as OrderStore;
    const gc = new GroupCommit(broken, silent, () => undefined);
    const acks = await Promise.all([gc.push(terminalId, [makeSale(terminalId, 1)]), gc.push(terminalId, [makeSale(terminalId, 2)])]);
    for (const ack of acks) {
      assert.equal(ack.ok, false);
      assert.equal(!ack.ok && ack.error.code, 'internal');
    }
  });

  test('pushes of one turn share one transaction, and acks wait for it', async () => {
    let transactions = 0;
    let committed = false;
    const store = {
      transaction: <T>(fn: () => T): T => {
        transactions++;
        const r = fn();
        committed = true;
        return r;
      },
      insertFacts: (_t: string, facts: unknown[]) => facts.map(() => 'stored'),
    } as unknown as OrderStore;
    const gc = new GroupCommit(store, silent, () => undefined);
    const pushes = Array.from({ length: 5 }, (_, i) =>
      gc.push(terminalId, [makeSale(terminalId, i + 1)]).then((ack: OrdersPushAck) => {
        assert.ok(committed, 'acked only after the commit');
        return ack;
      }),
    );
    const acks = await Promise.all(pushes);
    assert.equal(transactions, 1);
    assert.ok(acks.every((a) => a.ok && a.results[0]?.status === 'stored'));
  });

  test('after close, pushes are refused with internal rather than lost', async () => {
    const store = { transaction: <T>(fn: () => T) => fn(), insertFacts: () => [] } as unknown as OrderStore;
    const gc = new GroupCommit(store, silent, () => undefined);
    gc.close();
    const ack = await gc.push(terminalId, [{ id: newId() }]);
    assert.equal(ack.ok, false);
  });
});

describe('drain meter', () => {
  test('rate over the window and an ETA for the backlog', () => {
    let now = 0;
    const m = new DrainMeter(30_000, () => now);
    assert.equal(m.rate(), 0);
    assert.equal(m.etaSeconds(10), null);
    assert.equal(m.etaSeconds(0), 0);
    m.record(500);
    now = 5_000;
    m.record(500);
    assert.equal(m.rate(), 200);
    assert.equal(m.etaSeconds(1000), 5);
    now = 60_000;
    assert.equal(m.rate(), 0, 'old samples leave the window');
  });

  test('the backlog peak holds while it drains and resets once the queue is empty', () => {
    const m = new DrainMeter();
    for (const depth of [10, 400, 250, 30]) m.observeBacklog(depth);
    assert.equal(m.peak, 400);
    m.observeBacklog(0);
    assert.equal(m.peak, 0);
    m.observeBacklog(12);
    assert.equal(m.peak, 12);
  });
});

describe('status output', () => {
  const report: HubStatusReport = {
    hubId: 'hub-1',
    name: 'Main stage',
    startedAt: '2025-01-01T00:00:00.000Z',
    uptimeSeconds: 60,
    serverTime: '2025-01-01T00:01:00.000Z',
    pairingCode: '123456',
    pairingCodeExpiresAt: '2025-01-01T00:10:00.000Z',
    terminals: [
      { id: 't1', name: 'Bar North', online: true, pairedAt: '2025-01-01T00:00:00.000Z', lastSeenAt: null, ordersReceived: 12 },
      { id: 't2', name: 'Desk', online: false, pairedAt: '2025-01-01T00:00:00.000Z', lastSeenAt: '2025-01-01T00:00:30.000Z', ordersReceived: 0 },
    ],
    ordersReceived: 12,
    queueDepth: 7,
    uplink: { state: 'offline', lastError: 'the cloud answered 500', lastSuccessAt: null, lastAttemptAt: null, lastUploadAt: null, cloudUrl: 'http://cloud' },
    drain: { rate: 0, etaSeconds: null, backlog: 7, peak: 7 },
    conflicts: 1,
    rejected: 0,
    registration: { attendees: 1200, paired: 845, blocked: 3 },
  };

  test('formatStatus aligns labels and lists terminals', () => {
    const text = formatStatus(report);
    assert.match(text, /^Hub {16}Main stage hub-1$/m);
    assert.match(text, /^Drain {14}waiting for the uplink; orders are safe on this hub$/m);
    assert.match(text, /^Waiting for cloud  7$/m);
    assert.match(text, /^Last error {9}the cloud answered 500$/m);
    assert.match(text, /Terminals \(1\/2 online\)/);
    assert.match(text, /● Bar North\s+12 orders\s+connected/);
    assert.match(text, /○ Desk\s+0 orders\s+seen 30 s ago/);
    assert.match(text, /^Registration {7}1,200 attendees, 845 bands paired, 3 blocked$/m);
  });
});

describe('status endpoints', () => {
  let dir: string;
  let hub: RunningHub;
  before(async () => {
    dir = tempDir();
    hub = await startTestHub({ dataDir: dir, name: 'Test hub' });
  });
  after(async () => {
    await hub.close();
    removeDir(dir);
  });

  test('GET / is the self-refreshing status page; GET /v1/status is its JSON', async () => {
    const page = await fetch(`${hub.url}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    const html = await page.text();
    assert.match(html, /fetch\('\/v1\/status'/);
    assert.match(html, /setInterval\(refresh, 2000\)/);
    const res = await fetch(`${hub.url}/v1/status`);
    const s = (await res.json()) as HubStatusReport;
    assert.equal(s.hubId, hub.hubId);
    assert.equal(s.name, 'Test hub');
    assert.equal(s.pairingCode, hub.pairingCode().code);
    assert.equal(s.queueDepth, 0);
    assert.equal(s.uplink.state, 'unknown');
    assert.deepEqual(s.drain, { rate: 0, etaSeconds: 0, backlog: 0, peak: 0 });
  });

  test('unknown endpoints answer 404 not_found as JSON', async () => {
    const res = await fetch(`${hub.url}/v1/nope`);
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { code: string }).code, 'not_found');
  });
});
