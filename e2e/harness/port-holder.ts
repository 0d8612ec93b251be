import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';

/**
 * An outgoing connection whose local port is `port`, as the kernel hands ephemeral ports out: no SO_REUSEADDR, so a
 * listener cannot bind the port beside it. Python's, because every socket Node binds itself has SO_REUSEADDR (libuv
 * sets it) and would stand in nobody's way. A TIME_WAIT already on the port refuses the bind for up to a minute, so
 * the holder waits that out.
 */
const HOLDER = `
import socket, sys, time
s = socket.socket()
for _ in range(450):
    try:
        s.bind(("127.0.0.1", int(sys.argv[1])))
        break
    except OSError:
        time.sleep(0.2)
s.connect(("127.0.0.1", int(sys.argv[2])))
s.recv(1)
s.close()
`;

export interface HeldPort {
  /** Closes the connection from the far side first, so the TIME_WAIT lands there and `port` is free at once. */
  release(): void;
  /** Ends the holder and its server, whatever state they are in. */
  stop(): void;
}

export async function holdPort(port: number): Promise<HeldPort> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const holder = spawn('python3', ['-c', HOLDER, String(port), String((server.address() as AddressInfo).port)], { stdio: ['ignore', 'ignore', 'inherit'] });
  const connected = await Promise.race([accepted, once(holder, 'exit').then(() => null)]);
  if (!connected) {
    server.close();
    throw new Error(`could not hold port ${port}: the holder exited before it connected`);
  }
  const [farSide] = connected;
  return {
    release: () => farSide.destroy(),
    stop: () => {
      holder.kill();
      farSide.destroy();
      server.close();
    },
  };
}
