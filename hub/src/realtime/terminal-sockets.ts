import type { Server as HttpServer } from 'node:http';
import type { Logger } from 'pino';
import { Server, type Socket } from 'socket.io';
import {
  AttendeesSearch,
  describeZodError,
  OrdersPush,
  PROTOCOL_VERSION,
  TerminalAuth,
  TerminalEvents,
  type AttendeesSearchAck,
  type ConfigMessage,
  type DeskSearchResult,
  type ErrorCode,
  type HubStatus,
  type OrdersPushAck,
  type TabsMessage,
} from '@tapline/shared';
import type { TerminalRow } from '../db/terminal-store.ts';
import type { GroupCommit } from './group-commit.ts';
import type { TabsFor } from './tab-feed.ts';

export interface TerminalSocketsDeps {
  authenticate: (terminalId: string, token: string) => TerminalRow | undefined;
  ingest: GroupCommit;
  configSnapshot: () => ConfigMessage;
  hubStatus: () => HubStatus;
  /** The full venue-tabs snapshot for this terminal, sent right after the config snapshot. */
  tabsSnapshot: (terminalId: string) => TabsMessage;
  /** A registration desk's search (synchronous: a few indexed reads). */
  searchAttendees: (request: AttendeesSearch) => DeskSearchResult[];
  /** Why head office revoked this terminal (a sentence), or null while it may trade. */
  revokedBecause: (terminalId: string) => string | null;
  /** A terminal's first socket connected or its last one left. */
  onPresence: (terminalId: string, online: boolean) => void;
  log: Logger;
}

interface SocketData {
  terminalId: string;
  terminalName: string;
}

function connectError(code: ErrorCode, message: string): Error {
  return Object.assign(new Error(message), { data: { code, message } });
}

function internalAck(message: string): OrdersPushAck {
  return { ok: false, v: PROTOCOL_VERSION, error: { code: 'internal', message } };
}

/** Socket.IO for terminals, on the hub's HTTP server: authenticated handshake, config, status, order pushes. */
export class TerminalSockets {
  readonly io: Server;
  private readonly connected = new Map<string, number>();

  constructor(httpServer: HttpServer, private readonly deps: TerminalSocketsDeps) {
    // Pushes carry up to 500 orders: allow bigger frames than the 1 MB default.
    this.io = new Server(httpServer, { maxHttpBufferSize: 8e6, serveClient: false });
    this.io.use((socket, next) => {
      const auth = socket.handshake.auth as Record<string, unknown> | undefined;
      if (auth && auth.v !== undefined && auth.v !== PROTOCOL_VERSION) {
        return next(connectError('unsupported_version', `This hub speaks protocol version ${PROTOCOL_VERSION}; the terminal sent ${typeof auth.v === 'number' || typeof auth.v === 'string' ? auth.v : typeof auth.v}.`));
      }
      const parsed = TerminalAuth.safeParse(auth);
      if (!parsed.success) return next(connectError('unauthorized', `Handshake auth is missing or malformed: ${describeZodError(parsed.error)}`));
      const terminal = deps.authenticate(parsed.data.terminalId, parsed.data.token);
      if (!terminal) return next(connectError('unauthorized', 'Unknown terminal or wrong token; pair this terminal again.'));
      const revoked = deps.revokedBecause(terminal.id);
      if (revoked !== null) return next(connectError('revoked', revoked));
      (socket.data as SocketData) = { terminalId: terminal.id, terminalName: terminal.name };
      next();
    });
    this.io.on('connection', (socket) => this.onConnection(socket));
  }

  /**
   * Head office revoked this terminal: tell each of its sockets why (`error` event, the same body a refused handshake
   * carries) and drop them. Socket.IO does not reconnect after a server-side disconnect; a new handshake is refused.
   */
  disconnectRevoked(terminalId: string, message: string): number {
    let n = 0;
    for (const socket of this.io.sockets.sockets.values()) {
      if ((socket.data as SocketData).terminalId !== terminalId) continue;
      socket.emit(TerminalEvents.revoked, { code: 'revoked', message });
      socket.disconnect(true);
      n++;
    }
    return n;
  }

  isOnline(terminalId: string): boolean {
    return (this.connected.get(terminalId) ?? 0) > 0;
  }

  broadcastConfig(message: ConfigMessage): void {
    this.io.emit(TerminalEvents.config, message);
  }

  broadcastStatus(status: HubStatus): void {
    this.io.emit(TerminalEvents.hubStatus, status);
  }

  /** Per socket, not io.emit: each terminal's message carries its own committedSeq. */
  sendTabs(messageFor: TabsFor): void {
    for (const socket of this.io.sockets.sockets.values()) {
      socket.emit(TerminalEvents.tabs, messageFor((socket.data as SocketData).terminalId));
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.io.close(() => resolve());
    });
  }

  private onConnection(socket: Socket): void {
    const { terminalId, terminalName } = socket.data as SocketData;
    const log = this.deps.log.child({ terminalId });
    const n = (this.connected.get(terminalId) ?? 0) + 1;
    this.connected.set(terminalId, n);
    if (n === 1) this.deps.onPresence(terminalId, true);
    log.info({ name: terminalName }, 'terminal connected');

    socket.emit(TerminalEvents.config, this.deps.configSnapshot());
    socket.emit(TerminalEvents.tabs, this.deps.tabsSnapshot(terminalId));
    socket.emit(TerminalEvents.hubStatus, this.deps.hubStatus());

    socket.on(TerminalEvents.ordersPush, (payload: unknown, ack: unknown) => {
      if (typeof ack !== 'function') {
        log.warn('orders:push without an ack callback ignored: the terminal could never know it was stored');
        return;
      }
      const reply = ack as (a: OrdersPushAck) => void;
      // A push that raced the revocation: nothing from a revoked terminal is accepted again.
      const revoked = this.deps.revokedBecause(terminalId);
      if (revoked !== null) {
        reply({ ok: false, v: PROTOCOL_VERSION, error: { code: 'revoked', message: revoked } });
        socket.disconnect(true);
        return;
      }
      try {
        const envelope = OrdersPush.safeParse(payload);
        if (!envelope.success) {
          const v = (payload as { v?: unknown } | null)?.v;
          const error =
            v !== undefined && v !== PROTOCOL_VERSION
              ? { code: 'unsupported_version' as const, message: `This hub speaks protocol version ${PROTOCOL_VERSION}.` }
              : { code: 'invalid_body' as const, message: describeZodError(envelope.error) };
          reply({ ok: false, v: PROTOCOL_VERSION, error });
          return;
        }
        this.deps.ingest.push(terminalId, envelope.data.orders).then(reply, (err: unknown) => {
          log.error({ err }, 'orders:push failed');
          reply(internalAck('The hub failed to store these orders; please resend.'));
        });
      } catch (err) {
        log.error({ err }, 'orders:push handler threw');
        reply(internalAck('The hub failed to handle this push; please resend.'));
      }
    });

    socket.on(TerminalEvents.attendeesSearch, (payload: unknown, ack: unknown) => {
      if (typeof ack !== 'function') return;
      const reply = ack as (a: AttendeesSearchAck) => void;
      const request = AttendeesSearch.safeParse(payload);
      if (!request.success) {
        reply({ ok: false, v: PROTOCOL_VERSION, error: { code: 'invalid_body', message: describeZodError(request.error) } });
        return;
      }
      try {
        reply({ ok: true, v: PROTOCOL_VERSION, results: this.deps.searchAttendees(request.data) });
      } catch (err) {
        log.error({ err }, 'attendees:search failed');
        reply({ ok: false, v: PROTOCOL_VERSION, error: { code: 'internal', message: 'The hub could not search attendees; try again.' } });
      }
    });

    socket.on('disconnect', (reason) => {
      const left = (this.connected.get(terminalId) ?? 1) - 1;
      if (left <= 0) {
        this.connected.delete(terminalId);
        this.deps.onPresence(terminalId, false);
      } else this.connected.set(terminalId, left);
      log.info({ reason }, 'terminal disconnected');
    });
  }
}
