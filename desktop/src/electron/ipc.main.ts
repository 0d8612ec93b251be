import type { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { BandBounce, BandTap, FoundHubView, KioskEvents, KioskState } from '../kiosk/api.ts';
import { KioskError } from '../kiosk/kiosk-error.ts';
import type { KioskServiceEvents } from '../kiosk/kiosk-service.ts';
import { isAppUrl } from './app-origin.ts';
import { KIOSK_CALL_CHANNEL, KIOSK_EVENT_CHANNEL, type KioskCallReply } from './ipc-contract.ts';

/** The parts of an IPC event the sender check reads (Electron's IpcMainInvokeEvent has them). */
export interface IpcSender {
  sender: unknown;
  senderFrame: { url: string } | null;
}

/**
 * Electron's ipcMain and webContents as this file uses them: taken as parameters so the wiring is tested with fakes,
 * without the Electron binary.
 */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcSender, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export interface KioskContents {
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
}

/** What the IPC needs of KioskService: its one call entry point and its events. */
export type KioskCalls = Pick<EventEmitter<KioskServiceEvents>, 'on' | 'off'> & {
  call(method: string, args: unknown): Promise<unknown>;
};

export interface KioskIpcOptions {
  ipcMain: IpcMainLike;
  /** The kiosk window's contents: the only sender answered, the only receiver of events. */
  contents: KioskContents;
  service: KioskCalls;
  log: Logger;
}

/**
 * Carries the kiosk API over Electron IPC: `kiosk:call` → KioskService.call, and the service's events → the window.
 * Returns a function that unwires everything (the window closing, or shutdown).
 */
export function wireKioskIpc({ ipcMain, contents, service, log }: KioskIpcOptions): () => void {
  ipcMain.handle(KIOSK_CALL_CHANNEL, async (event, method, args): Promise<KioskCallReply> => {
    // Only our screens may work the till: not another window, not a frame that navigated somewhere else.
    if (event.sender !== contents || !event.senderFrame || !isAppUrl(event.senderFrame.url)) {
      log.warn({ url: event.senderFrame?.url ?? null }, 'refused a kiosk call from outside the kiosk window');
      return { ok: false, error: { code: 'internal', message: 'Only the kiosk screens can use the kiosk.' } };
    }
    if (typeof method !== 'string') {
      return { ok: false, error: { code: 'unknown_call', message: 'The kiosk call has no name.' } };
    }
    try {
      return { ok: true, result: await service.call(method, args) };
    } catch (err) {
      if (err instanceof KioskError) return { ok: false, error: err.toBody() };
      log.error({ err, method }, 'kiosk call failed');
      return { ok: false, error: { code: 'internal', message: 'Something went wrong in the kiosk. Try again.' } };
    }
  });

  const send = (name: keyof KioskEvents, payload: unknown): void => {
    if (!contents.isDestroyed()) contents.send(KIOSK_EVENT_CHANNEL, name, payload);
  };
  const onState = (state: KioskState) => send('state', state);
  const onTap = (tap: BandTap) => send('tap', tap);
  const onHubs = (hubs: FoundHubView[]) => send('hubs', hubs);
  const onBounce = (bounce: BandBounce) => send('bounce', bounce);
  service.on('state', onState);
  service.on('tap', onTap);
  service.on('hubs', onHubs);
  service.on('bounce', onBounce);

  return () => {
    ipcMain.removeHandler(KIOSK_CALL_CHANNEL);
    service.off('state', onState);
    service.off('tap', onTap);
    service.off('hubs', onHubs);
    service.off('bounce', onBounce);
  };
}
