import pRetry from 'p-retry';
import type { Logger } from 'pino';
import { describeZodError, isSettled, MAX_SYNC_BATCH, PROTOCOL_VERSION, SyncPushResponse, type ErrorBody } from '@tapline/shared';
import type { OrderStore, OutboxItem } from '../db/order-store.ts';
import { CloudError, cloudRequest } from './cloud-request.ts';
import type { UplinkStatus } from './uplink-status.ts';

export interface UploaderOptions {
  store: OrderStore;
  hubId: string;
  cloudUrl: string;
  venueKey: string;
  uplink: UplinkStatus;
  log: Logger;
  /** Orders per request; default 500, at most 1000. */
  batchSize?: number;
  requestTimeoutMs?: number;
  /** First retry delay; doubles up to maxRetryDelayMs, randomised. */
  minRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Called after each acknowledged batch with how many rows left the outbox. */
  onDrained?: (count: number) => void;
}

/**
 * Drains cloud_outbox to `POST /v1/sync/push` in id order, one bounded batch at a time, each acknowledged on its
 * own. Sleeps when the outbox is empty until `wake()`; retries failures forever with backoff and jitter.
 * It only reads the outbox and deletes what the cloud acknowledged, so a slow cloud never slows ingest.
 */
export class Uploader {
  readonly batchSize: number;
  private readonly requestTimeoutMs: number;
  private readonly stopController = new AbortController();
  private wakeUp: (() => void) | null = null;
  private woken = false;
  private loop: Promise<void> | null = null;

  constructor(private readonly o: UploaderOptions) {
    this.batchSize = Math.min(Math.max(1, Math.floor(o.batchSize ?? 500)), MAX_SYNC_BATCH);
    this.requestTimeoutMs = o.requestTimeoutMs ?? 15_000;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** New outbox rows: start sending now if idle. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.stopController.abort(new Error('uploader stopped'));
    this.wakeUp?.();
    await this.loop;
  }

  private get stopped(): boolean {
    return this.stopController.signal.aborted;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      this.woken = false;
      let sent: number;
      try {
        sent = await pRetry(() => this.sendOneBatch(), {
          retries: Number.POSITIVE_INFINITY,
          factor: 2,
          minTimeout: this.o.minRetryDelayMs ?? 1000,
          maxTimeout: this.o.maxRetryDelayMs ?? 30_000,
          randomize: true,
          signal: this.stopController.signal,
          onFailedAttempt: ({ error, attemptNumber }) => {
            if (this.stopped) return;
            this.o.uplink.failure('push', error);
            this.o.log.warn({ err: error.message, attempt: attemptNumber }, 'upload failed; will retry');
          },
        });
      } catch (err) {
        if (this.stopped) return;
        // Only a programming error gets here (p-retry gave up); keep the loop alive after a pause.
        this.o.log.error({ err }, 'uploader loop error');
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      if (sent === 0 && !this.woken) {
        await new Promise<void>((resolve) => {
          this.wakeUp = resolve;
        });
        this.wakeUp = null;
      }
    }
  }

  /** Sends the oldest batch; returns how many rows it took, 0 when the outbox is empty. */
  private async sendOneBatch(): Promise<number> {
    let items: OutboxItem[];
    try {
      items = this.o.store.outbox(this.batchSize);
    } catch (err) {
      throw new CloudError(`cannot read the outbox: ${(err as Error).message}`);
    }
    if (items.length === 0) return 0;
    this.o.uplink.attempt();
    // The bodies are already canonical JSON: splice them in rather than parse and re-serialise.
    // What waits behind this batch, for head office's live view; a short page means nothing does, so no count then.
    const backlog = items.length < this.batchSize ? 0 : Math.max(0, this.o.store.outboxSize() - items.length);
    const body = `{"v":${PROTOCOL_VERSION},"hubId":${JSON.stringify(this.o.hubId)},"backlog":${backlog},"orders":[${items.map((i) => i.body).join(',')}]}`;
    const json = await cloudRequest(`${this.o.cloudUrl}/v1/sync/push`, {
      method: 'POST',
      venueKey: this.o.venueKey,
      body,
      timeoutMs: this.requestTimeoutMs,
      stop: this.stopController.signal,
    });
    const parsed = SyncPushResponse.safeParse(json);
    if (!parsed.success) throw new CloudError(`the cloud's push answer is malformed: ${describeZodError(parsed.error)}`);

    const byId = new Map(parsed.data.results.map((r) => [r.id, r]));
    const settled: OutboxItem[] = [];
    const refused: Array<{ item: OutboxItem; error: ErrorBody }> = [];
    let missing = 0;
    for (const item of items) {
      const r = byId.get(item.orderId);
      if (!r) missing++;
      else if (isSettled(r.status)) settled.push(item);
      else refused.push({ item, error: r.error ?? { code: 'invalid_item', message: 'the cloud refused this order' } });
    }
    try {
      this.o.store.settle(settled, refused, new Date().toISOString());
    } catch (err) {
      throw new CloudError(`cannot record the cloud's answer: ${(err as Error).message}`);
    }
    for (const { item, error } of refused) {
      this.o.log.error({ orderId: item.orderId, error }, 'the cloud refused an order as invalid; moved to rejected for review');
    }
    const drained = settled.length + refused.length;
    if (drained > 0) this.o.onDrained?.(drained);
    this.o.uplink.success('push', true);
    this.o.log.debug({ sent: items.length, drained }, 'batch uploaded');
    // Rows the cloud did not answer for stay in the outbox; back off rather than resend them in a tight loop.
    if (missing > 0) throw new CloudError(`the cloud answered for ${items.length - missing} of ${items.length} orders`);
    return items.length;
  }
}
