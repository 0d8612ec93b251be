/**
 * The one preload of the kiosk window. It runs sandboxed (bundled to CommonJS; only `electron` may be required) and
 * hands the screens `window.taplineKiosk`: the two functions of KioskBridge and nothing else, never ipcRenderer.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { CallArgsOf, CallName, CallResults, KioskBridge, KioskErrorBody, KioskEvents } from '../kiosk/api.ts';
import { KIOSK_CALL_CHANNEL, KIOSK_EVENT_CHANNEL, type KioskCallReply } from './ipc-contract.ts';

type AnyListener = (payload: unknown) => void;

const EVENT_NAMES: ReadonlyArray<keyof KioskEvents> = ['state', 'tap', 'hubs', 'bounce'];
const listeners = new Map<keyof KioskEvents, Set<AnyListener>>(EVENT_NAMES.map((name) => [name, new Set()]));

ipcRenderer.on(KIOSK_EVENT_CHANNEL, (_event, name: unknown, payload: unknown) => {
  const set = listeners.get(name as keyof KioskEvents);
  if (!set) return;
  for (const listener of set) {
    try {
      listener(payload);
    } catch (err) {
      // One screen's failing listener must not starve the others of the event.
      console.error(`kiosk ${String(name)} listener failed`, err);
    }
  }
});

const NOT_ANSWERING: KioskErrorBody = {
  code: 'internal',
  message: 'The kiosk process is not answering. Restart the kiosk if this keeps happening.',
};

const bridge: KioskBridge = {
  async call<M extends CallName>(method: M, args: CallArgsOf<M>): Promise<CallResults[M]> {
    let reply: KioskCallReply;
    try {
      reply = (await ipcRenderer.invoke(KIOSK_CALL_CHANNEL, method, args)) as KioskCallReply;
    } catch {
      throw NOT_ANSWERING;
    }
    // A plain {code, message} object: it crosses the context bridge whole, where an Error would keep only its message.
    if (!reply.ok) throw { code: reply.error.code, message: reply.error.message } satisfies KioskErrorBody;
    return reply.result as CallResults[M];
  },
  on(event, listener) {
    const set = listeners.get(event);
    if (!set) throw new Error(`The kiosk has no event "${String(event)}".`);
    const wrapped = listener as AnyListener;
    set.add(wrapped);
    return () => {
      set.delete(wrapped);
    };
  },
};

contextBridge.exposeInMainWorld('taplineKiosk', bridge);
