import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { CONTRACT_FILES, contractsAvailable } from './local-stripe/contracts.ts';
import { freePort } from './ports.ts';

/*
 * Prism (@stoplight/prism-cli 5.14.x; 5.16 needs a newer Node than 20) serving Twilio's own OpenAPI description, so
 * the official twilio SDK can be tested over real HTTP. Prism checks each request against the spec (a missing `To`
 * is a 422, a missing Authorization header a 401) and answers with the spec's example; it does not check phone
 * number formats or unknown parameters.
 */

const require = createRequire(import.meta.url);
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 5_000;

export interface PrismServer {
  /** http://127.0.0.1:PORT: what TAPLINE_TWILIO_URL should be. */
  readonly url: string;
  readonly port: number;
  /** The last lines Prism printed (it logs every request it checks, with the violations). */
  output(): string;
  stop(): Promise<void>;
}

function prismEntry(): string | null {
  try {
    const pkgPath = require.resolve('@stoplight/prism-cli/package.json');
    const bin = (JSON.parse(readFileSync(pkgPath, 'utf8')) as { bin: Record<string, string> }).bin.prism;
    const entry = path.resolve(path.dirname(pkgPath), bin ?? 'dist/index.js');
    return existsSync(entry) ? entry : null;
  } catch {
    return null;
  }
}

/** Whether Prism and Twilio's spec are here; the reason is a sentence for a skip (or a failure under CI=true). */
export function prismAvailable(): { ok: true } | { ok: false; reason: string } {
  const contracts = contractsAvailable('twilioSpec');
  if (!contracts.ok) return contracts;
  if (!prismEntry()) return { ok: false, reason: '@stoplight/prism-cli is not installed (it is a devDependency of e2e: run npm install)' };
  return { ok: true };
}

/** Starts `prism mock` on a free loopback port with the given spec (Twilio's by default); resolves once it answers. */
export async function startPrism(options: { spec?: string; port?: number; readyTimeoutMs?: number } = {}): Promise<PrismServer> {
  const available = prismAvailable();
  if (!available.ok) throw new Error(`Prism cannot start: ${available.reason}.`);
  const spec = options.spec ?? CONTRACT_FILES.twilioSpec;
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  // Its own process group, so stop() ends Prism and anything it forks, and nothing else.
  const child: ChildProcess = spawn(process.execPath, [prismEntry()!, 'mock', '-h', '127.0.0.1', '-p', String(port), spec], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);

  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const signal = (s: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, s);
      } catch {
        // already gone
      }
    };
    signal('SIGTERM');
    const timer = setTimeout(() => signal('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };

  const timeoutMs = options.readyTimeoutMs ?? READY_TIMEOUT_MS;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`Prism did not start within ${timeoutMs} ms. Its output:\n${out.slice(-3000)}`));
      }, timeoutMs);
      const onData = () => {
        if (out.includes('Prism is listening on')) {
          cleanup();
          resolve();
        }
      };
      const onExit = (code: number | null, sig: string | null) => {
        cleanup();
        reject(new Error(`Prism exited during start-up (${code ?? sig}). Its output:\n${out.slice(-3000)}`));
      };
      const onError = (err: Error) => {
        cleanup();
        reject(new Error(`Prism could not be started: ${err.message}`));
      };
      const cleanup = () => {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.off('exit', onExit);
        child.off('error', onError);
      };
      child.stdout!.on('data', onData);
      child.once('exit', onExit);
      child.once('error', onError);
      onData();
    });
    // The log line comes as the socket opens; one real request proves it answers (any HTTP status will do).
    const res = await fetch(`${url}/2010-04-01/Accounts.json`, { signal: AbortSignal.timeout(10_000) });
    await res.arrayBuffer();
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, port, output: () => out, stop };
}
