import type { OrderFact } from '@tapline/shared';
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, afterEach, before, describe, test } from 'node:test';
import { FakeHub } from './helpers/fake-hub.ts';
import { allEntities, EVENT } from './helpers/fixtures.ts';
import { tempDir } from './helpers/temp.ts';

const entry = fileURLToPath(new URL('../src/sim/sim-terminal.ts', import.meta.url));
const tmp = tempDir();
let hub: FakeHub;
const children: ChildProcess[] = [];

type Msg = { type: string; created?: number; acked?: number; declined?: number; rejected?: number; terminalId?: string };

function startSim(args: string[]): ChildProcess {
  const child = fork(entry, args, {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, TAPLINE_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += String(d)));
  child.on('exit', (code) => {
    if (code && code !== 0) process.stderr.write(`sim-terminal exited ${code}: ${stderr}\n`);
  });
  children.push(child);
  return child;
}

/** The next IPC message that satisfies `pred`; fails if the process exits first. */
function nextMessage(child: ChildProcess, pred: (m: Msg) => boolean): Promise<Msg> {
  return new Promise((resolve, reject) => {
    const onMsg = (m: Msg) => {
      if (!pred(m)) return;
      cleanup();
      resolve(m);
    };
    const onExit = (code: number | null, signal: string | null) => {
      cleanup();
      reject(new Error(`sim-terminal exited (code ${code}, signal ${signal}) before the expected message`));
    };
    const cleanup = () => {
      child.off('message', onMsg);
      child.off('exit', onExit);
    };
    child.on('message', onMsg);
    child.on('exit', onExit);
  });
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve({ code: child.exitCode, signal: child.signalCode })
    : new Promise<{ code: number | null; signal: string | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));

function storedSeqs(terminalId: string): number[] {
  return [...hub.stored.values()]
    .map((s) => s.fact as OrderFact)
    .filter((f) => f.terminalId === terminalId)
    .map((f) => f.seq)
    .sort((a, b) => a - b);
}

before(async () => {
  // Generous offline limits: these runs are about counts and resumption, not the policy.
  const entities = allEntities().map((e) =>
    e.kind === 'event' ? { kind: 'event' as const, data: { ...EVENT, offlineBandAllowance: 1_000_000, offlineTerminalTotal: 10_000_000 } } : e,
  );
  hub = await new FakeHub(entities).start();
});
afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGKILL');
      await exited(c);
    }
  }
});
after(async () => {
  await hub.stop();
  tmp.cleanup();
});

describe('sim-terminal process', () => {
  test('pairs, sells N orders, reports done when drained and exits with --exit-when-drained', async () => {
    const child = startSim(['--db', tmp.file('a.db'), '--hub', hub.url, '--code', hub.code, '--name', 'sim-a', '--orders', '30', '--rate', '200', '--seed', '7', '--exit-when-drained']);
    const ready = await nextMessage(child, (m) => m.type === 'ready');
    assert.ok(ready.terminalId);
    const done = await nextMessage(child, (m) => m.type === 'done');
    assert.equal(done.created, 30);
    assert.equal(done.acked, 30);
    assert.equal(done.rejected, 0);
    assert.deepEqual(await exited(child), { code: 0, signal: null });
    assert.deepEqual(storedSeqs(ready.terminalId!), Array.from({ length: 30 }, (_, i) => i + 1));
    const totals = new Set([...hub.stored.values()].map((s) => (s.fact as OrderFact & { total: number }).total));
    assert.ok(totals.size > 1, 'totals vary');
  });

  test('survives SIGKILL: a restart on the same file continues the count and pairs only once', async () => {
    const db = tmp.file('b.db');
    const args = ['--db', db, '--hub', hub.url, '--code', hub.code, '--name', 'sim-b', '--orders', '25', '--rate', '10', '--seed', '9'];
    const first = startSim(args);
    const ready = await nextMessage(first, (m) => m.type === 'ready');
    const tokensAfterPairing = hub.tokens.size;
    await nextMessage(first, (m) => m.type === 'progress' && (m.created ?? 0) >= 3);
    first.kill('SIGKILL');
    await exited(first);

    const second = startSim(args);
    const again = await nextMessage(second, (m) => m.type === 'ready');
    assert.equal(again.terminalId, ready.terminalId, 'same identity from the file');
    assert.equal(hub.tokens.size, tokensAfterPairing, 'did not pair again');
    const done = await nextMessage(second, (m) => m.type === 'done');
    assert.equal(done.created, 25);
    assert.equal(done.acked, 25);
    assert.deepEqual(storedSeqs(ready.terminalId!), Array.from({ length: 25 }, (_, i) => i + 1), 'no order lost or repeated');
    // Without --exit-when-drained it waits for the orchestrator, then stops cleanly on SIGTERM.
    assert.equal(second.exitCode, null);
    second.kill('SIGTERM');
    assert.deepEqual(await exited(second), { code: 0, signal: null });
  });

  test('keeps selling while the hub is down; everything arrives once it is back', async () => {
    const child = startSim(['--db', tmp.file('c.db'), '--hub', hub.url, '--code', hub.code, '--orders', '30', '--rate', '15', '--seed', '3', '--exit-when-drained']);
    const ready = await nextMessage(child, (m) => m.type === 'ready');
    await hub.stop();
    const before = await nextMessage(child, (m) => m.type === 'progress');
    const later = await nextMessage(child, (m) => m.type === 'progress' && (m.created ?? 0) > (before.created ?? 0));
    assert.ok((later.created ?? 0) > (later.acked ?? 0), 'orders made offline wait for the hub');
    await hub.start();
    const done = await nextMessage(child, (m) => m.type === 'done');
    assert.equal(done.acked, 30);
    assert.deepEqual(storedSeqs(ready.terminalId!), Array.from({ length: 30 }, (_, i) => i + 1));
    assert.deepEqual(await exited(child), { code: 0, signal: null });
  });
});
