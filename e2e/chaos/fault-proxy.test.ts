import assert from 'node:assert/strict';
import { once } from 'node:events';
import net, { type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { FaultProxy } from '../harness/fault-proxy.ts';
import { waitFor } from '../harness/wait.ts';

/** A target that records what each connection sent and echoes it back. */
function recordingServer(): { server: Server; received: string[]; sockets: Socket[] } {
  const received: string[] = [];
  const sockets: Socket[] = [];
  const server = net.createServer((s) => {
    const i = received.push('') - 1;
    sockets.push(s);
    s.on('data', (d: Buffer) => {
      received[i] += d.toString();
      s.write(d);
    });
    s.on('error', () => undefined);
  });
  return { server, received, sockets };
}

async function connect(port: number): Promise<Socket> {
  const s = net.connect({ host: '127.0.0.1', port });
  await once(s, 'connect');
  return s;
}

/** Resolves with everything `s` receives until it has `length` characters. */
function readAtLeast(s: Socket, length: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const onData = (d: Buffer) => {
      got += d.toString();
      if (got.length >= length) {
        s.off('data', onData);
        resolve(got);
      }
    };
    s.on('data', onData);
    s.once('error', reject);
  });
}

describe('fault proxy', () => {
  const target = recordingServer();
  let proxy: FaultProxy;
  const clients: Socket[] = [];

  before(async () => {
    target.server.listen(0, '127.0.0.1');
    await once(target.server, 'listening');
    proxy = new FaultProxy({ targetPort: (target.server.address() as net.AddressInfo).port, name: 'test' });
    await proxy.listen();
  });

  after(async () => {
    for (const c of clients) c.destroy();
    await proxy.close();
    for (const s of target.sockets) s.destroy();
    await new Promise((r) => target.server.close(r));
  });

  async function client(): Promise<Socket> {
    const c = await connect(proxy.port);
    clients.push(c);
    c.write('hello');
    assert.equal(await readAtLeast(c, 5), 'hello', 'the proxy forwards both ways before any fault');
    return c;
  }

  test('a reset is seen by the client as ECONNRESET', async () => {
    const c = await client();
    const failed = once(c, 'error');
    assert.equal(proxy.reset(), true);
    const [err] = (await failed) as [NodeJS.ErrnoException];
    assert.equal(err.code, 'ECONNRESET');
    assert.equal(proxy.counts.resets, 1);
  });

  test('a drop ends the connection for the client without an error', async () => {
    const c = await client();
    let error: Error | null = null;
    c.on('error', (e) => (error = e));
    const closed = once(c, 'close');
    assert.equal(proxy.drop(), true);
    await closed;
    assert.equal(error, null);
    assert.equal(proxy.counts.drops, 1);
  });

  test('a stall holds everything, then delivers it all in order', async () => {
    const c = await client();
    const index = target.received.length - 1;
    const stallOver = proxy.stall(60_000);
    const parts = Array.from({ length: 50 }, (_, i) => `<${i}>`);
    for (const p of parts) c.write(p);
    const sent = parts.join('');
    // Every byte has reached the proxy and none has gone further: the stall holds them.
    await waitFor(() => proxy.queuedBytes === sent.length, { timeoutMs: 10_000, what: 'the proxy to hold the stalled bytes' });
    assert.equal(target.received[index], 'hello');
    assert.equal(proxy.openConnections >= 1, true, 'the stalled connection is held open');

    const echoed = readAtLeast(c, sent.length);
    proxy.heal();
    await stallOver;
    assert.equal(await echoed, sent, 'the client gets the echo of every part, in order');
    assert.equal(target.received[index], `hello${sent}`);
    assert.equal(proxy.counts.stalls, 1);
  });

  test('latency that changes mid-stream keeps the order of the bytes', async () => {
    const c = await client();
    const parts = Array.from({ length: 40 }, (_, i) => `[${i}]`);
    const sent = parts.join('');
    const echoed = readAtLeast(c, sent.length);
    proxy.setLatency(200);
    for (const p of parts.slice(0, 20)) c.write(p);
    // Only what the proxy has already queued under the long delay shows the reordering risk.
    await waitFor(() => proxy.queuedBytes > 0, { timeoutMs: 10_000, what: 'delayed bytes in the proxy' });
    proxy.setLatency(1);
    for (const p of parts.slice(20)) c.write(p);
    assert.equal(await echoed, sent);
    proxy.setLatency(0);
    assert.equal(proxy.counts.latencies, 1);
  });
});
