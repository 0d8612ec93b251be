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

/** TCP sockets of this machine by local port, with their state (the st column: 01 established, 06 TIME_WAIT, 0A listen). */
function tcpStatesOn(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const states: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    // columns: sl local_address rem_address st …
    for (const line of text.split('\n')) {
      const [, local, , st] = line.trim().split(/\s+/);
      if (local?.endsWith(`:${hexPort}`) && st) states.push(st);
    }
  }
  return states;
}

/**
 * vpcd listens for virtual cards once pcscd has loaded the driver. Read from /proc rather than by connecting, since
 * a connection to that port IS a card on the reader.
 */
function vpcdListening(port = VIRTUAL_READERS[0].port): boolean {
  return tcpStatesOn(port).includes('0A');
}

const STATE_NAMES: Record<string, string> = { '01': 'an open connection', '06': 'a TIME_WAIT', '08': 'a CLOSE_WAIT' };

/**
 * The vpcd ports lie inside Linux's ephemeral range (32768–60999), so any outgoing connection on this machine may be
 * given one as its local port, and keeps it for a minute in TIME_WAIT after it closes. vpcd then cannot listen there:
 * pcscd starts without the virtual readers (this failed CI once). `.ci/run` reserves the two ports
 * (net.ipv4.ip_local_reserved_ports); elsewhere this names what holds them, and start-up waits it out.
 */
function vpcdPortsHeld(): string | null {
  for (const r of VIRTUAL_READERS) {
    const held = tcpStatesOn(r.port).filter((st) => st !== '0A');
    if (held.length > 0) return `port ${r.port} is the local port of ${held.map((st) => STATE_NAMES[st] ?? `a socket in state ${st}`).join(', ')}`;
  }
  return null;
}

const RESERVE_HINT = 'reserve the vpcd ports from the ephemeral range: sysctl -w net.ipv4.ip_local_reserved_ports=35963-35964';
/** A TIME_WAIT lasts 60 s on Linux. */
const PORTS_FREE_TIMEOUT_MS = 75_000;

/** What pcscd prints (in the foreground, at its default level) when vpcd could not listen on its port. */
const VPCD_INIT_FAILED = /Virtual PCD init failed|Could not initialize connection to virtual ICC/;

class VpcdPortTaken extends Error {}

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

export interface EnsurePcscdOptions {
  /** Told when start-up waits for another socket to let go of a vpcd port (what holds it). */
  onPortWait?: (held: string) => void;
}

export async function ensurePcscd(opts: EnsurePcscdOptions = {}): Promise<PcscdControl> {
  const available = pcscdAvailable();
  if (!available.ok) throw new Error(`pcscd cannot run here: ${available.reason}`);
  const binary = findBinary()!;
  let child: ChildProcess | null = null;
  let output = '';
  let killedForeign = false;

  const startChild = async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await startChildOnce();
      } catch (err) {
        if (!(err instanceof VpcdPortTaken) || attempt >= 3) throw err;
        const held = vpcdPortsHeld() ?? 'a vpcd port was taken';
        console.error(`\n  pcscd started without its vpcd readers: ${held}. Waiting for it to close, then starting again (${RESERVE_HINT}).\n`);
        opts.onPortWait?.(held);
        await until(() => vpcdPortsHeld() === null, `the vpcd ports to be free (${held}; ${RESERVE_HINT})`, PORTS_FREE_TIMEOUT_MS);
      }
    }
  };

  const startChildOnce = async () => {
    if (child) return;
    output = '';
    const c = spawn(binary, ['-f'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    const keep = (d: Buffer) => (output = (output + d.toString()).slice(-4000));
    c.stdout?.on('data', keep);
    c.stderr?.on('data', keep);
    let failure: Error | null = null;
    c.once('error', (err) => (failure ??= new Error(`could not start ${binary}: ${err.message}`)));
    c.once('exit', (code, signal) => {
      if (child === c) child = null;
      failure ??= new Error(`pcscd exited (${code ?? signal}) during start-up: ${output.trim() || '(no output)'}`);
    });
    try {
      await until(async () => {
        if (failure) throw failure;
        if (VPCD_INIT_FAILED.test(output)) {
          throw new VpcdPortTaken(`pcscd could not open the vpcd readers (${vpcdPortsHeld() ?? 'port taken'}): ${output.trim()}`);
        }
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
        const held = vpcdPortsHeld();
        const ports = VIRTUAL_READERS.map((r) => r.port).join('/');
        throw new Error(
          held
            ? `pcscd is running without its vpcd readers: ${held}. Restart pcscd once it has closed, and ${RESERVE_HINT}.`
            : `pcscd is running but the vpcd readers are not listening on ${ports}; restart pcscd after installing vsmartcard-vpcd.`,
        );
      });
      return ensurePcscd(opts);
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
