/**
 * The harness must never leave a runtime it cannot see: a chaos run once had two terminal processes on one SQLite
 * file (a restart raced a retry), which the ledger then read as lost and doubled orders.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { holdPort } from '../harness/port-holder.ts';
import { freePort } from '../harness/ports.ts';
import { ServiceProcess } from '../harness/service-process.ts';

const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/idle-service.ts');

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('one live process per data path; SIGKILL reaches the runtime itself', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tapline-service-process-'));
  const dataPath = path.join(dir, 'terminal.db');
  const a = new ServiceProcess({ name: 'a', entry, logFile: path.join(dir, 'a.log'), dataPath });
  const b = new ServiceProcess({ name: 'b', entry, logFile: path.join(dir, 'b.log'), dataPath });
  t.after(async () => {
    await Promise.all([a.kill(), b.kill()]);
    a.closeLog();
    b.closeLog();
    rmSync(dir, { recursive: true, force: true });
  });

  const ready = await a.start();
  const pid = a.child!.pid!;
  // The pid that answered is the one we signal: no wrapper process between the harness and the runtime.
  assert.equal(ready.pid, pid);

  await assert.rejects(a.start(), /already running/);
  await assert.rejects(b.start(), /in use by a/);
  assert.equal(a.child!.pid, pid, 'the refused start must not replace the live child');

  await a.kill('SIGKILL');
  assert.equal(alive(pid), false, 'the runtime itself is gone after SIGKILL');

  const readyB = await b.start();
  assert.notEqual(readyB.pid, pid);
  await assert.rejects(a.start(), /in use by b/);
});

test('only the current child speaks for the service', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tapline-service-process-'));
  const p = new ServiceProcess({ name: 'p', entry, logFile: path.join(dir, 'p.log') });
  t.after(async () => {
    await p.kill();
    p.closeLog();
    rmSync(dir, { recursive: true, force: true });
  });
  await p.start();
  const first = p.child!;
  const exits: unknown[] = [];
  p.on('exit', (e) => exits.push(e));
  await p.kill('SIGKILL');
  assert.deepEqual(exits, [{ code: null, signal: 'SIGKILL' }]);

  await p.start();
  // A late message from the earlier child (here replayed by hand) must not count as the new one's.
  const heard: unknown[] = [];
  p.on('message', (m) => heard.push(m));
  first.emit('message', { type: 'progress', created: 999 });
  first.emit('exit', 0, null);
  assert.deepEqual(heard, []);
  assert.equal(exits.length, 1);
  assert.equal(p.running, true);
});

test('a process this harness did not start, on the same data, also blocks a start', { skip: process.platform !== 'linux' && 'needs /proc' }, async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tapline-service-process-'));
  const dataPath = path.join(dir, 'terminal.db');
  // Stands for an orphan left by an earlier run: a process with the data path among its arguments.
  const orphan = spawn(process.execPath, ['-e', 'setInterval(() => undefined, 60_000)', '--', '--db', dataPath], { stdio: 'ignore' });
  await once(orphan, 'spawn');
  const p = new ServiceProcess({ name: 'p', entry, logFile: path.join(dir, 'p.log'), dataPath });
  t.after(async () => {
    orphan.kill('SIGKILL');
    await p.kill();
    p.closeLog();
    rmSync(dir, { recursive: true, force: true });
  });
  await assert.rejects(p.start(), new RegExp(`in use by pid ${orphan.pid}, which this harness did not start`));
  assert.equal(p.running, false);
  orphan.kill('SIGKILL');
  await once(orphan, 'exit');
  await p.start();
  assert.equal(p.running, true);
});

test('a process coming back on its old port waits out a connection that holds it', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tapline-service-process-'));
  const port = await freePort();
  const held = await holdPort(port);
  const p = new ServiceProcess({ name: 'hub', entry, logFile: path.join(dir, 'hub.log'), env: { FIXTURE_PORT: String(port) } });
  t.after(async () => {
    held.stop();
    await p.kill();
    p.closeLog();
    rmSync(dir, { recursive: true, force: true });
  });

  const attempts: number[] = [];
  p.on('port-taken', (attempt: number) => {
    attempts.push(attempt);
    held.release();
  });
  const ready = await p.start();
  assert.equal(ready.port, port, 'the process listens on its old port');
  assert.deepEqual(attempts, [1], 'the first bind was refused, the second took the port');
  assert.equal(p.starts, 1, 'a retried bind is one start');
});
