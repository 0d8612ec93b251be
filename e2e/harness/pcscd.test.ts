/**
 * The pcscd harness against the real pcscd: a vpcd port held by another socket (an outgoing connection that the
 * kernel gave 35963 as its ephemeral port) once kept the virtual readers away and failed CI. Start-up must see it,
 * wait for the port, and come up with its readers.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import { pcscdReachable } from '../../desktop/src/nfc/pcscd-socket.ts';
import { ensurePcscd, pcscdAvailable } from './pcscd.ts';
import { placeTag, VIRTUAL_READERS } from './virtual-tag.ts';

const available = pcscdAvailable();
if (!available.ok) {
  if (process.env.CI === 'true') throw new Error(`the pcscd harness test needs pcscd with vpcd: ${available.reason}`);
  console.error(`\n  SKIPPING the pcscd harness test: ${available.reason}.\n`);
}

/**
 * An outgoing connection with the vpcd port as its local port, as the kernel hands them out: without SO_REUSEADDR,
 * which every socket Node binds itself has (libuv sets it), and which lets vpcd listen beside it. Python's does not.
 */
const HOLDER = `
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
s.connect(("127.0.0.1", int(sys.argv[2])))
print("held", flush=True)
s.recv(1)
s.close()
`;

test('pcscd start-up waits out a socket holding a vpcd port, then has its readers', { skip: !available.ok, timeout: 60_000 }, async (t) => {
  if (await pcscdReachable()) {
    if (process.env.CI === 'true') assert.fail('a pcscd is already running, so the harness cannot show its own start-up');
    t.skip('a pcscd is already running here');
    return;
  }
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const holder = spawn('python3', ['-c', HOLDER, String(VIRTUAL_READERS[0].port), String((server.address() as { port: number }).port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.after(() => {
    holder.kill();
    server.close();
  });
  const [serverSide] = await accepted;

  let waitedFor = '';
  const pcscd = await ensurePcscd({
    onPortWait: (held) => {
      waitedFor = held;
      // The server closes first, so the TIME_WAIT lands on the server's port and the vpcd port is free at once.
      serverSide.destroy();
    },
  });
  t.after(() => pcscd.stop());
  assert.match(waitedFor, new RegExp(`port ${VIRTUAL_READERS[0].port} is the local port of an open connection`));
  assert.equal(pcscd.started, true);
  // The reader is pcscd's: it polls a band placed on it.
  const band = await placeTag('04A1B2C3D4E5F6');
  await band.afterPolls(1);
  assert.ok(band.polls() >= 1);
  await band.remove();
});
