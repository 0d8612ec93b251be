/**
 * What both simulated terminal processes share (sim-terminal.ts sells, remote-terminal.ts answers calls): a log whose
 * last lines survive the exit, the IPC line to the parent, pairing with retries, and a lifecycle that writes in the
 * log which signal, error or event ended the process. A supervisor that sees "exited by itself" finds why there.
 */
import pino, { type Logger } from 'pino';
import pRetry, { AbortError } from 'p-retry';
import { openTerminal, TerminalError, type Terminal } from '../runtime/index.ts';
import { createLogger } from '../runtime/log.ts';

/**
 * pino writes to a pipe asynchronously: the lines that say why the process stopped would be lost at process.exit.
 * On a pipe or file the simulator logs synchronously (a few lines a second); on a terminal the pretty transport
 * flushes itself at exit.
 */
export function simLogger(name: string): Logger {
  if (process.stdout.isTTY) return createLogger(name);
  return pino({ name, level: process.env.TAPLINE_LOG_LEVEL ?? 'info' }, pino.destination({ dest: 1, sync: true }));
}

export function sendToParent(msg: Record<string, unknown>): void {
  if (process.send && process.connected) process.send(msg);
}

/** Exit codes by signal, the shell's convention (128 + number); a stop asked for by SIGTERM or SIGINT is a clean 0. */
const STOP_SIGNALS = { SIGTERM: 0, SIGINT: 0, SIGHUP: 128 + 1 } as const;

export interface LifecycleOptions {
  /**
   * Stay alive while the parent is connected even with nothing else to do (a process driven by the parent's calls).
   * Otherwise the IPC channel does not hold the process open, so a process with no work left exits and says so.
   */
  holdForParent?: boolean;
}

/**
 * Installs the handlers that end the process, each logged with its reason: SIGTERM, SIGINT and SIGHUP, the parent
 * going away, an uncaught error or rejection, and an event loop that ran empty. Cleanups (closing the terminal's
 * database and hub link) run once, in the order given, before the exit.
 */
export class ProcessLifecycle {
  stopping = false;
  private reason: string | null = null;
  private readonly cleanups: Array<() => Promise<void> | void> = [];

  constructor(private readonly log: Logger, options: LifecycleOptions = {}) {
    for (const [signal, code] of Object.entries(STOP_SIGNALS)) {
      process.on(signal, () => {
        if (this.stopping) {
          // A second signal while the cleanups hang: the sender asked twice, so go now.
          log.warn({ signal, reason: this.reason }, `received ${signal} again while stopping: exiting now`);
          process.exit(code);
        }
        log[code === 0 ? 'info' : 'warn']({ signal }, `received ${signal}: stopping`);
        void this.stop(`signal ${signal}`, code);
      });
    }
    if (process.send) {
      process.on('disconnect', () => {
        log.warn('the parent process went away (IPC channel closed): stopping');
        void this.stop('parent gone', 0);
      });
      if (!options.holdForParent) process.channel?.unref();
    }
    process.on('uncaughtException', (err, origin) => {
      log.fatal({ err, origin }, `${origin === 'unhandledRejection' ? 'unhandled rejection' : 'uncaught exception'}: ${err?.message ?? String(err)}`);
      void this.stop(`${origin}: ${err?.message ?? String(err)}`, 1);
    });
    process.on('beforeExit', (code) => {
      if (this.stopping || this.reason) return;
      this.reason = 'event loop empty';
      log.warn({ code }, 'nothing left to run (no hub link, no timer, no call to wait for): exiting by itself');
    });
    process.on('exit', (code) => {
      const reason = this.reason ?? 'process.exit';
      log[code === 0 ? 'info' : 'warn']({ code, reason }, `exiting with code ${code}: ${reason}`);
    });
  }

  onStop(cleanup: () => Promise<void> | void): void {
    this.cleanups.push(cleanup);
  }

  /** Runs the cleanups once and exits with `code`; later calls wait for the first one's exit. */
  async stop(reason: string, code = 0): Promise<never> {
    if (this.stopping) return new Promise<never>(() => undefined);
    this.stopping = true;
    this.reason = reason;
    // Under the harness's 10 s grace before its SIGKILL: a hung close still leaves a reason in the log.
    setTimeout(() => {
      this.log.error({ reason }, 'cleanup took over 8 s: exiting without it');
      process.exit(code);
    }, 8_000);
    for (const cleanup of this.cleanups) {
      try {
        await cleanup();
      } catch (err) {
        this.log.error({ err }, 'cleanup failed');
      }
    }
    process.exit(code);
  }

  /** For main().catch: the error that ended the run, logged in full, exit 1. */
  fatal(err: unknown): Promise<never> {
    this.log.fatal({ err }, err instanceof Error ? err.message : String(err));
    return this.stop(`fatal: ${err instanceof Error ? err.message : String(err)}`, 1);
  }
}

export interface PairedTerminalOptions {
  db: string;
  hub?: string;
  code?: string;
  name: string;
}

/**
 * The terminal on its own SQLite file, paired with the hub if it is not yet (the hub may still be starting: only
 * what waiting can fix is retried). Closed by the lifecycle's stop.
 */
export async function openPairedTerminal(o: PairedTerminalOptions, log: Logger, life: ProcessLifecycle): Promise<Terminal> {
  const t = openTerminal({ dbPath: o.db, logger: log });
  life.onStop(() => t.close());
  if (!t.isPaired()) {
    if (!o.hub || !o.code) throw new TerminalError('not_paired', 'This terminal is not paired: pass --hub and --code.');
    const { hub, code } = o;
    await pRetry(
      async () => {
        try {
          return await t.pair(hub, code, o.name);
        } catch (err) {
          if (err instanceof TerminalError && err.code === 'hub_unreachable') throw err;
          throw new AbortError(err as Error);
        }
      },
      { retries: 20, minTimeout: 250, maxTimeout: 2_000, randomize: true },
    );
  }
  return t;
}
