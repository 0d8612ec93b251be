import type { CallArgsOf, CallName, CallResults, KioskBridge, KioskErrorBody, KioskErrorCode, KioskEvents } from '../kiosk/api.ts';

/**
 * How the screens reach the kiosk process: Electron's preload (`window.taplineKiosk`) when there is one, else the
 * browser kiosk's loopback HTTP + server-sent events. Whichever it is, a refused call rejects with a KioskCallError.
 */

declare global {
  interface Window {
    taplineKiosk?: KioskBridge;
  }
}

/** `transport`: the kiosk process did not answer at all (as opposed to answering with a refusal). */
export type CallErrorCode = KioskErrorCode | 'transport';

export class KioskCallError extends Error {
  constructor(
    readonly code: CallErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'KioskCallError';
  }
}

const NOT_ANSWERING = 'The kiosk process is not answering. It restarts by itself; try again in a moment.';

/** Turns whatever a transport rejected with into a KioskCallError (Electron may hand over JSON in an Error's message). */
export function toCallError(err: unknown): KioskCallError {
  if (err instanceof KioskCallError) return err;
  const body = errorBody(err) ?? (err instanceof Error ? errorBody(safeJson(err.message)) : null);
  if (body) return new KioskCallError(body.code, body.message);
  return new KioskCallError('internal', err instanceof Error && err.message ? err.message : 'Something went wrong in the kiosk.');
}

function errorBody(x: unknown): KioskErrorBody | null {
  if (typeof x !== 'object' || x === null) return null;
  const { code, message } = x as Partial<KioskErrorBody>;
  return typeof code === 'string' && typeof message === 'string' ? { code, message } : null;
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}

/** Whether the event stream from the kiosk process is alive; `responding` turns false only after a grace period. */
export interface LinkMonitor {
  responding(): boolean;
  onChange(listener: (responding: boolean) => void): () => void;
}

export interface Connection {
  bridge: KioskBridge;
  link: LinkMonitor;
  transport: 'electron' | 'web';
}

/** How long the event stream may be down before the screen says so (a reconnect normally takes well under that). */
export const UNRESPONSIVE_AFTER_MS = 3000;

export function connect(): Connection {
  const preload = window.taplineKiosk;
  if (preload) return { bridge: normalisedBridge(preload), link: alwaysUp, transport: 'electron' };
  const token = new URLSearchParams(location.search).get('token') ?? '';
  return { ...webBridge(token), transport: 'web' };
}

const alwaysUp: LinkMonitor = { responding: () => true, onChange: () => () => {} };

function normalisedBridge(inner: KioskBridge): KioskBridge {
  return {
    call: (method, args) => inner.call(method, args).catch((err: unknown) => Promise.reject(toCallError(err))),
    on: (event, listener) => inner.on(event, listener),
  };
}

type Listeners = { [E in keyof KioskEvents]: Set<(payload: KioskEvents[E]) => void> };
const EVENT_NAMES = ['state', 'tap', 'hubs', 'bounce'] as const satisfies ReadonlyArray<keyof KioskEvents>;

function webBridge(token: string, base = ''): { bridge: KioskBridge; link: LinkMonitor } {
  const listeners: Listeners = { state: new Set(), tap: new Set(), hubs: new Set(), bounce: new Set() };
  const linkListeners = new Set<(responding: boolean) => void>();
  let responding = true;
  let downTimer: ReturnType<typeof setTimeout> | null = null;

  const setResponding = (next: boolean) => {
    if (next === responding) return;
    responding = next;
    for (const l of linkListeners) l(next);
  };
  const markUp = () => {
    if (downTimer) clearTimeout(downTimer);
    downTimer = null;
    setResponding(true);
  };
  const markDown = () => {
    downTimer ??= setTimeout(() => setResponding(false), UNRESPONSIVE_AFTER_MS);
  };

  const open = () => {
    const source = new EventSource(`${base}/api/events?token=${encodeURIComponent(token)}`);
    source.addEventListener('open', markUp);
    for (const name of EVENT_NAMES) {
      source.addEventListener(name, (e) => {
        markUp();
        const payload: unknown = safeJson((e as MessageEvent<string>).data);
        if (payload === null) return;
        for (const l of listeners[name]) (l as (p: unknown) => void)(payload);
      });
    }
    source.addEventListener('error', () => {
      markDown();
      // EventSource retries by itself after a dropped connection, but gives up for good after an HTTP error
      // (e.g. the kiosk process answering 503 while it restarts): then we start a new one ourselves.
      if (source.readyState === EventSource.CLOSED) setTimeout(open, 1000);
    });
  };
  markDown();
  open();

  const bridge: KioskBridge = {
    async call<M extends CallName>(method: M, args: CallArgsOf<M>): Promise<CallResults[M]> {
      let res: Response;
      try {
        res = await fetch(`${base}/api/call/${method}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-kiosk-token': token },
          body: JSON.stringify(args),
        });
      } catch {
        throw new KioskCallError('transport', NOT_ANSWERING);
      }
      const body: unknown = await res.json().catch(() => null);
      if (res.ok) return body as CallResults[M];
      const refusal = errorBody((body as { error?: unknown } | null)?.error);
      if (refusal) throw new KioskCallError(refusal.code, refusal.message);
      throw new KioskCallError(res.status >= 500 ? 'internal' : 'invalid_input', `The kiosk refused the request (HTTP ${res.status}).`);
    },
    on(event, listener) {
      const set = listeners[event] as Set<typeof listener>;
      set.add(listener);
      return () => set.delete(listener);
    },
  };
  const link: LinkMonitor = {
    responding: () => responding,
    onChange(listener) {
      linkListeners.add(listener);
      return () => linkListeners.delete(listener);
    },
  };
  return { bridge, link };
}
