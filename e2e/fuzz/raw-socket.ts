import { Manager } from 'socket.io-client';
import { REQUEST_TIMEOUT_MS } from './wire.ts';

/**
 * A Socket.IO connection that writes raw Socket.IO packets (`0{…}` connect, `2[…]` events, `2N[…]` events with an ack
 * id, malformed ones too) as Engine.IO messages, below what the client library would ever produce, and reads the
 * hub's raw answers (`0{sid}` joined, `4{…}` connect error, `3N[…]` ack). Engine.IO adds the `4` (message) in front
 * of each on the wire, which is why packets on the wire read `40…`, `42…`.
 */
export class RawSocketIo {
  private readonly messages: string[] = [];
  private waiters: Array<() => void> = [];
  closed = false;

  private constructor(private readonly manager: Manager) {
    const engine = manager.engine;
    engine.on('message', (data) => {
      this.messages.push(typeof data === 'string' ? data : `<binary ${String((data as ArrayBuffer).byteLength ?? '')}>`);
      this.wake();
    });
    engine.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  /** Opens the Engine.IO transport (websocket) without joining any namespace. */
  static open(url: string): Promise<RawSocketIo> {
    const manager = new Manager(url, { transports: ['websocket'], reconnection: false, autoConnect: false, forceNew: true } as never);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('engine.io did not open')), REQUEST_TIMEOUT_MS);
      manager.open((err) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(new RawSocketIo(manager));
      });
    });
  }

  /** Opens and joins the main namespace with this raw auth text; resolves with the hub's answer (`0…` or `4…`) or null if it hung up. */
  static async connect(url: string, rawAuth: string): Promise<{ socket: RawSocketIo; answer: string | null }> {
    const socket = await RawSocketIo.open(url);
    socket.send(`0${rawAuth}`);
    const answer = await socket.next((m) => m.startsWith('0') || m.startsWith('4'));
    return { socket, answer };
  }

  send(raw: string): void {
    this.manager.engine.send(raw);
  }

  /**
   * The first message (from now on, or already received and not consumed) that matches, or null once the hub
   * closes the connection. Rejects after REQUEST_TIMEOUT_MS: a hub that neither answers nor hangs up is hanging.
   */
  next(match: (m: string) => boolean): Promise<string | null> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const i = this.messages.findIndex(match);
        if (i >= 0) {
          resolve(this.messages.splice(i, 1)[0]!);
          return true;
        }
        if (this.closed) {
          resolve(null);
          return true;
        }
        return false;
      };
      if (check()) return;
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no answer and no hang-up within ${REQUEST_TIMEOUT_MS} ms`));
      }, REQUEST_TIMEOUT_MS);
      const waiter = () => {
        if (check()) {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== waiter);
        }
      };
      this.waiters.push(waiter);
    });
  }

  /** Sends `2<id>[event, …]` and waits for `3<id>[…]`; null if the hub hung up instead. */
  async emitWithAck(id: number, rawArgs: string): Promise<unknown[] | null> {
    this.send(`2${id}${rawArgs}`);
    const answer = await this.next((m) => m.startsWith(`3${id}[`));
    return answer === null ? null : (JSON.parse(answer.slice(`3${id}`.length)) as unknown[]);
  }

  close(): void {
    this.manager.engine.close();
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}
