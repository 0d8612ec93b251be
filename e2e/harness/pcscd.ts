import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pcscdReachable } from '../../desktop/src/nfc/pcscd-socket.ts';
import { VIRTUAL_READERS } from './virtual-tag.ts';

/*
 * The real pcscd for NFC tests, with the vsmartcard vpcd driver giving it two virtual readers.
 *
 * Ownership: ensurePcscd() uses a pcscd that is already running and starts its own (`pcscd -f`, a child of the test
 * process) only when none is. A test that takes pcscd away (kill()) stops whichever is running: our child, or a
 * pcscd someone else started, by the pid in its pid file. start() then brings up our own child. stop() at the end
 * stops our child and, if a pcscd that was not ours had been killed, starts a daemonised `pcscd` again, so the
 * machine is left as it was found.
 */

const PID_FILE = '/run/pcscd/pcscd.pid';
const VPCD_CONFIG = '/etc/reader.conf.d/vpcd';
const READY_TIMEOUT_MS = 15_000;

function findBinary(): string | null {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const p = path.join(dir, 'pcscd');
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not in this directory
    }
  }
  return null;
}

/** Whether this machine can run the NFC tests: pcscd and the vpcd driver, as the tests' skip message explains. */
export function pcscdAvailable(): { ok: true } | { ok: false; reason: string } {
  if (!findBinary()) return { ok: false, reason: 'pcscd is not installed (apt-get install pcscd)' };
  if (!existsSync(VPCD_CONFIG)) return { ok: false, reason: `the vpcd driver is not configured (${VPCD_CONFIG} is missing; apt-get install vsmartcard-vpcd)` };
  const lib = /^\s*LIBPATH\s+(\S+)/m.exec(readFileSync(VPCD_CONFIG, 'utf8'))?.[1];
  if (!lib || !existsSync(lib)) return { ok: false, reason: `the vpcd driver library ${lib ?? '(no LIBPATH)'} is missing (apt-get install vsmartcard-vpcd)` };
  return { ok: true };
}

/**
 * vpcd listens for virtual cards once pcscd has loaded the driver. Read from /proc rather than by connecting, since
 * a connection to that port IS a card on the reader.
 */
function vpcdListening(port = VIRTUAL_READERS[0].port): boolean {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    // columns: sl local_address rem_address st …; st 0A is LISTEN
    for (const line of text.split('\n')) {
      const [, local, , st] = line.trim().split(/\s+/);
      if (local?.endsWith(`:${hexPort}`) && st === '0A') return true;
    }
  }
  return false;
}

function runningPid(): number | null {
  try {
    // pcscd writes the pid, a newline and a NUL.
    const pid = Number(/\d+/.exec(readFileSync(PID_FILE, 'utf8'))?.[0]);
    if (!Number.isInteger(pid) || pid <= 0) return null;
    // A pcscd that was SIGKILLed leaves its pid file behind, and the pid may since belong to another process (kill()
    // would SIGTERM it): only a live process named pcscd counts.
    if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'pcscd') return null;
    return pid;
  } catch {
    return null;
  }
}

/** For another process's state, which sends us no event: polls until true or the deadline. */
async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = READY_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function ready(): Promise<boolean> {
  return vpcdListening() && (await pcscdReachable());
}

export interface PcscdControl {
  /** True when this harness started pcscd (it was not running). */
  readonly started: boolean;
  /** Takes pcscd away, whoever started it; resolves once its socket is gone. */
  kill(): Promise<void>;
  /** Starts our own pcscd; resolves once the vpcd readers are listening. */
  start(): Promise<void>;
  /** End of the tests: stops our pcscd and restores one that was running before, if kill() took it away. */
  stop(): Promise<void>;
}

export async function ensurePcscd(): Promise<PcscdControl> {
  const available = pcscdAvailable();
  if (!available.ok) throw new Error(`pcscd cannot run here: ${available.reason}`);
  const binary = findBinary()!;
  let child: ChildProcess | null = null;
  let stderr = '';
  let killedForeign = false;

  const startChild = async () => {
    if (child) return;
    stderr = '';
    const c = spawn(binary, ['-f'], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = c;
    c.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    let failure: Error | null = null;
    c.once('error', (err) => (failure ??= new Error(`could not start ${binary}: ${err.message}`)));
    c.once('exit', (code, signal) => {
      if (child === c) child = null;
      failure ??= new Error(`pcscd exited (${code ?? signal}) during start-up: ${stderr.trim() || '(no output)'}`);
    });
    try {
      await until(async () => {
        if (failure) throw failure;
        return ready();
      }, 'pcscd and its vpcd readers');
    } catch (err) {
      await stopChild();
      throw err;
    }
  };

  const stopChild = async () => {
    const c = child;
    if (!c) return;
    const exited = once(c, 'exit');
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    child = null;
  };

  const started = !(await ready());
  if (started) {
    if (runningPid() !== null || (await pcscdReachable())) {
      // Running but the vpcd readers are not (yet) listening: give a starting pcscd time, then say what is wrong.
      await until(ready, 'the running pcscd to load the vpcd driver').catch(() => {
        throw new Error('pcscd is running but the vpcd readers are not listening on 35963/35964; restart pcscd after installing vsmartcard-vpcd.');
      });
      return ensurePcscd();
    }
    await startChild();
  }

  return {
    started,
    start: startChild,
    kill: async () => {
      if (child) {
        await stopChild();
      } else {
        const pid = runningPid();
        if (pid !== null) {
          process.kill(pid, 'SIGTERM');
          killedForeign = true;
          await until(() => runningPid() === null, `pcscd (pid ${pid}) to exit`);
        }
      }
      await until(async () => !(await pcscdReachable()), 'the pcscd socket to close');
    },
    stop: async () => {
      await stopChild();
      if (killedForeign && !(await pcscdReachable())) {
        // Daemonised (no -f): it outlives the tests, as the one we killed would have.
        const d = spawn(binary, [], { stdio: 'ignore', detached: true });
        d.unref();
        await until(ready, 'the restored pcscd');
      }
    },
  };
}
