import { fork, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
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

  start(extraArgs: string[] = []): Promise<ReadyMessage> {
    const { spec } = this;
    this.starts++;
    const child = fork(spec.entry, [...(spec.args ?? []), ...extraArgs], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child = child;
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    child.on('message', (m) => this.emit('message', m));
    child.on('exit', (code, signal) => this.emit('exit', { code, signal }));
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
        reject(new Error(`${spec.name} exited before ready (code ${code}, signal ${signal}); see ${spec.logFile}`));
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

  closeLog(): void {
    this.log.end();
  }
}
