import type { Logger } from 'pino';
import { describeZodError, SyncPullResponse, type ConfigEntity } from '@tapline/shared';
import { applyConfigChanges, configCursor } from '../db/config-store.ts';
import type { HubDrizzle } from '../db/open.ts';
import { CloudError, cloudRequest } from './cloud-request.ts';
import type { UplinkStatus } from './uplink-status.ts';

export interface ConfigPullerOptions {
  db: HubDrizzle;
  cloudUrl: string;
  venueKey: string;
  uplink: UplinkStatus;
  log: Logger;
  /** Default 3000. */
  pullIntervalMs?: number;
  requestTimeoutMs?: number;
  /** Called after each page is committed with the entities it changed and the new cursor. */
  onChanges: (entities: ConfigEntity[], cursor: number) => void;
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
    try {
      let more = true;
      while (more && !signal.aborted) {
        const cursor = configCursor(this.o.db);
        this.o.uplink.attempt();
        const json = await cloudRequest(`${this.o.cloudUrl}/v1/sync/pull?cursor=${cursor}`, {
          method: 'GET',
          venueKey: this.o.venueKey,
          timeoutMs: this.o.requestTimeoutMs ?? 15_000,
          stop: signal,
        });
        const page = SyncPullResponse.safeParse(json);
        if (!page.success) throw new CloudError(`the cloud's pull answer is malformed: ${describeZodError(page.error)}`);
        if (page.data.cursor < cursor) throw new CloudError(`the cloud's cursor went back from ${cursor} to ${page.data.cursor}`);
        const entities = applyConfigChanges(this.o.db, page.data.changes, page.data.cursor);
        this.o.uplink.success('pull');
        if (entities.length > 0) {
          this.o.log.info({ changes: entities.length, cursor: page.data.cursor }, 'configuration updated');
          this.o.onChanges(entities, page.data.cursor);
        }
        // A cloud that says `more` without moving the cursor would spin us forever.
        more = page.data.more && page.data.cursor > cursor;
      }
    } catch (err) {
      if (signal.aborted) return;
      this.o.uplink.failure('pull', err);
      this.o.log.warn({ err: (err as Error).message }, 'config pull failed');
    }
  }
}
