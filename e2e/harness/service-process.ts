import { fork, type ChildProcess } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync, type WriteStream } from 'node:fs';
import { EventEmitter } from 'node:events';

export interface ReadyMessage {
  type: 'ready';
  url?: string;
  [key: string]: unknown;
}

export interface ServiceSpec {
  name: string;
  /** A TypeScript entry file, run with tsx. */
  entry: string;
  args?: string[];
  env?: Record<string, string>;
  /** Where the child's stdout and stderr go; appended across restarts. */
  logFile: string;
  readyTimeoutMs?: number;
  /**
   * The data this process owns (a SQLite file, a data folder). Two live processes on one data path would write one
   * database as two different terminals or hubs, so start() refuses while another process holds it.
   */
  dataPath?: string;
}

class PortTaken extends Error {}
const PORT_TAKEN_ATTEMPTS = 8;

/** Data paths held by a live child of this harness process, and by which ServiceProcess. */
const holders = new Map<string, ServiceProcess>();

/**
 * A live process anywhere on this machine that has `dataPath` among its arguments (`--db x`, `--data-dir x`): an
 * orphan of an earlier harness, say. Linux only (/proc); elsewhere the check inside this process is all there is.
 */
function otherProcessOn(dataPath: string): number | null {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return null;
  }
  for (const pid of pids) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(dataPath)) return Number(pid);
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return null;
}

/**
 * One Tapline process (cloud, hub or terminal) run the way a venue runs it: a separate OS process, so a SIGKILL is a
 * real crash. It tells us it is ready over IPC; everything it prints goes to its log file.
 */
export class ServiceProcess extends EventEmitter {
  child: ChildProcess | null = null;
  private log: WriteStream;
  starts = 0;

  constructor(readonly spec: ServiceSpec) {
    super();
    this.log = createWriteStream(spec.logFile, { flags: 'a' });
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(extraArgs: string[] = []): Promise<ReadyMessage> {
    // A process that comes back on its old port can find an outgoing connection of this machine holding it: the
    // kernel hands out the same ephemeral range that freePort() drew the port from. That connection closes soon, so a
    // refused bind is tried again; any other failure is the test's.
    this.starts++;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.startOnce(extraArgs);
      } catch (err) {
        if (!(err instanceof PortTaken) || attempt >= PORT_TAKEN_ATTEMPTS) throw err;
        this.note({ msg: 'harness saw the port taken; starting again', attempt });
        this.emit('port-taken', attempt);
        await new Promise((r) => setTimeout(r, 250 * attempt));
      }
    }
  }

  private startOnce(extraArgs: string[]): Promise<ReadyMessage> {
    const { spec } = this;
    // Starting over a live child would orphan it: it would keep writing the same data, unseen and unkillable here.
    if (this.running) {
      return Promise.reject(new Error(`${spec.name} is already running (pid ${this.child?.pid}): stop it before starting it again`));
    }
    const holder = spec.dataPath ? holders.get(spec.dataPath) : undefined;
    if (holder?.running) {
      return Promise.reject(new Error(`${spec.name}: ${spec.dataPath} is in use by ${holder.spec.name} (pid ${holder.child?.pid})`));
    }
    const stray = spec.dataPath ? otherProcessOn(spec.dataPath) : null;
    if (stray !== null) {
      return Promise.reject(new Error(`${spec.name}: ${spec.dataPath} is in use by pid ${stray}, which this harness did not start`));
    }
    // process.execPath itself, never a wrapper (tsx or npm would run node as a grandchild): a SIGKILL here is a
    // SIGKILL of the runtime, and 'exit' means the runtime has gone.
    const child = fork(spec.entry, [...(spec.args ?? []), ...extraArgs], {
      execPath: process.execPath,
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child = child;
    if (spec.dataPath) holders.set(spec.dataPath, this);
    this.note({ msg: 'harness started the process', pid: child.pid, start: this.starts });
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    let printed = '';
    const keep = (d: Buffer) => (printed = (printed + d.toString()).slice(-8000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    // Only the current child speaks for this service: a late event from an earlier one must not look like ours.
    child.on('message', (m) => this.child === child && this.emit('message', m));
    child.on('exit', (code, signal) => {
      this.note({ msg: 'harness saw the process exit', pid: child.pid, code, signal });
      if (spec.dataPath && holders.get(spec.dataPath) === this && this.child === child) holders.delete(spec.dataPath);
      if (this.child === child) this.emit('exit', { code, signal });
    });
    return new Promise<ReadyMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${spec.name} did not report ready within ${spec.readyTimeoutMs ?? 60_000} ms; see ${spec.logFile}`));
      }, spec.readyTimeoutMs ?? 60_000);
      const onMessage = (m: unknown) => {
        if ((m as { type?: string })?.type === 'ready') {
          cleanup();
          resolve(m as ReadyMessage);
        }
      };
      const onExit = (code: number | null, signal: string | null) => {
        cleanup();
        const why = `${spec.name} exited before ready (code ${code}, signal ${signal}); see ${spec.logFile}`;
        reject(/EADDRINUSE/.test(printed) ? new PortTaken(why) : new Error(why));
      };
      const cleanup = () => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      child.on('message', onMessage);
      child.on('exit', onExit);
    });
  }

  /** Resolves when the process has exited (at once if it is not running). */
  exited(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => child.once('exit', () => resolve()));
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.running) return;
    const gone = this.exited();
    this.child?.kill(signal);
    await gone;
  }

  /** SIGTERM, then SIGKILL if it has not gone after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    const gone = this.exited();
    this.child?.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
  }

  send(message: unknown): void {
    this.child?.send(message as never);
  }

  /** A line of our own in the child's log (same JSON-lines shape), so a log tells which pid ran when and how it ended. */
  private note(fields: Record<string, unknown>): void {
    if (!this.log.writableEnded) this.log.write(`${JSON.stringify({ time: Date.now(), name: 'harness', service: this.spec.name, ...fields })}\n`);
  }

  closeLog(): void {
    this.log.end();
  }
}
