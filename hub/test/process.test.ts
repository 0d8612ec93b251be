import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CLI, connectTerminal, eventually, FakeCloud, forkHub, makeSale, pair, removeDir, tempDir } from './helpers.ts';

const run = promisify(execFile);

describe('the hub as a process', () => {
  let dir: string;
  let cloud: FakeCloud;

  before(async () => {
    dir = tempDir();
    cloud = await new FakeCloud().start();
  });
  after(async () => {
    await cloud.close();
    removeDir(dir);
  });

  test('SIGKILL mid-stream loses nothing acked, and the restarted hub uploads it all once', async () => {
    cloud.mode = 'fail'; // nothing leaves during the first run, so the outbox must carry everything
    const dataDir = `${dir}/kill`;
    const first = await forkHub(['--data-dir', dataDir, '--cloud-url', cloud.url, '--venue-key', 'k']);
    assert.match(first.ready.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(first.ready.pairingCode, /^\d{6}$/);
    const creds = await pair(first.ready.url, first.ready.pairingCode);
    const t = await connectTerminal(first.ready.url, { v: 1, terminalId: creds.terminalId, token: creds.token });

    // Keep pushing until a few hundred orders are acked, then kill the hub while pushes are in flight.
    const acked: string[] = [];
    let seq = 0;
    let stop = false;
    const pusher = (async () => {
      while (!stop) {
        const batch = Array.from({ length: 10 }, () => makeSale(creds.terminalId, ++seq));
        try {
          const ack = await t.push(batch);
          if (ack.ok) for (const r of ack.results) if (r.status === 'stored') acked.push(r.id);
        } catch {
          return; // the hub died mid-push: this batch was never acked
        }
      }
    })();
    await eventually(() => acked.length >= 300, '300 acked orders');
    first.child.kill('SIGKILL');
    const exit = await first.exited;
    assert.equal(exit.signal, 'SIGKILL');
    stop = true;
    t.close();
    await pusher;

    const db = new Database(`${dataDir}/hub.db`, { readonly: true });
    try {
      const has = db.prepare('SELECT 1 FROM orders o JOIN cloud_outbox c ON c.order_id = o.id WHERE o.id = ?');
      const missing = acked.filter((id) => !has.get(id));
      assert.deepEqual(missing, [], 'every acked order survived with its outbox row');
    } finally {
      db.close();
    }

    cloud.mode = 'ok';
    const second = await forkHub(['--data-dir', dataDir, '--cloud-url', cloud.url, '--venue-key', 'k']);
    try {
      assert.equal(second.ready.hubId, first.ready.hubId);
      await eventually(async () => {
        const s = (await (await fetch(`${second.ready.url}/v1/status`)).json()) as { queueDepth: number };
        return s.queueDepth === 0;
      }, 'the restarted hub to drain its outbox', 30_000);
      for (const id of acked) assert.equal(cloud.seen.get(id), 1, `order ${id} arrived once`);
    } finally {
      second.child.kill('SIGTERM');
      const e = await second.exited;
      assert.equal(e.code, 0, 'SIGTERM is a clean stop');
    }
  });

  test('`hub status` and `hub pair-code` talk to a running hub', async () => {
    const hub = await forkHub(['--data-dir', `${dir}/cli`, '--name', 'Main stage']);
    try {
      const code = await run(process.execPath, ['--import', 'tsx', CLI, 'pair-code', '--url', hub.ready.url]);
      assert.match(code.stdout.trim(), /^\d{6}$/);
      await pair(hub.ready.url, code.stdout.trim(), 'Bar North');
      const status = await run(process.execPath, ['--import', 'tsx', CLI, 'status', '--url', hub.ready.url]);
      assert.match(status.stdout, /Hub\s+Main stage/);
      assert.match(status.stdout, /Bar North/);
      assert.match(status.stdout, /Waiting for cloud\s+0/);
      assert.doesNotMatch(status.stdout, /\x1b\[/, 'no colour codes when not a TTY');
      await assert.rejects(run(process.execPath, ['--import', 'tsx', CLI, 'status', '--url', 'http://127.0.0.1:9']), (err: { stderr: string; code: number }) => {
        assert.equal(err.code, 1);
        assert.match(err.stderr, /cannot reach the hub/);
        return true;
      });
    } finally {
      hub.child.kill('SIGTERM');
      await hub.exited;
    }
  });
});
