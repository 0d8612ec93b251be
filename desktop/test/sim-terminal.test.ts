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

/** Its log (JSON lines on stdout), kept per child for the tests that read why it stopped. */
const logs = new Map<ChildProcess, string[]>();

function startSim(args: string[], o: { logLevel?: string; execArgv?: string[]; failureExpected?: boolean } = {}): ChildProcess {
  const child = fork(entry, args, {
    execArgv: ['--import', 'tsx', ...(o.execArgv ?? [])],
    env: { ...process.env, TAPLINE_LOG_LEVEL: o.logLevel ?? 'warn' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const lines: string[] = [];
  logs.set(child, lines);
  let partial = '';
  child.stdout?.on('data', (d) => {
    const parts = (partial + String(d)).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
  });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += String(d)));
  child.on('exit', (code) => {
    if (code && code !== 0 && !o.failureExpected) process.stderr.write(`sim-terminal exited ${code}: ${stderr}\n`);
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

/**
 * Resolves once the child has exited and its stdout is read to the end, so its last log lines are in. Not 'close':
 * after the parent's own disconnect() Node never emits it.
 */
async function exited(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  const out = child.stdout;
  const drained = !out || out.readableEnded ? Promise.resolve() : new Promise<void>((r) => out.once('end', () => r()));
  const exit =
    child.exitCode !== null || child.signalCode !== null
      ? { code: child.exitCode, signal: child.signalCode }
      : await new Promise<{ code: number | null; signal: string | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  await drained;
  return exit;
}

/** The messages of its log lines, in order. */
const logMessages = (child: ChildProcess) =>
  logs.get(child)!.filter((l) => l.startsWith('{')).map((l) => (JSON.parse(l) as { msg: string }).msg);

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

  test('logs the signal that stopped it and the exit reason (SIGHUP: exit 129)', async () => {
    const child = startSim(['--db', tmp.file('d.db'), '--hub', hub.url, '--code', hub.code, '--orders', '1000', '--rate', '5', '--seed', '4'], { logLevel: 'info', failureExpected: true });
    await nextMessage(child, (m) => m.type === 'ready');
    child.kill('SIGHUP');
    assert.deepEqual(await exited(child), { code: 129, signal: null });
    const msgs = logMessages(child);
    assert.ok(msgs.includes('received SIGHUP: stopping'), msgs.join('\n'));
    assert.equal(msgs.at(-1), 'exiting with code 129: signal SIGHUP');
  });

  test('stops, and says so, when its parent goes away', async () => {
    const child = startSim(['--db', tmp.file('e.db'), '--hub', hub.url, '--code', hub.code, '--orders', '1000', '--rate', '5', '--seed', '5'], { logLevel: 'info' });
    await nextMessage(child, (m) => m.type === 'ready');
    child.disconnect();
    assert.deepEqual(await exited(child), { code: 0, signal: null });
    const msgs = logMessages(child);
    assert.ok(msgs.includes('the parent process went away (IPC channel closed): stopping'), msgs.join('\n'));
    assert.equal(msgs.at(-1), 'exiting with code 0: parent gone');
  });

  test('an uncaught error is logged with its message before the process exits 1', async () => {
    // A preload that throws outside any handler of the simulator's own when asked: as a bug in the runtime would.
    const thrower = `data:text/javascript,process.on('message',(m)=>{if(m==='throw')setImmediate(()=>{throw new Error('boom from a timer')})})`;
    const child = startSim(['--db', tmp.file('f.db'), '--hub', hub.url, '--code', hub.code, '--orders', '1000', '--rate', '5', '--seed', '6'], { execArgv: ['--import', thrower], failureExpected: true });
    await nextMessage(child, (m) => m.type === 'ready');
    child.send('throw');
    assert.deepEqual(await exited(child), { code: 1, signal: null });
    const msgs = logMessages(child);
    assert.ok(msgs.includes('uncaught exception: boom from a timer'), msgs.join('\n'));
    assert.equal(msgs.at(-1), 'exiting with code 1: uncaughtException: boom from a timer');
  });
});
