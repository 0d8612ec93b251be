import type { Logger } from 'pino';
import {
  describeZodError,
  MAX_REPORTED_TERMINALS,
  PROTOCOL_VERSION,
  SyncPullResponse,
  type ConfigEntity,
  type HubTerminalReport,
  type SyncPullRequest,
  type TerminalStanding,
} from '@tapline/shared';
import type { PullGeneration } from '../db/band-state.ts';
import { applyConfigChanges, configCursor, type Registration } from '../db/config-store.ts';
import type { HubDrizzle } from '../db/open.ts';
import { CloudError, cloudRequest } from './cloud-request.ts';
import type { UplinkStatus } from './uplink-status.ts';

export interface ConfigPullerOptions {
  db: HubDrizzle;
  registration: Registration;
  /** Moved on at the start of every pull cycle. */
  generation: PullGeneration;
  cloudUrl: string;
  venueKey: string;
  uplink: UplinkStatus;
  log: Logger;
  /** Default 3000. */
  pullIntervalMs?: number;
  requestTimeoutMs?: number;
  /** Called after each page is committed with the entities it changed and the new cursor. */
  onChanges: (entities: ConfigEntity[], cursor: number) => void;
  /** Called after each page is committed with the terminal standings it carried (never sent to terminals). */
  onTerminals?: (standings: TerminalStanding[]) => void;
  /** This hub's id and its paired terminals, reported to head office's Devices screen on each cycle's first pull. */
  report?: { hubId: string; terminals: () => HubTerminalReport[] };
}

/** A pair name the cloud can store: at most 60 characters, no U+0000 or lone surrogate (pairing did not refuse them). */
function storableLabel(name: string): string {
  const clean = name.toWellFormed().replaceAll('\u0000', '').trim().slice(0, 60).toWellFormed().trim();
  return clean || 'Terminal';
}

/** The report a pull carries: the terminals heard from most recently first, as many as the cloud takes. */
function terminalReport(terminals: readonly HubTerminalReport[]): HubTerminalReport[] {
  return [...terminals]
    .sort((a, b) => Number(b.online) - Number(a.online) || (b.lastSeenAt ?? '').localeCompare(a.lastSeenAt ?? '') || a.id.localeCompare(b.id))
    .slice(0, MAX_REPORTED_TERMINALS)
    .map((t) => ({ ...t, label: storableLabel(t.label) }));
}

/**
 * Pulls the cloud's configuration log from the hub's cursor, page by page while `more`, at start and every
 * `pullIntervalMs`. Each page and the cursor are committed together. A failure only marks the uplink offline:
 * the venue keeps trading on the configuration it has.
 */
export class ConfigPuller {
  private readonly stopController = new AbortController();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  /** The cloud's last pull answer said it takes terminal reports (an older cloud, or a stand-in, only answers GET). */
  private cloudTakesTerminals = false;

  constructor(private readonly o: ConfigPullerOptions) {}

  start(): void {
    this.schedule(0);
  }

  /** Pulls now, after any pull in progress; resolves when caught up or failed (it never rejects). */
  pullNow(): Promise<void> {
    const next = (this.running ?? Promise.resolve()).then(() => this.pullAll());
    this.running = next;
    void next.finally(() => {
      if (this.running === next) this.running = null;
    });
    return next;
  }

  async stop(): Promise<void> {
    this.stopController.abort(new Error('config puller stopped'));
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  private schedule(delay: number): void {
    if (this.stopController.signal.aborted) return;
    this.timer = setTimeout(() => {
      void this.pullNow().finally(() => this.schedule(this.o.pullIntervalMs ?? 3000));
    }, delay);
  }

  private async pullAll(): Promise<void> {
    const signal = this.stopController.signal;
    // Every ack recorded before this line is older than this cycle, whose last page then carries the cloud's answer.
    const gen = ++this.o.generation.current;
    try {
      let more = true;
      let first = true;
      while (more && !signal.aborted) {
        const cursor = configCursor(this.o.db);
        this.o.uplink.attempt();
        const json = await this.requestPage(cursor, first, signal);
        first = false;
        const page = SyncPullResponse.safeParse(json);
        if (!page.success) throw new CloudError(`the cloud's pull answer is malformed: ${describeZodError(page.error)}`);
        if (page.data.cursor < cursor) throw new CloudError(`the cloud's cursor went back from ${cursor} to ${page.data.cursor}`);
        // A cloud that says `more` without moving the cursor would spin us forever.
        more = page.data.more && page.data.cursor > cursor;
        this.cloudTakesTerminals = page.data.takesTerminals === true;
        const entities = applyConfigChanges(this.o.db, page.data.changes, page.data.cursor, this.o.registration, { gen, caughtUp: !page.data.more });
        this.o.uplink.success('pull');
        const standings = page.data.changes.flatMap((c) => (c.entity.kind === 'terminal' ? [c.entity.data] : []));
        if (standings.length > 0) this.o.onTerminals?.(standings);
        if (entities.length > 0) {
          this.o.log.info({ changes: entities.length, cursor: page.data.cursor }, 'configuration updated');
          this.o.onChanges(entities, page.data.cursor);
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      this.o.uplink.failure('pull', err);
      this.o.log.warn({ err: (err as Error).message }, 'config pull failed');
    }
  }

  /** One page: by POST with the terminals on a cycle's first page once the cloud takes them, by GET otherwise. */
  private async requestPage(cursor: number, first: boolean, stop: AbortSignal): Promise<unknown> {
    const common = { venueKey: this.o.venueKey, timeoutMs: this.o.requestTimeoutMs ?? 15_000, stop };
    const report = this.o.report;
    if (first && report && this.cloudTakesTerminals) {
      const body: SyncPullRequest = { v: PROTOCOL_VERSION, hubId: report.hubId, cursor, limit: 1000, terminals: terminalReport(report.terminals()) };
      try {
        return await cloudRequest(`${this.o.cloudUrl}/v1/sync/pull`, { ...common, method: 'POST', body: JSON.stringify(body) });
      } catch (err) {
        // A cloud rolled back to a version without the POST: pull as before, and ask again once it says it takes them.
        if (!(err instanceof CloudError) || (err.status !== 404 && err.status !== 405)) throw err;
        this.cloudTakesTerminals = false;
        this.o.log.info('the cloud does not take terminal reports; pulling without them');
      }
    }
    return cloudRequest(`${this.o.cloudUrl}/v1/sync/pull?cursor=${cursor}`, { ...common, method: 'GET' });
  }
}
