import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { cloudProcess, freePort, hubProcess, kioskProcess, terminalProcess, type KioskOptions, type TerminalOptions } from './venue.ts';
import { readCloudOrders, readTerminalOrders, reconcile, type Ledger } from './ledger.ts';
import type { ServiceProcess } from './service-process.ts';

/** A whole venue in a temporary folder for one test: the real cloud, hub and terminal processes. */
export class TestVenue {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'tapline-e2e-'));
  readonly venueKey = randomBytes(18).toString('base64url');
  readonly adminToken = randomBytes(18).toString('base64url');
  readonly processes: ServiceProcess[] = [];
  cloud!: ServiceProcess;
  hub!: ServiceProcess;
  cloudUrl = '';
  hubUrl = '';
  pairingCode = '';
  private cloudPort = 0;

  async startCloud(): Promise<void> {
    if (!this.cloudPort) this.cloudPort = await freePort();
    this.cloud ??= this.track(
      cloudProcess({ dir: path.join(this.dir, 'cloud'), port: this.cloudPort, venueKey: this.venueKey, adminToken: this.adminToken, bands: 300 }),
    );
    this.cloudUrl = (await this.cloud.start()).url!;
  }

  /** `lan: true` listens on every interface, so the hub also advertises itself over mDNS as a venue's would. */
  async startHub(o: { lan?: boolean; name?: string } = {}): Promise<void> {
    if (!this.hub) {
      const port = await freePort();
      this.hub = this.track(
        hubProcess({ dir: path.join(this.dir, 'hub'), port, cloudUrl: this.cloudUrl, venueKey: this.venueKey, ...(o.lan ? { host: '0.0.0.0' } : {}), ...(o.name ? { name: o.name } : {}) }),
      );
    }
    const ready = await this.hub.start();
    this.hubUrl = ready.url!;
    this.pairingCode = String(ready.pairingCode);
  }

  terminal(name: string, o: Partial<TerminalOptions> & Pick<TerminalOptions, 'orders'>): ServiceProcess {
    return this.track(
      terminalProcess({ dir: path.join(this.dir, 'terminals'), name, hubUrl: this.hubUrl, code: this.pairingCode, exitWhenDrained: true, ...o }),
    );
  }

  /** A browser kiosk's Node process (its page is opened by the test's own Chromium); `url` carries the page token. */
  kiosk(name: string, o: Omit<KioskOptions, 'dir' | 'name'> = {}): ServiceProcess {
    return this.track(kioskProcess({ dir: this.kioskDir(name), name, ...o }));
  }

  kioskDir(name: string): string {
    return path.join(this.dir, 'kiosks', name);
  }

  kioskDb(name: string): string {
    return path.join(this.kioskDir(name), 'terminal.db');
  }

  terminalDb(name: string): string {
    return path.join(this.dir, 'terminals', `${name}.db`);
  }

  async cloudOrderCount(): Promise<number> {
    const res = await fetch(`${this.cloudUrl}/v1/events/demo-event/summary`, { headers: { authorization: `Bearer ${this.venueKey}` } });
    if (!res.ok) throw new Error(`summary: HTTP ${res.status}`);
    return ((await res.json()) as { orders: number }).orders;
  }

  /** The cloud's copy of the demo event's orders, as head office reads them. */
  async cloudOrders(): Promise<Array<{ id: string; kind: string; total?: number; bandUid: string; terminalId: string }>> {
    const res = await fetch(`${this.cloudUrl}/v1/events/demo-event/orders?limit=1000`, { headers: { authorization: `Bearer ${this.venueKey}` } });
    if (!res.ok) throw new Error(`orders: HTTP ${res.status}`);
    return ((await res.json()) as { orders: Array<{ id: string; kind: string; total?: number; bandUid: string; terminalId: string }> }).orders;
  }

  /** Stops every process, then counts from the terminals' (or kiosks') files and the cloud's database. */
  async ledger(terminalNames: string[], dbFiles: string[] = []): Promise<Ledger> {
    await this.stopAll();
    return reconcile(
      readTerminalOrders([...terminalNames.map((n) => this.terminalDb(n)), ...dbFiles]),
      await readCloudOrders({ dataDir: path.join(this.dir, 'cloud', 'pgdata') }),
    );
  }

  async stopAll(): Promise<void> {
    const [cloud, hub] = [this.cloud, this.hub];
    await Promise.all(this.processes.filter((p) => p !== cloud && p !== hub).map((p) => p.stop()));
    await hub?.stop();
    await cloud?.stop();
  }

  async dispose(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.kill('SIGKILL')));
    for (const p of this.processes) p.closeLog();
    if (process.env.TAPLINE_KEEP_E2E) console.error(`e2e venue kept in ${this.dir}`);
    else rmSync(this.dir, { recursive: true, force: true });
  }

  private track(p: ServiceProcess): ServiceProcess {
    this.processes.push(p);
    return p;
  }
}

/**
 * Resolves with the first IPC message from `p` that satisfies `match`; rejects if `p` exits first, so a test never
 * waits forever on a process that has finished (a terminal that drained sooner than the test expected).
 */
export function nextMessage<T>(p: ServiceProcess, match: (m: T) => boolean): Promise<T> {
  return new Promise((resolve, reject) => {
    const on = (m: T) => {
      if (!match(m)) return;
      cleanup();
      resolve(m);
    };
    const onExit = (e: { code: number | null; signal: string | null }) => {
      cleanup();
      reject(new Error(`${p.spec.name} exited (code ${e.code}, signal ${e.signal}) before the awaited message; see ${p.spec.logFile}`));
    };
    const cleanup = () => {
      p.off('message', on);
      p.off('exit', onExit);
    };
    p.on('message', on);
    p.on('exit', onExit);
  });
}
