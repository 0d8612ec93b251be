import {
  ConfigMessage,
  describeZodError,
  ErrorBody,
  HubStatus,
  OrdersPushAck,
  PROTOCOL_VERSION,
  TabsMessage,
  TerminalEvents,
  type TerminalAuth,
} from '@tapline/shared';
import { EventEmitter } from 'node:events';
import pRetry from 'p-retry';
import { io, type Socket } from 'socket.io-client';
import type { Logger } from './log.ts';
import type { AckOutcome, OrderStore, OutboxItem } from './order-store.ts';

export interface SenderOptions {
  hubUrl: string;
  auth: TerminalAuth;
  store: OrderStore;
  logger: Logger;
  /** Orders per `orders:push`; the hub accepts up to MAX_PUSH_BATCH. */
  batchSize?: number;
  ackTimeoutMs?: number;
  /** Backoff of the retries of one batch (p-retry): first wait, and cap. */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** Socket.IO reconnection backoff: first wait, and cap. */
  reconnectDelayMs?: number;
  reconnectDelayMaxMs?: number;
}

export interface SenderEvents {
  connected: [];
  disconnected: [reason: string];
  acked: [AckOutcome];
  config: [ConfigMessage];
  hubStatus: [HubStatus];
  tabs: [TabsMessage];
  /** Head office revoked this terminal (the hub said so, or refused a handshake with `revoked`): its sentence. */
  revoked: [message: string];
}

class NotConnected extends Error {
  constructor() {
    super('not connected to the hub');
  }
}

/**
 * Delivers the outbox to the hub, oldest first, one bounded batch in flight, at least once: a row leaves the outbox
 * only in the transaction that records the hub's ack. It wakes on a new order, on (re)connect and at start; when the
 * outbox is empty it does nothing at all until woken.
 */
export class OutboxSender extends EventEmitter<SenderEvents> {
  private readonly socket: Socket;
  private readonly batchSize: number;
  private readonly ackTimeoutMs: number;
  private running = false;
  private wanted = false;
  private closed = false;
  /** Aborts the wait between retries, so a fresh connection is used at once rather than after the backoff. */
  private retryAbort: AbortController | null = null;
  private rejoinTimer: NodeJS.Timeout | null = null;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly o: SenderOptions) {
    super();
    this.batchSize = Math.min(o.batchSize ?? 200, 500);
    this.ackTimeoutMs = o.ackTimeoutMs ?? 10_000;
    this.socket = io(o.hubUrl, {
      auth: o.auth,
      transports: ['websocket'],
      reconnection: true,
      reconnectionDelay: o.reconnectDelayMs ?? 250,
      reconnectionDelayMax: o.reconnectDelayMaxMs ?? 5_000,
      randomizationFactor: 0.5,
      autoConnect: false,
    });
    this.socket.on('connect', () => {
      o.logger.info({ hubUrl: o.hubUrl }, 'connected to the hub');
      this.emit('connected');
      this.retryAbort?.abort();
      this.wake();
    });
    this.socket.on('disconnect', (reason) => {
      o.logger.warn({ reason }, 'disconnected from the hub');
      // Anything queued while disconnected would be replayed on reconnect: the loop resends from the outbox instead.
      this.socket.sendBuffer = [];
      this.emit('disconnected', reason);
      // Dropped by the hub itself (it does so when head office revokes this terminal): socket.io never reconnects
      // after that, but a later handshake is how a restored terminal learns it may trade again.
      if (reason === 'io server disconnect') this.rejoinLater();
    });
    this.socket.on('connect_error', (err) => {
      const data = (err as Error & { data?: { code?: string; message?: string } }).data;
      if (this.socket.active) {
        o.logger.debug({ err: err.message }, 'hub not reachable; socket.io retries');
        return;
      }
      // Refused by the hub's middleware (token, version, revoked): socket.io does not retry these by itself. The hub
      // may be restarting with its database not yet open, or head office may restore a revoked terminal, so try again
      // slowly rather than give up for good.
      o.logger.error({ code: data?.code, message: data?.message ?? err.message }, 'the hub refused this terminal');
      if (data?.code === 'revoked') this.emit('revoked', data.message ?? err.message);
      this.rejoinLater();
    });
    this.socket.on(TerminalEvents.revoked, (raw: unknown) => {
      const body = ErrorBody.safeParse(raw);
      o.logger.error({ message: body.success ? body.data.message : null }, 'head office revoked this terminal');
      this.emit('revoked', body.success ? body.data.message : 'This terminal was revoked by head office.');
    });
    this.socket.on(TerminalEvents.config, (raw: unknown) => {
      const msg = ConfigMessage.safeParse(raw);
      if (!msg.success) {
        o.logger.error({ error: describeZodError(msg.error) }, 'ignored a config message that fails its schema');
        return;
      }
      this.emit('config', msg.data);
    });
    this.socket.on(TerminalEvents.hubStatus, (raw: unknown) => {
      const st = HubStatus.safeParse(raw);
      if (st.success) this.emit('hubStatus', st.data);
      else o.logger.warn({ error: describeZodError(st.error) }, 'ignored a hub:status that fails its schema');
    });
    this.socket.on(TerminalEvents.tabs, (raw: unknown) => {
      const msg = TabsMessage.safeParse(raw);
      if (!msg.success) {
        // Safe to skip: the tabs held stay consistent with the committedSeq they came with, only older.
        o.logger.error({ error: describeZodError(msg.error) }, 'ignored a tabs message that fails its schema');
        return;
      }
      this.emit('tabs', msg.data);
    });
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  /**
   * One request to the hub with an ack and a timeout (rejects on timeout); null when not connected, so the caller
   * can say so at once rather than wait for the timeout.
   */
  ask(event: string, payload: unknown, timeoutMs: number): Promise<unknown> | null {
    if (!this.socket.connected) return null;
    return this.socket.timeout(timeoutMs).emitWithAck(event, payload) as Promise<unknown>;
  }

  start(): void {
    this.socket.connect();
    this.wake();
  }

  /** Called after each new order: sends now if connected, else the next connect will. */
  wake(): void {
    this.wanted = true;
    if (!this.running && !this.closed) void this.run();
  }

  /** Resolves when no batch is in flight or waiting to be retried. */
  idle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.rejoinTimer) clearTimeout(this.rejoinTimer);
    this.retryAbort?.abort();
    this.socket.disconnect();
    this.socket.removeAllListeners();
    await this.idle();
  }

  /** A new handshake after the longest reconnection wait (once at a time). */
  private rejoinLater(): void {
    if (this.closed || this.rejoinTimer) return;
    this.rejoinTimer = setTimeout(() => {
      this.rejoinTimer = null;
      if (!this.closed) this.socket.connect();
    }, this.o.reconnectDelayMaxMs ?? 5_000);
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.wanted && !this.closed) {
        this.wanted = false;
        await this.drain();
      }
    } finally {
      this.running = false;
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  private async drain(): Promise<void> {
    while (!this.closed && this.socket.connected) {
      const batch = this.o.store.outboxBatch(this.batchSize);
      if (batch.length === 0) return;
      const abort = new AbortController();
      this.retryAbort = abort;
      try {
        await pRetry(() => this.sendBatch(batch), {
          retries: Number.POSITIVE_INFINITY,
          factor: 2,
          minTimeout: this.o.retryMinMs ?? 250,
          maxTimeout: this.o.retryMaxMs ?? 5_000,
          randomize: true,
          signal: abort.signal,
          unref: true,
          shouldRetry: ({ error }) => !this.closed && this.socket.connected && !(error instanceof NotConnected),
          onFailedAttempt: ({ error, attemptNumber }) => {
            this.o.logger.warn({ err: error.message, attemptNumber, firstSeq: batch[0]?.seq, size: batch.length }, 'batch not acknowledged; will retry');
          },
        });
      } catch {
        // Disconnected, closing, or a newer connection cut the backoff short: 'connect' wakes the loop again.
        return;
      } finally {
        if (this.retryAbort === abort) this.retryAbort = null;
      }
    }
  }

  private async sendBatch(batch: OutboxItem[]): Promise<void> {
    if (!this.socket.connected) throw new NotConnected();
    const orders = batch.map((b) => JSON.parse(b.body) as unknown);
    const raw: unknown = await this.socket
      .timeout(this.ackTimeoutMs)
      .emitWithAck(TerminalEvents.ordersPush, { v: PROTOCOL_VERSION, orders });
    const ack = OrdersPushAck.safeParse(raw);
    if (!ack.success) throw new Error(`the hub's ack fails its schema: ${describeZodError(ack.error)}`);
    if (!ack.data.ok) throw new Error(`the hub refused the batch: ${ack.data.error.code}: ${ack.data.error.message}`);
    const outcome = this.o.store.settle(batch, ack.data.results);
    for (const r of outcome.rejected) {
      this.o.logger.error({ orderId: r.id, status: r.status, reason: r.reason }, 'THE HUB REJECTED AN ORDER; kept on this terminal for review');
    }
    if (outcome.acked.length || outcome.rejected.length) this.emit('acked', outcome);
    if (outcome.unanswered.length) {
      throw new Error(`the hub's ack left out ${outcome.unanswered.length} of ${batch.length} orders`);
    }
  }
}
