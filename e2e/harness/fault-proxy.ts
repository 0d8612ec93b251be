import net, { type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of one target port that injects the faults a venue's network really has: connections dropped
 * (both sides closed) or reset (RST, so the client sees ECONNRESET), latency (every chunk delayed, order kept) and
 * stalls (nothing forwarded for a while, connections held open, then everything delivered in order). The chaos run
 * puts one in front of every link; each fault it injects is counted.
 */
export interface FaultProxyOptions {
  /** The port the real service listens on (loopback). Read at each new connection, so it may change. */
  targetPort: number;
  targetHost?: string;
  /** 0 (default): any free port. Fixed ports let a proxy come back where its clients expect it. */
  listenPort?: number;
  name?: string;
  /** Picks the connection a drop or reset hits; seed it to replay a run. */
  random?: () => number;
}

export interface FaultCounts {
  connections: number;
  drops: number;
  resets: number;
  latencies: number;
  stalls: number;
}

/** Above this many queued bytes in one direction the sender is paused, so a stall cannot eat the proxy's memory. */
const HIGH_WATER = 1 << 20;

/** One direction of one connection: chunks wait for their release time (latency) and for the end of any stall. */
class Pipe {
  private queue: { at: number; chunk: Buffer }[] = [];
  private bytes = 0;
  private lastAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private waitingDrain = false;
  private srcEnded = false;

  constructor(
    private readonly src: Socket,
    private readonly dst: Socket,
    private readonly proxy: FaultProxy,
  ) {
    src.on('data', (chunk: Buffer) => {
      // Never earlier than the chunk before it: latency that shrinks mid-stream must not reorder bytes.
      this.lastAt = Math.max(Date.now() + proxy.latencyMs, this.lastAt);
      this.queue.push({ at: this.lastAt, chunk });
      this.bytes += chunk.length;
      if (this.bytes > HIGH_WATER) src.pause();
      this.pump();
    });
    src.on('end', () => {
      this.srcEnded = true;
      this.pump();
    });
  }

  pump = (): void => {
    if (this.timer || this.waitingDrain || this.dst.destroyed) return;
    while (this.queue.length) {
      if (this.proxy.stalled) return; // the proxy pumps every pipe when the stall ends
      const head = this.queue[0]!;
      const wait = head.at - Date.now();
      if (wait > 0) {
        this.timer = setTimeout(() => {
          this.timer = null;
          this.pump();
        }, wait);
        return;
      }
      this.queue.shift();
      this.bytes -= head.chunk.length;
      if (!this.dst.write(head.chunk)) {
        this.waitingDrain = true;
        this.dst.once('drain', () => {
          this.waitingDrain = false;
          this.pump();
        });
        return;
      }
    }
    if (this.src.isPaused() && !this.src.destroyed) this.src.resume();
    if (this.srcEnded && !this.dst.writableEnded) this.dst.end();
  };

  get queuedBytes(): number {
    return this.bytes;
  }

  sourceClosed(): void {
    this.srcEnded = true;
    this.pump();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.queue = [];
  }
}

class Connection {
  readonly pipes: Pipe[];
  constructor(
    readonly client: Socket,
    readonly server: Socket,
    proxy: FaultProxy,
  ) {
    this.pipes = [new Pipe(client, server, proxy), new Pipe(server, client, proxy)];
  }

  get established(): boolean {
    return !this.server.connecting && !this.client.destroyed && !this.server.destroyed;
  }
}

export class FaultProxy {
  latencyMs = 0;
  private stalledUntil = 0;
  private stallTimer: NodeJS.Timeout | null = null;
  private readonly stallWaiters: (() => void)[] = [];
  private server: Server | null = null;
  private readonly conns = new Set<Connection>();
  readonly counts: FaultCounts = { connections: 0, drops: 0, resets: 0, latencies: 0, stalls: 0 };
  port = 0;

  constructor(private readonly o: FaultProxyOptions) {}

  get name(): string {
    return this.o.name ?? `proxy:${this.o.targetPort}`;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get stalled(): boolean {
    return Date.now() < this.stalledUntil;
  }

  get openConnections(): number {
    return this.conns.size;
  }

  /** Bytes received and not yet forwarded (held by latency or a stall). */
  get queuedBytes(): number {
    let n = 0;
    for (const c of this.conns) for (const p of c.pipes) n += p.queuedBytes;
    return n;
  }

  /** Faults injected so far (connections are not faults). */
  get faults(): number {
    const c = this.counts;
    return c.drops + c.resets + c.latencies + c.stalls;
  }

  listen(): Promise<number> {
    const server = net.createServer((client) => this.accept(client));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.listenPort ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        this.port = (server.address() as net.AddressInfo).port;
        resolve(this.port);
      });
    });
  }

  private accept(client: Socket): void {
    this.counts.connections++;
    const server = net.connect({ host: this.o.targetHost ?? '127.0.0.1', port: this.o.targetPort });
    client.setNoDelay(true);
    server.setNoDelay(true);
    const conn = new Connection(client, server, this);
    const [toServer, toClient] = conn.pipes as [Pipe, Pipe];
    this.conns.add(conn);
    let closed = 0;
    // A refused or reset upstream is passed on as a reset, so the client learns at once, as it would without us.
    server.on('error', () => {
      if (!client.destroyed) client.resetAndDestroy();
    });
    client.on('error', () => {
      if (!server.destroyed) server.destroy();
    });
    // What a side sent before it closed still reaches the other side (then that side is ended), as TCP would do;
    // what was on its way to the closed side is thrown away.
    client.on('close', () => {
      toServer.sourceClosed();
      toClient.dispose();
      if (++closed === 2) this.conns.delete(conn);
    });
    server.on('close', () => {
      toClient.sourceClosed();
      toServer.dispose();
      if (++closed === 2) this.conns.delete(conn);
    });
  }

  private pick(): Connection | null {
    const live = [...this.conns].filter((c) => c.established);
    if (live.length === 0) return null;
    const r = this.o.random ?? Math.random;
    return live[Math.floor(r() * live.length)] ?? null;
  }

  /** Closes both sides of one open connection (a FIN each way: the peers see the connection end). */
  drop(): boolean {
    const c = this.pick();
    if (!c) return false;
    this.counts.drops++;
    c.client.destroy();
    c.server.destroy();
    return true;
  }

  /** Resets both sides of one open connection: each peer gets an RST and reads ECONNRESET. */
  reset(): boolean {
    const c = this.pick();
    if (!c) return false;
    this.counts.resets++;
    c.client.resetAndDestroy();
    c.server.resetAndDestroy();
    return true;
  }

  /** Delays every chunk forwarded from now on by `ms` (0 to stop); counted as a fault when it turns on. */
  setLatency(ms: number): void {
    if (ms > 0 && this.latencyMs === 0) this.counts.latencies++;
    this.latencyMs = ms;
  }

  /**
   * Forwards nothing for `ms` while holding every connection (and new ones) open; then delivers everything in
   * order. Resolves when the stall is over.
   */
  stall(ms: number): Promise<void> {
    this.counts.stalls++;
    this.stalledUntil = Math.max(this.stalledUntil, Date.now() + ms);
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = setTimeout(() => this.endStall(), this.stalledUntil - Date.now());
    return new Promise((resolve) => this.stallWaiters.push(resolve));
  }

  /** Ends every fault now: no latency, no stall. Open connections carry on. */
  heal(): void {
    this.latencyMs = 0;
    this.endStall();
  }

  private endStall(): void {
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = null;
    this.stalledUntil = 0;
    this.resumeAll();
    for (const resolve of this.stallWaiters.splice(0)) resolve();
  }

  private resumeAll(): void {
    for (const c of this.conns) for (const p of c.pipes) p.pump();
  }

  async close(): Promise<void> {
    this.heal();
    for (const c of this.conns) {
      c.client.destroy();
      c.server.destroy();
    }
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export interface RandomFaultOptions {
  random: () => number;
  /** Mean time between faults on this link (exponentially distributed gaps). */
  meanGapMs: number;
  /** Latency spikes: a delay from min to max ms for a window of min to max ms. */
  latencyMs?: [number, number];
  latencyWindowMs?: [number, number];
  /** Relative weights of the fault kinds. */
  weights?: { drop: number; reset: number; latency: number };
}

/**
 * Injects drops, resets and latency spikes at random on one proxy until stopped; the sequence of choices follows
 * `random`, so a seed replays the same plan (the moments they hit traffic still depend on timing).
 */
export function randomFaults(proxy: FaultProxy, o: RandomFaultOptions): { stop(): void } {
  const w = o.weights ?? { drop: 0.35, reset: 0.35, latency: 0.3 };
  const [latMin, latMax] = o.latencyMs ?? [50, 800];
  const [winMin, winMax] = o.latencyWindowMs ?? [500, 4000];
  const between = (a: number, b: number) => a + o.random() * (b - a);
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let latencyTimer: NodeJS.Timeout | null = null;
  const next = () => {
    if (stopped) return;
    const gap = -Math.log(1 - o.random()) * o.meanGapMs;
    timer = setTimeout(() => {
      const r = o.random() * (w.drop + w.reset + w.latency);
      if (r < w.drop) proxy.drop();
      else if (r < w.drop + w.reset) proxy.reset();
      else if (!latencyTimer) {
        proxy.setLatency(Math.round(between(latMin, latMax)));
        latencyTimer = setTimeout(() => {
          latencyTimer = null;
          proxy.setLatency(0);
        }, between(winMin, winMax));
      }
      next();
    }, gap);
  };
  next();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (latencyTimer) clearTimeout(latencyTimer);
      latencyTimer = null;
      proxy.setLatency(0);
    },
  };
}
