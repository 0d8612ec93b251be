import pg from 'pg';

export interface ClosablePool {
  pool: pg.Pool;
  /** Ends the pool and resolves once every connection it ever opened is closed on our side. */
  close(): Promise<void>;
}

/**
 * A node-postgres pool that can lose a connection without taking the process down, and closes for real.
 *
 * An idle connection can legitimately die (PostgreSQL restarted, an administrator or `DROP DATABASE … WITH (FORCE)`
 * terminated it): node-postgres then emits `error` on the pool, which without a listener is an uncaught exception.
 * The pool drops that connection and opens a new one on the next query, so reporting it is enough.
 *
 * `pool.end()` resolves as soon as it has *asked* its connections to end, before their sockets close; a connection
 * still open then can be killed by the server and error after its owner thought it closed. `close()` also waits
 * for each connection's own `remove` (emitted after its socket has closed).
 */
export function createPool(config: pg.PoolConfig, onError: (err: Error) => void): ClosablePool {
  const pool = new pg.Pool(config);
  const open = new Set<pg.PoolClient>();
  let allClosed: (() => void) | undefined;
  pool.on('error', (err) => onError(err));
  pool.on('connect', (client) => open.add(client));
  pool.on('remove', (client) => {
    open.delete(client);
    if (open.size === 0) allClosed?.();
  });
  let closing: Promise<void> | undefined;
  const close = async () => {
    await pool.end();
    if (open.size > 0) await new Promise<void>((resolve) => (allClosed = resolve));
  };
  return { pool, close: () => (closing ??= close()) };
}
