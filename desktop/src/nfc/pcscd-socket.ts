import { connect } from 'node:net';

/** Where libpcsclite finds pcscd: the same variable the library itself honours, else its built-in default. */
export function pcscdSocketPath(): string {
  return process.env.PCSCLITE_CSOCK_NAME || '/run/pcscd/pcscd.comm';
}

/**
 * Whether pcscd accepts connections right now. A stale socket file left by a killed pcscd is refused, so this is
 * stronger than checking that the file exists.
 */
export function pcscdReachable(socketPath = pcscdSocketPath(), timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
